/**
 * What a writer expects of a stream before it appends:
 * - `no_stream`: the stream must not exist yet;
 * - `stream_exists`: the stream must have at least one event;
 * - `any`: no expectation;
 * - a bigint: the revision of the stream's last event must be exactly this.
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | bigint;

/** The stream's current state for that check: null when the stream has no event. */
export type ActualRevision = bigint | null;

export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION';
  readonly stream: string;
  readonly expected: ExpectedRevision;
  readonly actual: ActualRevision;

  constructor(stream: string, expected: ExpectedRevision, actual: ActualRevision) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${actual === null ? 'no_stream' : actual.toString()}`);
    this.name = 'WrongExpectedRevisionError';
    this.stream = stream;
    this.expected = expected;
    this.actual = actual;
  }
}

export function revisionMatches(expected: ExpectedRevision, actual: ActualRevision): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === null;
  if (expected === 'stream_exists') return actual !== null;
  return actual === expected;
}
