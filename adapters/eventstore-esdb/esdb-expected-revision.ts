import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type CurrentRevision,
} from '@eventstore/db-client';
import { assertNever } from '../../core/assert';
import { WrongExpectedRevisionError, type ActualRevision, type ExpectedRevision } from '../../core/eventstore/expected-revision';

/**
 * The port's expected revision in the client's terms. The two vocabularies mean the same thing, word for word;
 * a negative revision has no ESDB form and is answered by the caller without asking the server (see append).
 */
export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (typeof expected === 'bigint') return expected;
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return assertNever(expected);
  }
}

/** The server's view of the stream's revision in the port's terms: null when the stream has no event. */
export function toActualRevision(current: CurrentRevision): ActualRevision {
  if (current === NO_STREAM) return null;
  // Older servers report a missing stream as revision -1 in the error's metadata.
  return current < 0n ? null : current;
}

/**
 * The port's typed conflict for the client's. It carries the caller's own expectation (not the client's echo of
 * it, which loses nothing today but is a different type) and the revision the server found.
 */
export function toWrongExpectedRevision(
  stream: string,
  expected: ExpectedRevision,
  error: WrongExpectedVersionError,
): WrongExpectedRevisionError {
  return new WrongExpectedRevisionError(stream, expected, toActualRevision(error.actualVersion));
}

export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return error instanceof WrongExpectedVersionError;
}
