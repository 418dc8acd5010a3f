/**
 * What the main thread and the SQLite append writer thread (sqlite-append-worker.ts) say to each other. Errors do
 * not cross a thread boundary as themselves (structured clone keeps only a plain Error), so a failed append is
 * described here and made again on the main thread as the class callers test for.
 */
import type { DomainErrorCode } from '../../core/error-catalogue';
import { DomainError } from '../../core/errors';
import type { AppendResult, StreamAppend } from '../../core/eventstore/event-store';
import { WrongExpectedRevisionError, type ActualRevision, type ExpectedRevision } from '../../core/eventstore/expected-revision';
import { EventStoreInputError } from '../../core/eventstore/limits';

export type AppendWorkerData = { path: string };

export type AppendRequest = { kind: 'append'; id: number; epoch: number; appends: readonly StreamAppend[] } | { kind: 'close' };

export type AppendReply =
  | { id: number; outcome: 'written'; results: AppendResult[] }
  | { id: number; outcome: 'fenced' }
  | { id: number; outcome: 'failed'; error: DescribedAppendError };

type DescribedAppendError =
  | { kind: 'wrong_expected_revision'; stream: string; expected: ExpectedRevision; actual: ActualRevision }
  | { kind: 'domain'; code: string; message: string }
  | { kind: 'input'; code: string; message: string }
  | { kind: 'other'; message: string };

export function describeAppendError(error: unknown): DescribedAppendError {
  if (error instanceof WrongExpectedRevisionError)
    return { kind: 'wrong_expected_revision', stream: error.stream, expected: error.expected, actual: error.actual };
  if (error instanceof DomainError) return { kind: 'domain', code: error.code, message: error.message };
  if (error instanceof EventStoreInputError) return { kind: 'input', code: error.code, message: error.message };
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
}

export function restoreAppendError(described: DescribedAppendError): Error {
  switch (described.kind) {
    case 'wrong_expected_revision':
      return new WrongExpectedRevisionError(described.stream, described.expected, described.actual);
    case 'domain':
      // The code came from a DomainError of this same program, on the other thread.
      return new DomainError(described.code as DomainErrorCode, described.message);
    case 'input':
      return new EventStoreInputError(described.code, described.message);
    case 'other':
      return new Error(described.message);
    default: {
      const unknownKind: never = described;
      throw new Error(`unknown append error description ${JSON.stringify(unknownKind)}`);
    }
  }
}
