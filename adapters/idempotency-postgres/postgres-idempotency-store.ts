import { createHmac } from 'node:crypto';
import type { IdempotencyRecord, IdempotencyStore } from '../../core/idempotency/idempotency-store';
import { isSealed, type SecretBox } from '../../core/secrets/secret-box';
import type { PostgresSession } from '../eventstore-postgres/postgres-session';

/** Records one prune statement deletes at most; pruning repeats it up to `prunePassesMax` times. */
const prunedPerPassMax = 10_000;
const prunePassesMax = 100;

type RecordRow = { fingerprint: string; status_code: number; body: string | null; created_at: string };

/**
 * Answered requests in `hisaab_idempotency_records`, beside the PostgreSQL log (issue 19, item 4): a switch started
 * on a new machine, or a standby that took over, answers a retried request with the answer the one before it gave,
 * byte for byte. Not in the log itself: a record is kept a day and then pruned, and the log is never rewritten.
 * Sealed as in the data dir's file (api/sqlite-idempotency-store.ts): answers under the master key, keys by HMAC.
 */
export class PostgresIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly session: PostgresSession,
    private readonly sealing: { box: SecretBox; keyHashKey: Buffer },
  ) {}

  async find(scope: string, idempotencyKey: string): Promise<IdempotencyRecord | null> {
    const rows = await this.session.query<RecordRow>(
      'SELECT fingerprint, status_code, body, created_at FROM hisaab_idempotency_records WHERE scope = $1 AND idempotency_key = $2',
      [scope, this.storedKey(idempotencyKey)],
    );
    const row = rows[0];
    if (row === undefined) return null;
    return {
      scope,
      idempotencyKey,
      fingerprint: row.fingerprint,
      statusCode: row.status_code,
      body: row.body !== null && isSealed(row.body) ? this.sealing.box.open(row.body) : row.body,
      createdAt: row.created_at,
    };
  }

  async save(record: IdempotencyRecord): Promise<void> {
    await this.session.query(
      `INSERT INTO hisaab_idempotency_records (scope, idempotency_key, fingerprint, status_code, body, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, idempotency_key) DO NOTHING`,
      [
        record.scope,
        this.storedKey(record.idempotencyKey),
        record.fingerprint,
        record.statusCode,
        record.body === null ? null : this.sealing.box.seal(record.body),
        record.createdAt,
      ],
    );
  }

  async prune(before: Date): Promise<number> {
    let removed = 0;
    for (let pass = 0; pass < prunePassesMax; pass += 1) {
      const deleted = await this.session.run(
        async (client) =>
          (
            await client.query(
              `DELETE FROM hisaab_idempotency_records WHERE ctid IN
                 (SELECT ctid FROM hisaab_idempotency_records WHERE created_at < $1 LIMIT ${prunedPerPassMax})`,
              [before.toISOString()],
            )
          ).rowCount ?? 0,
      );
      removed += deleted;
      if (deleted < prunedPerPassMax) break;
    }
    return removed;
  }

  private storedKey(idempotencyKey: string): string {
    return `hmac.${createHmac('sha256', this.sealing.keyHashKey).update(idempotencyKey, 'utf8').digest('base64url')}`;
  }
}
