import type { RecordedEvent } from './event';

/**
 * A projection folds the global log into a read model. It is generic over the read-model store's
 * transaction type so that core holds no SQL: the SQLite read-model adapter supplies `Tx`, and the
 * projections that write SQL live beside it in adapters/readmodel-sqlite/.
 *
 * `apply` is synchronous and runs inside the transaction that also stores the projection's checkpoint,
 * so an event takes effect exactly once even if the process dies at any moment.
 */
export type Projection<Tx> = {
  /** Stable name: the checkpoint key and the argument of `npm run rebuild-projection`. */
  readonly name: string;
  /**
   * The shape of what `apply` writes, from 1. Raise it whenever a change would make rows written before it wrong
   * (a new column, another bucket boundary): at start-up the runner finds the stored version differs and rebuilds
   * the read model from the log, so an upgraded switch never serves a mix of old and new rows. Missing means 1.
   */
  readonly version?: number;
  /** Event types this projection reads; every other event only advances its checkpoint. */
  readonly handles: readonly string[];
  /** Creates the projection's tables when missing. Runs in a transaction at start-up, and again after `reset`. */
  setup(tx: Tx): void;
  /**
   * Removes everything the projection wrote, before a rebuild from position 0 (the runner then calls `setup` and
   * sets the checkpoint back, in the same transaction). For SQLite, `clearTables(tx, [...])` in adapters/readmodel-sqlite.
   */
  reset(tx: Tx): void;
  apply(event: RecordedEvent, tx: Tx): void;
  /**
   * Optional: the handled events of one batch at once, in log order, instead of `apply` on each. It must leave the
   * read model exactly as `apply` on each in turn would (a read model is the log up to its checkpoint, whatever
   * the batches it came in); it exists so that a projection can fold what a batch says about one row (a transfer
   * initiated and committed in one write) into one write of that row, and sum its counters before writing them.
   */
  applyMany?(events: readonly RecordedEvent[], tx: Tx): void;
};

/** Where read models and their checkpoints live; writes to both happen in one `transaction`. */
export interface ReadModelStore<Tx> {
  transaction<Result>(work: (tx: Tx) => Result): Result;
  /** The position of the last event the projection has applied, or START_POSITION when it has applied none. */
  readCheckpoint(tx: Tx, projectionName: string): bigint;
  writeCheckpoint(tx: Tx, projectionName: string, position: bigint): void;
  /** The version of the projection that wrote the read model, or null when it has never run here. */
  readVersion(tx: Tx, projectionName: string): number | null;
  writeVersion(tx: Tx, projectionName: string, version: number): void;
}
