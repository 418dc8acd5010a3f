import type { AppendResult, StreamAppend } from './event-store';

/**
 * Multi-stream appends written one after another by a writer of their own (the SQLite store's: a worker thread
 * holding its own connection), so that the caller goes on deciding while one is made durable. The ledger engine
 * uses it to decide its next batch while the last one is written (`recordsInFlightMax` above 1).
 *
 * Promises:
 * - appends are written in the order of the calls, each all or none like `EventStore.appendMany`, and each promise
 *   resolves only once its append is durable;
 * - once an append fails, every append made after it fails with AppendFencedError without being written, until
 *   `resume()`: nothing decided on top of a failed write can reach the log;
 * - at most `appendsInFlightMax` appends wait at once; one more is refused at once (a defect in the caller).
 */
export interface PipelinedAppender {
  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  /** Accepts appends again after a failure; call it once the caller has rebuilt what it decided from the log. */
  resume(): void;
  /** Finishes the appends already made, then stops the writer. */
  close(): Promise<void>;
}

/** A store that can hand out a pipelined appender; null where it cannot (an in-memory SQLite store). */
export type PipelinedAppenderSource = {
  openPipelinedAppender(appendsInFlightMax: number): PipelinedAppender | null;
};

/** An append refused unwritten because an earlier one failed (see PipelinedAppender). */
export class AppendFencedError extends Error {
  constructor() {
    super('an earlier append failed, so this one, decided after it, was not written');
    this.name = 'AppendFencedError';
  }
}

export function offersPipelinedAppender(store: object): store is PipelinedAppenderSource {
  return typeof (store as Partial<PipelinedAppenderSource>).openPipelinedAppender === 'function';
}
