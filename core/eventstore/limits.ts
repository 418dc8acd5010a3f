import type { NewEvent } from './event';

/** Limits every event store adapter enforces before it writes anything. */
export const eventStoreLimits = {
  /** Serialized data plus metadata of one event. */
  eventBytesMax: 1024 * 1024,
  eventsPerAppendMax: 10_000,
  /** Streams one appendMany writes: a ledger tick with one companion stream per command, and then some. */
  streamsPerAppendMax: 16_384,
  streamNameLengthMax: 200,
  /** Stream names one existingStreams call looks up. */
  streamsPerLookupMax: 16_384,
  eventTypeLengthMax: 100,
  /** The most events one read returns; callers page for more. */
  readLimitMax: 10_000,
} as const;

export class EventStoreInputError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'EventStoreInputError';
    this.code = code;
  }
}

/**
 * A serialized event, checked against the limits: adapters write exactly these strings, and `bytes` for a binary
 * event (whose `data` is then "{}").
 */
export type SerializedEvent = { id: string; type: string; data: string; metadata: string; bytes: Uint8Array | null };

/** Checks an append and serializes its events; throws EventStoreInputError and writes nothing on bad input. */
export function serializeAppend(stream: string, events: readonly NewEvent[]): SerializedEvent[] {
  checkStreamName(stream);
  if (events.length === 0) throw new EventStoreInputError('EMPTY_APPEND', 'an append needs at least one event');
  if (events.length > eventStoreLimits.eventsPerAppendMax) {
    throw new EventStoreInputError(
      'BATCH_TOO_LARGE',
      `an append takes at most ${eventStoreLimits.eventsPerAppendMax} events, got ${events.length}`,
    );
  }
  return events.map((event, index) => serializeEvent(event, index));
}

export function checkStreamName(stream: string): void {
  if (typeof stream !== 'string' || stream.length === 0)
    throw new EventStoreInputError('INVALID_STREAM', 'the stream name must not be empty');
  if (stream.length > eventStoreLimits.streamNameLengthMax) {
    throw new EventStoreInputError('INVALID_STREAM', `a stream name has at most ${eventStoreLimits.streamNameLengthMax} characters`);
  }
  if (stream.startsWith('$')) throw new EventStoreInputError('INVALID_STREAM', 'stream names starting with $ are reserved for the store');
}

/** Checks the names of an existingStreams call before anything is read. */
export function checkStreamLookup(streams: readonly string[]): void {
  if (streams.length > eventStoreLimits.streamsPerLookupMax) {
    throw new EventStoreInputError('BATCH_TOO_LARGE', `a lookup takes at most ${eventStoreLimits.streamsPerLookupMax} stream names`);
  }
  for (const stream of streams) checkStreamName(stream);
}

export function checkReadLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > eventStoreLimits.readLimitMax) {
    throw new EventStoreInputError('INVALID_LIMIT', `a read limit is a whole number from 1 to ${eventStoreLimits.readLimitMax}`);
  }
}

function serializeEvent(event: NewEvent, index: number): SerializedEvent {
  if (typeof event.id !== 'string' || event.id.length === 0) throw new EventStoreInputError('INVALID_EVENT', `event ${index} has no id`);
  if (typeof event.type !== 'string' || event.type.length === 0 || event.type.length > eventStoreLimits.eventTypeLengthMax) {
    throw new EventStoreInputError(
      'INVALID_EVENT',
      `event ${index} needs a type of 1 to ${eventStoreLimits.eventTypeLengthMax} characters`,
    );
  }
  if (event.data === null || typeof event.data !== 'object' || Array.isArray(event.data)) {
    throw new EventStoreInputError('INVALID_EVENT', `event ${index} data must be a JSON object`);
  }
  if (!event.metadata || typeof event.metadata.at !== 'string') {
    throw new EventStoreInputError('INVALID_EVENT', `event ${index} metadata must carry the time it was decided ("at")`);
  }
  const bytes = binaryPayload(event, index);
  const data = bytes === null ? JSON.stringify(event.data) : '{}';
  const metadata = JSON.stringify(event.metadata);
  // Byte length, not string length: the limit protects the disk and the wire, which see UTF-8. A UTF-16 code
  // unit is at most 3 UTF-8 bytes, so most events are shown to be within the limit without counting.
  const payloadBytes = bytes === null ? 0 : bytes.byteLength;
  const bytesAtMost = payloadBytes + (data.length + metadata.length) * 3;
  const size =
    bytesAtMost <= eventStoreLimits.eventBytesMax
      ? bytesAtMost
      : payloadBytes + Buffer.byteLength(data, 'utf8') + Buffer.byteLength(metadata, 'utf8');
  if (size > eventStoreLimits.eventBytesMax) {
    throw new EventStoreInputError('EVENT_TOO_LARGE', `event ${index} is ${size} bytes; the limit is ${eventStoreLimits.eventBytesMax}`);
  }
  return { id: event.id, type: event.type, data, metadata, bytes };
}

/** The payload of a binary event, or null for a JSON one; a binary event's data must be empty. */
function binaryPayload(event: NewEvent, index: number): Uint8Array | null {
  if (event.bytes === undefined) return null;
  if (!(event.bytes instanceof Uint8Array) || event.bytes.byteLength === 0)
    throw new EventStoreInputError('INVALID_EVENT', `event ${index} bytes must be a non-empty Uint8Array`);
  if (Object.keys(event.data).length > 0)
    throw new EventStoreInputError('INVALID_EVENT', `event ${index} carries bytes, so its data must be empty ({})`);
  return event.bytes;
}

/** Checks the shape of an appendMany before anything is written (each entry is checked as an append as well). */
export function checkAppendMany(count: number): void {
  if (count > eventStoreLimits.streamsPerAppendMax) {
    throw new EventStoreInputError(
      'BATCH_TOO_LARGE',
      `an appendMany writes at most ${eventStoreLimits.streamsPerAppendMax} streams, got ${count}`,
    );
  }
}
