import { assert } from '../../core/assert';
import type { RequestNonceRegistry } from '../../core/auth/request-nonces';
import type { PostgresSession } from '../eventstore-postgres/postgres-session';
import { NonceWriteQueue, type PendingNonce } from './nonce-write-queue';

/** Expired nonces are deleted every so many accepted ones, at most this many at a time. */
const pruneEveryInserts = 64;
const prunedPerPassMax = 4_096;

/**
 * The jti registry in `hisaab_request_nonces`, beside the PostgreSQL log (issue 19, item 4): a standby that takes
 * over, or a switch on a new machine, refuses a signed request replayed within its 300 s window as the one before
 * it would have. The same group commit as the data dir's file (adapters/request-nonces/sqlite-request-nonces.ts):
 * nonces arriving in one turn of the event loop are written by one statement. `rememberedSinceSeconds` is when the
 * table was first used, kept in the database too, so a new machine does not start a new window of trust.
 */
export class PostgresRequestNonces implements RequestNonceRegistry {
  private readonly queue = new NonceWriteQueue((batch) => this.write(batch));
  private insertsSincePrune = 0;

  private constructor(
    private readonly session: PostgresSession,
    readonly rememberedSinceSeconds: number,
  ) {}

  static async open(session: PostgresSession, nowSeconds: number): Promise<PostgresRequestNonces> {
    await session.query('INSERT INTO hisaab_request_nonce_registry (id, created_at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [
      nowSeconds,
    ]);
    const rows = await session.query<{ created_at: string }>('SELECT created_at FROM hisaab_request_nonce_registry WHERE id = 1');
    const created = rows[0]?.created_at;
    assert(created !== undefined, 'the nonce registry row was just written');
    return new PostgresRequestNonces(session, Number(created));
  }

  remember(participantId: string, jti: string, expiresAtSeconds: number, nowSeconds: number): Promise<'fresh' | 'replayed'> {
    return this.queue.remember(participantId, jti, expiresAtSeconds, nowSeconds);
  }

  /** One transaction: drop the batch's jtis whose window has passed, insert, and say which were new. */
  private async write(batch: readonly PendingNonce[]): Promise<boolean[]> {
    const nowSeconds = batch[batch.length - 1]?.nowSeconds ?? 0;
    const participants = batch.map((entry) => entry.participantId);
    const jtis = batch.map((entry) => entry.jti);
    const inserted = await this.session.run(async (client) => {
      await client.query('BEGIN');
      try {
        // A jti whose window has passed may be used again: the freshness check alone now refuses its old request.
        await client.query(
          'DELETE FROM hisaab_request_nonces n USING unnest($1::text[], $2::text[]) AS b(participant_id, jti) WHERE n.participant_id = b.participant_id AND n.jti = b.jti AND n.expires_at <= $3',
          [participants, jtis, nowSeconds],
        );
        const answer = await client.query<{ participant_id: string; jti: string }>(
          `INSERT INTO hisaab_request_nonces (participant_id, jti, expires_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT (participant_id, jti) DO NOTHING
           RETURNING participant_id, jti`,
          [participants, jtis, batch.map((entry) => entry.expiresAtSeconds)],
        );
        this.insertsSincePrune += batch.length;
        if (this.insertsSincePrune >= pruneEveryInserts) {
          this.insertsSincePrune = 0;
          await client.query(
            `DELETE FROM hisaab_request_nonces WHERE ctid IN (SELECT ctid FROM hisaab_request_nonces WHERE expires_at <= $1 LIMIT ${prunedPerPassMax})`,
            [nowSeconds],
          );
        }
        await client.query('COMMIT');
        return answer.rows;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    const fresh = new Set(inserted.map((row) => `${row.participant_id}\n${row.jti}`));
    // A jti twice in one batch: the first is fresh, the second a replay.
    return batch.map((entry) => fresh.delete(`${entry.participantId}\n${entry.jti}`));
  }
}
