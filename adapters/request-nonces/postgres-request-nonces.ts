import { assert } from '../../core/assert';
import { DomainError } from '../../core/errors';
import { jtiLengthMax } from '../../core/auth/request-signature';
import type { RequestNonceRegistry } from '../../core/auth/request-nonces';
import type { PostgresSession } from '../eventstore-postgres/postgres-session';

/** Nonces waiting for their write, and how many one statement takes: bounded like every queue. */
const pendingMax = 8_192;
const batchMax = 1_024;
/** Expired nonces are deleted every so many accepted ones, at most this many at a time. */
const pruneEveryInserts = 64;
const prunedPerPassMax = 4_096;

type PendingNonce = {
  participantId: string;
  jti: string;
  expiresAtSeconds: number;
  nowSeconds: number;
  resolve: (result: 'fresh' | 'replayed') => void;
  reject: (error: unknown) => void;
};

/**
 * The jti registry in `hisaab_request_nonces`, beside the PostgreSQL log (issue 19, item 4): a standby that takes
 * over, or a switch on a new machine, refuses a signed request replayed within its 300 s window as the one before
 * it would have. The same group commit as the data dir's file (adapters/request-nonces/sqlite-request-nonces.ts):
 * nonces arriving in one turn of the event loop are written by one statement. `rememberedSinceSeconds` is when the
 * table was first used, kept in the database too, so a new machine does not start a new window of trust.
 */
export class PostgresRequestNonces implements RequestNonceRegistry {
  private readonly pending: PendingNonce[] = [];
  private flushing = false;
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
    assert(jti.length >= 1 && jti.length <= jtiLengthMax, `a jti is 1 to ${jtiLengthMax} characters`);
    assert(Number.isSafeInteger(expiresAtSeconds) && expiresAtSeconds > nowSeconds, 'a nonce is remembered until a later time');
    if (this.pending.length >= pendingMax) {
      return Promise.reject(
        new DomainError('OVERLOADED', `${pendingMax} signed requests are waiting for their nonce to be recorded; retry shortly`),
      );
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ participantId, jti, expiresAtSeconds, nowSeconds, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, batchMax);
      try {
        const fresh = await this.write(batch);
        for (const entry of batch) {
          const key = `${entry.participantId}\n${entry.jti}`;
          // A jti twice in one batch: the first is fresh, the second a replay.
          entry.resolve(fresh.delete(key) ? 'fresh' : 'replayed');
        }
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.flushing = false;
  }

  /** One transaction: drop the batch's jtis whose window has passed, insert, and say which were new. */
  private async write(batch: readonly PendingNonce[]): Promise<Set<string>> {
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
    return new Set(inserted.map((row) => `${row.participant_id}\n${row.jti}`));
  }
}
