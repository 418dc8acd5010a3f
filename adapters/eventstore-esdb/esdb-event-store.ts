import {
  BACKWARDS,
  binaryEvent,
  END,
  FORWARDS,
  jsonEvent,
  MaxAppendSizeExceededError,
  StreamNotFoundError,
  type AllStreamResolvedEvent,
  type EventStoreDBClient,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { assert } from '../../core/assert';
import type { JsonObject, NewEvent, RecordedEvent } from '../../core/eventstore/event';
import type {
  AppendResult,
  EventStore,
  SubscribeOptions,
  Subscription,
  SubscriptionFilter,
  SubscriptionHandler,
  StreamAppend,
} from '../../core/eventstore/event-store';
import { START_POSITION } from '../../core/eventstore/event-store';
import { WrongExpectedRevisionError, type ExpectedRevision } from '../../core/eventstore/expected-revision';
import {
  checkAppendMany,
  checkReadLimit,
  checkStreamLookup,
  checkStreamName,
  EventStoreInputError,
  serializeAppend,
  type SerializedEvent,
} from '../../core/eventstore/limits';
import { isUuid } from '../../core/ids';
import { consumeRead } from './esdb-bounded-read';
import { createEsdbClient, redactConnectionString } from './esdb-connection-string';
import { EsdbAdapterError } from './esdb-errors';
import { isWrongExpectedVersion, toEsdbExpectedRevision, toWrongExpectedRevision } from './esdb-expected-revision';
import { isAfter, toReadPosition, toStorePosition } from './esdb-position';
import { isSystemEvent, streamMatcher, toRecordedEvent } from './esdb-recorded-event';
import { esdbSubscription } from './esdb-subscription';
import { OpenSubscriptions } from '../../core/eventstore/subscription-handle';

export type EsdbEventStoreOptions = {
  /**
   * The cluster's MaxAppendSize (EventStoreDB's default: 1 MiB), counted as the server counts it: data plus
   * metadata bytes plus two bytes per character of the event type. Larger appends are refused before sending.
   */
  appendBytesMax?: number;
  /** Deadline of one read (readStream, streamRevision, readAll, headPosition). The client sets none. */
  readTimeoutMs?: number;
  /**
   * Records one readAll walks through (system records, streams outside the filter) to gather `limit` events.
   * The client cannot filter $all reads on the server, so a sparse filter is a scan; subscribeAll filters on the
   * server and is what projections use.
   */
  readAllScanRecordsMax?: number;
  /** Records headPosition walks back past (system records: stats, projection links) to find the last event. */
  headScanRecordsMax?: number;
};

export const esdbEventStoreDefaults = {
  appendBytesMax: 1024 * 1024,
  readTimeoutMs: 30_000,
  readAllScanRecordsMax: 100_000,
  headScanRecordsMax: 100_000,
} as const;

/** Events a read buffers ahead of the code consuming it. */
const readBufferEventsMax = 256;

/** Stream reads existingStreams has in flight at once: enough to hide the round trips, few enough for the server. */
const existingStreamsReadsAtOnce = 64;

const metadataEncoder = new TextEncoder();

/** Largest stream revision the server can hold: signed 64-bit. */
const revisionMax = (1n << 63n) - 1n;

/**
 * The event store port on EventStoreDB / KurrentDB, through @eventstore/db-client over gRPC. Built from a
 * connection string (`esdb://host1:2113,host2:2113,host3:2113?tls=true`); a cluster is one string naming its
 * nodes. The cluster gives durability and ordering: an append is acknowledged once a quorum has it on disk, the
 * server checks the expected revision atomically, and $all is the one global order. See esdb-position.ts for how
 * ESDB positions become the port's bigint.
 *
 * Where it differs from the SQLite adapter, because the server does:
 * - event ids must be UUIDs, and an append must fit the cluster's MaxAppendSize (both refused before sending);
 * - the server is idempotent on event ids: re-sending an append whose events are already stored at the
 *   expected revision succeeds without writing them twice (a retry after a lost answer is safe);
 * - readAll filters on the client (the client library offers no filtered $all read), bounded by
 *   readAllScanRecordsMax; subscribeAll filters on the server.
 */
export class EsdbEventStore implements EventStore {
  /** The connection string without its password, for logs. */
  readonly url: string;
  private readonly client: EventStoreDBClient;
  private readonly limits: Required<EsdbEventStoreOptions>;
  private readonly subscriptions = new OpenSubscriptions();
  private closed = false;
  /** EventStoreDB writes one stream per append: appendMany is a sequence of them, not one transaction. */
  readonly multiStreamAtomic = false;

  constructor(connectionString: string, options: EsdbEventStoreOptions = {}) {
    this.limits = { ...esdbEventStoreDefaults, ...options };
    for (const [name, value] of Object.entries(this.limits)) {
      assert(Number.isSafeInteger(value) && value > 0, `EsdbEventStore option ${name} is a positive whole number`);
    }
    this.client = createEsdbClient(connectionString);
    this.url = redactConnectionString(connectionString.trim());
  }

  async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    const serialized = serializeAppend(stream, events);
    this.checkForEsdb(serialized);
    // No stream is at a negative revision; answered here because ESDB's revisions are unsigned on the wire.
    if (typeof expectedRevision === 'bigint' && expectedRevision < 0n) {
      throw new WrongExpectedRevisionError(stream, expectedRevision, await this.streamRevision(stream));
    }
    const proposed = serialized.map((row) =>
      // A binary event (the ledger's batch record) goes as EventStoreDB's non-JSON event, its bytes as they are.
      row.bytes !== null
        ? binaryEvent({ id: row.id, type: row.type, data: row.bytes, metadata: metadataEncoder.encode(row.metadata) })
        : jsonEvent({
            id: row.id,
            type: row.type,
            // The exact strings checked against the limits: data is re-read from them (the client stringifies it back
            // to the same text, and a caller changing its objects during the call cannot change what is written),
            // metadata goes as their bytes.
            data: JSON.parse(row.data) as JsonObject,
            metadata: metadataEncoder.encode(row.metadata),
          }),
    );
    let result;
    try {
      result = await this.client.appendToStream(stream, proposed, { expectedRevision: toEsdbExpectedRevision(expectedRevision) });
    } catch (error) {
      if (isWrongExpectedVersion(error)) throw toWrongExpectedRevision(stream, expectedRevision, error);
      if (error instanceof MaxAppendSizeExceededError) {
        throw new EventStoreInputError(
          'APPEND_TOO_LARGE',
          `the append is larger than this cluster's MaxAppendSize of ${error.maxAppendSize} bytes`,
        );
      }
      throw error;
    }
    // The connection string may not turn throwOnAppendFailure off (see esdb-connection-string.ts).
    assert(result.success, 'a failed append is raised by the client, never returned');
    const position = toStorePosition(result.position) ?? (await this.positionOfRevision(stream, result.nextExpectedRevision));
    return { nextExpectedRevision: result.nextExpectedRevision, position };
  }

  /**
   * One append per entry, in the order given, each waiting for the one before: a failure stops the sequence, and
   * the entries before it stay durable. There is no multi-stream transaction in EventStoreDB, so the callers order
   * the entries so that every prefix is a state their recovery finishes (see the README, "Durable writes").
   */
  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    checkAppendMany(appends.length);
    // Bad input anywhere is refused before the first stream is written.
    for (const entry of appends) this.checkForEsdb(serializeAppend(entry.stream, entry.events));
    const results: AppendResult[] = [];
    for (const entry of appends) results.push(await this.append(entry.stream, entry.events, entry.expectedRevision));
    return results;
  }

  async readStream(stream: string, fromRevision: bigint, limit: number): Promise<RecordedEvent[]> {
    this.assertOpen();
    checkStreamName(stream);
    checkReadLimit(limit);
    const events: RecordedEvent[] = [];
    // Revisions are signed 64-bit on the server: nothing lies beyond, as on SQLite.
    if (fromRevision > revisionMax) return events;
    await this.readOneStream(stream, fromRevision < 0n ? 0n : fromRevision, limit, FORWARDS, (resolved) => {
      if (resolved.event !== undefined) events.push(toRecordedEvent(resolved.event));
    });
    return events;
  }

  async streamRevision(stream: string): Promise<bigint | null> {
    this.assertOpen();
    checkStreamName(stream);
    const found: { revision: bigint | null } = { revision: null };
    await this.readOneStream(stream, END, 1, BACKWARDS, (resolved) => {
      if (resolved.event !== undefined) found.revision = resolved.event.revision;
    });
    return found.revision;
  }

  /** EventStoreDB has no lookup of many streams: one backward read of one event per stream, a bounded number at once. */
  async existingStreams(streams: readonly string[]): Promise<Set<string>> {
    this.assertOpen();
    checkStreamLookup(streams);
    const existing = new Set<string>();
    for (let start = 0; start < streams.length; start += existingStreamsReadsAtOnce) {
      const slice = streams.slice(start, start + existingStreamsReadsAtOnce);
      const revisions = await Promise.all(slice.map((stream) => this.streamRevision(stream)));
      slice.forEach((stream, index) => {
        if (revisions[index] !== null) existing.add(stream);
      });
    }
    return existing;
  }

  async readAll(afterPosition: bigint, limit: number, filter?: SubscriptionFilter): Promise<RecordedEvent[]> {
    this.assertOpen();
    checkReadLimit(limit);
    const matches = streamMatcher(filter);
    const events: RecordedEvent[] = [];
    let scanned = 0;
    const read = this.client.readAll(
      // One more than the bound: the read starts AT afterPosition, whose event is skipped (see esdb-position.ts).
      {
        fromPosition: toReadPosition(afterPosition),
        maxCount: this.limits.readAllScanRecordsMax + 1,
        direction: FORWARDS,
        resolveLinkTos: false,
      },
      { highWaterMark: readBufferEventsMax },
    );
    await consumeRead(
      read,
      (resolved: AllStreamResolvedEvent) => {
        scanned += 1;
        const recorded = resolved.event;
        if (
          recorded === undefined ||
          !isAfter(recorded.position, afterPosition) ||
          isSystemEvent(recorded) ||
          !matches(recorded.streamId)
        ) {
          return 'more';
        }
        events.push(toRecordedEvent(recorded));
        return events.length >= limit ? 'enough' : 'more';
      },
      { timeoutMs: this.limits.readTimeoutMs, what: 'reading $all' },
    );
    // Fewer than `limit` events after a full scan is still progress, and the caller reads on from the last one;
    // nothing at all would look like "caught up" while the log goes on, so that is an error instead.
    if (events.length === 0 && scanned > this.limits.readAllScanRecordsMax) {
      throw new EsdbAdapterError(
        'ESDB_SCAN_LIMIT',
        `no event matched in ${this.limits.readAllScanRecordsMax} records of $all after position ${afterPosition}; ` +
          'subscribeAll filters on the server and suits sparse filters',
      );
    }
    return events;
  }

  subscribeAll(afterPosition: bigint, handler: SubscriptionHandler, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription = esdbSubscription({ client: this.client, afterPosition, handler, options });
    return this.subscriptions.track(subscription);
  }

  /**
   * The position of the last event readAll and subscribeAll would deliver. The very last record of $all is
   * usually not one: the system projections write a link to $ce-… and $et-… right after each event, and the
   * server writes $stats-… records. So the scan walks back past system records to the last user event.
   */
  async headPosition(): Promise<bigint> {
    this.assertOpen();
    const found: { position: bigint | null } = { position: null };
    let scanned = 0;
    const read = this.client.readAll(
      { fromPosition: END, maxCount: this.limits.headScanRecordsMax, direction: BACKWARDS, resolveLinkTos: false },
      { highWaterMark: readBufferEventsMax },
    );
    const exhausted = await consumeRead(
      read,
      (resolved: AllStreamResolvedEvent) => {
        scanned += 1;
        const recorded = resolved.event;
        if (recorded === undefined || isSystemEvent(recorded)) return 'more';
        const position = toStorePosition(recorded.position);
        assert(position !== null, 'every record of $all carries its position');
        found.position = position;
        return 'enough';
      },
      { timeoutMs: this.limits.readTimeoutMs, what: 'reading the end of $all' },
    );
    if (found.position !== null) return found.position;
    if (exhausted && scanned < this.limits.headScanRecordsMax) return START_POSITION;
    // Returning a system record's position would leave waiters waiting for an event that is never delivered.
    throw new EsdbAdapterError('ESDB_SCAN_LIMIT', `the last ${this.limits.headScanRecordsMax} records of $all are all system records`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.subscriptions.closeAll();
    await this.client.dispose();
  }

  /** What ESDB needs beyond the common limits: uuid ids, and an append within the cluster's MaxAppendSize. */
  private checkForEsdb(serialized: readonly SerializedEvent[]): void {
    let bytes = 0;
    serialized.forEach((event, index) => {
      if (!isUuid(event.id))
        throw new EventStoreInputError('INVALID_EVENT', `event ${index} id must be a UUID: EventStoreDB stores event ids as UUIDs`);
      bytes +=
        Buffer.byteLength(event.data, 'utf8') +
        (event.bytes === null ? 0 : event.bytes.byteLength) +
        Buffer.byteLength(event.metadata, 'utf8') +
        event.type.length * 2;
    });
    if (bytes > this.limits.appendBytesMax) {
      throw new EventStoreInputError(
        'APPEND_TOO_LARGE',
        `the append is ${bytes} bytes as EventStoreDB counts them; the limit is ${this.limits.appendBytesMax} (the cluster's MaxAppendSize)`,
      );
    }
  }

  /** Reads one stream under the read deadline; a stream that does not exist reads as empty. */
  private async readOneStream(
    stream: string,
    fromRevision: bigint | typeof END,
    maxCount: number,
    direction: typeof FORWARDS | typeof BACKWARDS,
    visit: (resolved: ResolvedEvent) => void,
  ): Promise<void> {
    const read = this.client.readStream(
      stream,
      { fromRevision, maxCount, direction, resolveLinkTos: false },
      { highWaterMark: readBufferEventsMax },
    );
    try {
      await consumeRead(
        read,
        (resolved: ResolvedEvent) => {
          visit(resolved);
          return 'more';
        },
        { timeoutMs: this.limits.readTimeoutMs, what: `reading stream ${stream}` },
      );
    } catch (error) {
      if (error instanceof StreamNotFoundError) return;
      throw error;
    }
  }

  /** The log position of one event, for servers whose append result carries none. */
  private async positionOfRevision(stream: string, revision: bigint): Promise<bigint> {
    const found: { position: bigint | null } = { position: null };
    await this.readOneStream(stream, revision, 1, FORWARDS, (resolved) => {
      if (resolved.event !== undefined) found.position = toStorePosition(resolved.event.position);
    });
    if (found.position === null) {
      throw new EsdbAdapterError(
        'ESDB_POSITION_UNAVAILABLE',
        `EventStoreDB reported no position for revision ${revision} of ${stream} it just appended`,
      );
    }
    return found.position;
  }

  private assertOpen(): void {
    if (this.closed) throw new EsdbAdapterError('ESDB_CLOSED', 'the event store is closed');
  }
}
