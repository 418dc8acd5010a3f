import type { RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client';
import { z } from 'zod';
import type { EventMetadata, JsonObject, RecordedEvent } from '../../core/eventstore/event';
import type { SubscriptionFilter } from '../../core/eventstore/event-store';
import { EventStoreInputError } from '../../core/eventstore/limits';
import { EsdbAdapterError } from './esdb-errors';
import { toStorePosition } from './esdb-position';

/** Most prefixes one filter may name: each is matched against every event of the log. */
export const streamPrefixesMax = 100;

/**
 * What Hisaab wrote as metadata (core's EventMetadata). Keys it does not know are kept, as the SQLite adapter
 * keeps them, so a reader sees exactly what the writer stored.
 */
const metadataSchema = z.looseObject({
  at: z.string(),
  correlationId: z.string().optional(),
  causationId: z.string().optional(),
  actor: z.string().optional(),
});

/**
 * System streams (`$stats-…`, `$ce-…`, `$$metadata`, the links of the system projections) and system event
 * types (`$>`, `$metadata`, …) belong to the database, not to Hisaab: readAll and subscribeAll never deliver them.
 */
export function isSystemEvent(event: Pick<EsdbRecordedEvent, 'streamId' | 'type'>): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

/** A predicate over stream names: true for every name when the filter names no prefix (or an empty one). */
export function streamMatcher(filter: SubscriptionFilter | undefined): (stream: string) => boolean {
  const prefixes = checkStreamPrefixes(filter);
  if (prefixes === null) return () => true;
  return (stream) => prefixes.some((prefix) => stream.startsWith(prefix));
}

/**
 * The filter's prefixes, or null for "every stream" (no prefixes, or one that is empty and so matches all).
 * A `$` prefix is allowed and matches nothing deliverable, as on SQLite, where no such stream exists.
 */
export function checkStreamPrefixes(filter: SubscriptionFilter | undefined): readonly string[] | null {
  const prefixes = filter?.streamPrefixes;
  if (prefixes === undefined || prefixes.length === 0) return null;
  if (prefixes.length > streamPrefixesMax) {
    throw new EventStoreInputError('INVALID_FILTER', `a filter names at most ${streamPrefixesMax} stream prefixes, got ${prefixes.length}`);
  }
  if (prefixes.some((prefix) => prefix.length === 0)) return null;
  return prefixes;
}

/**
 * The port's event for an ESDB record. `positionHint` stands in when the record carries no position (stream
 * reads on servers before 22.6); without either, the read cannot honour the port and says so.
 */
export function toRecordedEvent(event: EsdbRecordedEvent, positionHint?: bigint): RecordedEvent {
  const position = toStorePosition(event.position) ?? positionHint ?? null;
  if (position === null) {
    throw new EsdbAdapterError(
      'ESDB_POSITION_UNAVAILABLE',
      `EventStoreDB sent event ${event.revision} of ${event.streamId} without its log position; Hisaab needs EventStoreDB or KurrentDB 22.10 or later`,
    );
  }
  const bytes = binaryData(event);
  return {
    id: event.id,
    type: event.type,
    data: bytes === null ? toData(event) : {},
    metadata: toMetadata(event),
    stream: event.streamId,
    revision: event.revision,
    position,
    ...(bytes === null ? {} : { bytes }),
  };
}

/** A binary event's payload (Hisaab writes the ledger's batch records so, see NewEvent.bytes), or null for JSON. */
function binaryData(event: EsdbRecordedEvent): Uint8Array | null {
  if (event.isJson || !(event.data instanceof Uint8Array)) return null;
  if (event.data.byteLength === 0) throw notHisaabEvent(event, 'it is a binary event without bytes');
  return event.data;
}

function toData(event: EsdbRecordedEvent): JsonObject {
  // The client parses JSON events; data that is not a JSON object was not written by Hisaab.
  if (!event.isJson || !isJsonObject(event.data)) throw notHisaabEvent(event, 'its data is not a JSON object');
  return event.data;
}

function toMetadata(event: EsdbRecordedEvent): EventMetadata {
  const parsed = metadataSchema.safeParse(event.metadata);
  if (!parsed.success) throw notHisaabEvent(event, 'its metadata is not a JSON object with the time it was decided ("at")');
  return parsed.data;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function notHisaabEvent(event: EsdbRecordedEvent, reason: string): EsdbAdapterError {
  return new EsdbAdapterError(
    'ESDB_NOT_A_HISAAB_EVENT',
    `event ${event.revision} of stream ${event.streamId} cannot be read: ${reason}; ` +
      "if another application shares this EventStoreDB, filter on Hisaab's stream prefixes",
  );
}
