import type Database from 'better-sqlite3';
import type { Projection } from '../../core/eventstore/projection';
import type { SqliteReadModelTx } from './sqlite-read-model-store';
import { BoundedMemory } from '../../core/bounded-memory';

/**
 * Per read-model connection, a counter that the projections of reference data (participants and their secrets,
 * merchants, API keys, rate limits, the switch's signing keys) raise whenever they write: in the transaction that
 * writes, and again once that transaction has ended, committed or rolled back. A cache that saw another value reads
 * afresh, so a record is served from memory only while no projection that writes it has moved since.
 */
const generations = new WeakMap<Database.Database, { value: number }>();

function generationOf(database: Database.Database): { value: number } {
  let generation = generations.get(database);
  if (generation === undefined) {
    generation = { value: 0 };
    generations.set(database, generation);
  }
  return generation;
}

/** Says that reference data on this connection may have changed: every cache over it reads afresh from now on. */
export function referenceDataChanged(database: Database.Database): void {
  generationOf(database).value += 1;
}

/**
 * Runs a read-model transaction; if a projection of reference data wrote in it, the counter moves again once it has
 * ended: a cache filled inside the transaction may hold rows that a rollback took back.
 */
export function settlingReferenceData<Result>(database: Database.Database, transaction: () => Result): Result {
  const generation = generationOf(database);
  const before = generation.value;
  try {
    return transaction();
  } finally {
    if (generation.value !== before) generation.value += 1;
  }
}

/**
 * The projection, raising the connection's counter whenever it writes (every event it applies, a reset, a setup).
 * Each read runs on the event loop between the runner's transactions, so once a batch that changed a merchant (a
 * deactivation, a rotated key) is committed, the next read finds the counter moved and reads the row itself.
 */
export function markingReferenceData(projection: Projection<SqliteReadModelTx>): Projection<SqliteReadModelTx> {
  return {
    ...projection,
    setup(tx) {
      referenceDataChanged(tx);
      projection.setup(tx);
    },
    reset(tx) {
      referenceDataChanged(tx);
      projection.reset(tx);
    },
    apply(event, tx) {
      referenceDataChanged(tx);
      projection.apply(event, tx);
    },
    // A projection that folds batches must move the counter there too, or a batch would bypass the invalidation.
    ...(projection.applyMany === undefined
      ? {}
      : {
          applyMany(events: Parameters<NonNullable<typeof projection.applyMany>>[0], tx: SqliteReadModelTx) {
            referenceDataChanged(tx);
            projection.applyMany?.(events, tx);
          },
        }),
  };
}

/** Records kept per cache at most; a full cache starts again empty (a switch has far fewer merchants or keys). */
export const referenceDataCacheEntriesMax = 10_000;

/**
 * Reference records by key, read through to the read model and kept until the counter moves. Only on the
 * connection the projections write through (the writer's, or a switch's single process): a read-only connection
 * (a front-end worker's) sees another process's commits, which move no counter here, so it always reads afresh.
 */
export class ReferenceDataCache<Value> {
  private readonly entries: BoundedMemory<string, Value>;
  private readonly generation: { value: number } | null;
  private seen = -1;

  constructor(database: Database.Database, entriesMax = referenceDataCacheEntriesMax) {
    this.entries = new BoundedMemory<string, Value>(entriesMax);
    this.generation = database.readonly ? null : generationOf(database);
  }

  get(key: string, load: () => Value): Value {
    if (this.generation === null) return load();
    if (this.generation.value !== this.seen) {
      this.entries.clear();
      this.seen = this.generation.value;
    }
    if (this.entries.has(key)) return this.entries.get(key) as Value;
    const value = load();
    // Shared by every caller from now on: one that changed it would change it for the others.
    if (typeof value === 'object' && value !== null) Object.freeze(value);
    this.entries.remember(key, value);
    return value;
  }
}
