import type { Statement } from 'better-sqlite3';
import type { SqliteReadModelTx } from '../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { clearTables } from '../../adapters/readmodel-sqlite/clear-tables';
import type { NewEvent, RecordedEvent } from '../../core/eventstore/event';
import type { Projection } from '../../core/eventstore/projection';
import { newId } from '../../core/ids';

/**
 * A test projection: per key, the number of `AmountRecorded` events, the sum of their amounts (minor units) and
 * the sum of their log positions. A double-applied or skipped event changes at least one of the three, so
 * comparing two read models row by row shows whether both saw each event exactly once.
 */
export function keyTotalsProjection(name = 'key-totals'): Projection<SqliteReadModelTx> {
  const table = `${name.replace(/[^A-Za-z0-9]/g, '_')}_rows`;
  // One prepared statement per connection: preparing per event would dominate the cost of a replay.
  const upserts = new WeakMap<SqliteReadModelTx, Statement>();
  const upsert = (tx: SqliteReadModelTx): Statement => {
    let statement = upserts.get(tx);
    if (!statement) {
      statement = tx.prepare(
        `INSERT INTO "${table}" (key, event_count, sum_minor, position_sum) VALUES (?, 1, ?, ?)
         ON CONFLICT (key) DO UPDATE SET event_count = event_count + 1, sum_minor = sum_minor + excluded.sum_minor, position_sum = position_sum + excluded.position_sum`,
      );
      upserts.set(tx, statement);
    }
    return statement;
  };
  return {
    name,
    handles: ['AmountRecorded'],
    setup(tx) {
      tx.exec(
        `CREATE TABLE IF NOT EXISTS "${table}" (key TEXT PRIMARY KEY, event_count INTEGER NOT NULL, sum_minor INTEGER NOT NULL, position_sum INTEGER NOT NULL) STRICT`,
      );
    },
    reset(tx) {
      clearTables(tx, [table]);
    },
    apply(event: RecordedEvent, tx) {
      const key = event.data['key'];
      const amountMinor = event.data['amountMinor'];
      if (typeof key !== 'string' || typeof amountMinor !== 'string') throw new Error(`event ${event.position} has no key or amount`);
      upsert(tx).run(key, BigInt(amountMinor), event.position);
    },
  };
}

export type KeyTotalsRow = { key: string; event_count: bigint; sum_minor: bigint; position_sum: bigint };

export function readKeyTotals(tx: SqliteReadModelTx, name = 'key-totals'): KeyTotalsRow[] {
  const table = `${name.replace(/[^A-Za-z0-9]/g, '_')}_rows`;
  return tx.prepare(`SELECT key, event_count, sum_minor, position_sum FROM "${table}" ORDER BY key`).all() as KeyTotalsRow[];
}

/**
 * A deterministic log: mostly `AmountRecorded` events over `keyCount` keys, with every seventh event a `Noise`
 * event the projection does not handle. `seed` makes the amounts reproducible without Math.random.
 */
export function amountEvents(count: number, keyCount: number, seed = 1): NewEvent[] {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    // xorshift32: a reproducible sequence, so two runs of a test see the same log.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  return Array.from({ length: count }, (_, index): NewEvent => {
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, index)).toISOString();
    if (index % 7 === 6) return { id: newId(), type: 'Noise', data: { index }, metadata: { at } };
    const key = `key-${next() % keyCount}`;
    const amountMinor = (BigInt(next() % 1_000_000) + 1n).toString();
    return { id: newId(), type: 'AmountRecorded', data: { key, amountMinor }, metadata: { at } };
  });
}
