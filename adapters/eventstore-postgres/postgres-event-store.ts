import type pg from 'pg';
import type { JsonObject, NewEvent, RecordedEvent } from '../../core/eventstore/event';
import type {
  AppendResult,
  EventStore,
  StreamAppend,
  SubscribeOptions,
  Subscription,
  SubscriptionFilter,
  SubscriptionHandler,
} from '../../core/eventstore/event-store';
import { START_POSITION } from '../../core/eventstore/event-store';
import { revisionMatches, WrongExpectedRevisionError, type ExpectedRevision } from '../../core/eventstore/expected-revision';
import {
  checkAppendMany,
  checkReadLimit,
  checkStreamLookup,
  checkStreamName,
  EventStoreInputError,
  serializeAppend,
  type SerializedEvent,
} from '../../core/eventstore/limits';
import { OpenSubscriptions } from '../../core/eventstore/subscription-handle';
import { DomainError } from '../../core/errors';
import { createConnector, type Connector } from './postgres-connection';
import { parsePostgresUrl, redactPostgresUrl } from './postgres-connection-string';
import { isConnectionFailure, notWriter, PostgresAdapterError, storeUnavailable } from './postgres-errors';
import { migrateSchema } from './postgres-schema';
import { pollingSubscription } from '../polling-subscription';
import { postgresRetryPauseMs } from './postgres-subscription';

/** What the store tells its operator: pino's (object, message) shape, so the switch passes its logger. */
export type StoreLog = {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
};

export type PostgresEventStoreOptions = {
  /** How often a subscription looks for events appended by another process; appends here wake it at once. */
  pollIntervalMs?: number;
  /** Connections for reads and subscriptions (the writer has its own). */
  readConnections?: number;
  /** A statement that takes longer fails as STORE_UNAVAILABLE (a paused or cut-off server never hangs a request). */
  queryTimeoutMs?: number;
  log?: StoreLog;
  /** Names this process in the lease row (host and pid by default): who the writer is, for the operator. */
  writerName?: string;
};

/** The events one append transaction inserts, column by column (data as the JSON text stored). */
export type AppendedEvents = { readonly stream: readonly string[]; readonly type: readonly string[]; readonly data: readonly string[] };

/**
 * A table beside the log that is written in the same transaction as the events (the data subjects' keys): run
 * after the events are inserted and before the commit, under the same writer-epoch check, so what it writes is
 * durable exactly when the events are, and a fenced writer writes it nowhere. It returns what to do once the
 * transaction has committed (null: nothing); a transaction that fails runs nothing, so its work is tried again
 * with the next one.
 */
export type AppendCompanion = (client: pg.Client, appended: AppendedEvents) => Promise<(() => void) | null>;

/** This process's part in the store: appends only as the writer; a standby waits for the lease; fenced is final. */
export type WriterRole = 'standby' | 'writer' | 'fenced';

type Part = { stream: string; rows: SerializedEvent[]; expected: ExpectedRevision };
type PendingEntry = { parts: Part[]; resolve: (results: AppendResult[]) => void; reject: (error: unknown) => void };
type EventRow = {
  position: string;
  stream: string;
  revision: string;
  id: string;
  type: string;
  data: string;
  metadata: string;
  body: Buffer | null;
};

/** Events one group commit writes at most; a single larger append goes alone. */
const groupEventsMax = 20_000;
/** Appends waiting for a commit at most: beyond this the store sheds load instead of queueing without end. */
const pendingEntriesMax = 100_000;
/** Prefixes one filtered read takes at most (the EventStoreDB adapter's limit too). */
const streamPrefixesMax = 100;
/** Pause before the writer connection is tried again after a failure, doubling up to the maximum. */
const reconnectPauseMsFirst = 100;
const reconnectPauseMsMax = 500;
/**
 * The session-level advisory lock that is the writer lease: PostgreSQL releases it the moment the holder's session
 * ends (process killed, connection terminated), which is what lets a standby take over within seconds.
 */
const writerLeaseKey = 0x4869_7361_6162_02n;

const selectColumns = 'position, stream, revision, id, type, data, metadata, body';

/**
 * The PostgreSQL event store. Positions are assigned in commit order: every append transaction first locks the
 * one row of `hisaab_log` (SELECT … FOR UPDATE), takes the next positions from its head, and writes the new head
 * before it commits, so the next transaction gets its positions only after this one is visible. A reader therefore
 * never sees position N+1 before N (no gap that fills later), and a rolled-back append leaves no gap at all.
 *
 * One writer: appends go through one connection that holds the writer lease (an advisory lock), and every append
 * transaction checks the writer epoch in that same locked row. A standby that takes over raises the epoch under the
 * row lock, so an old writer that comes back (paused, cut off) finds a newer epoch in its next transaction and
 * appends nothing: it is fenced, says so in its log, and answers NOT_WRITER from then on.
 *
 * Appends arriving together share one transaction (group commit); each keeps its own expected-revision check.
 */
export class PostgresEventStore implements EventStore {
  /** The connection string with its password replaced by ***. */
  readonly url: string;
  /** appendMany is one transaction: all or none. */
  readonly multiStreamAtomic = true;
  private readonly connector: Connector;
  private readonly pollIntervalMs: number;
  private readonly log: StoreLog | undefined;
  private readonly writerName: string;
  private readonly readers: (Promise<pg.Client> | null)[];
  private readonly readerTurns: Promise<void>[] = [];
  private nextReader = 0;
  private writer: pg.Client | null = null;
  private epoch: bigint | null = null;
  private currentRole: WriterRole = 'standby';
  private reconnectNotBeforeMs = 0;
  private reconnectFailuresInRow = 0;
  private readonly pending: PendingEntry[] = [];
  private flushing: Promise<void> | null = null;
  private readonly appendListeners = new Set<() => void>();
  private readonly subscriptions = new OpenSubscriptions();
  private readonly roleListeners = new Set<(role: WriterRole) => void>();
  private readonly companions = new Set<AppendCompanion>();
  private closed = false;

  /** Checks the connection string (throws INVALID_EVENTSTORE_URL without the password); connects nothing yet. */
  constructor(url: string, options: PostgresEventStoreOptions = {}) {
    const settings = parsePostgresUrl(url);
    this.url = redactPostgresUrl(url);
    this.connector = createConnector(settings, options.queryTimeoutMs);
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.log = options.log;
    this.writerName = options.writerName ?? `pid ${process.pid}`;
    const readConnections = options.readConnections ?? 2;
    if (!Number.isInteger(readConnections) || readConnections < 1 || readConnections > 32) {
      throw new PostgresAdapterError('INVALID_EVENTSTORE_URL', 'readConnections is a whole number from 1 to 32');
    }
    this.readers = Array.from({ length: readConnections }, () => null);
  }

  /** The hosts this store connects to, as logs show them. */
  get hosts(): string {
    return this.connector.hosts;
  }

  get role(): WriterRole {
    return this.currentRole;
  }

  /** Called on every change of role (writer, fenced); returns the function that stops the calls. */
  onRoleChange(listener: (role: WriterRole) => void): () => void {
    this.roleListeners.add(listener);
    return () => this.roleListeners.delete(listener);
  }

  /** Writes `companion` in every append transaction from now on. */
  addAppendCompanion(companion: AppendCompanion): void {
    this.companions.add(companion);
  }

  /** Connects and brings the schema up to date (refusing a newer one). */
  async migrate(): Promise<{ from: number; to: number }> {
    this.assertOpen();
    return this.withReader((client) => migrateSchema(client));
  }

  /**
   * One attempt to become the writer: take the lease if no one holds it, and raise the epoch. Resolves true when
   * this process is now the writer, false when another process holds the lease.
   */
  async tryBecomeWriter(): Promise<boolean> {
    this.assertOpen();
    if (this.currentRole === 'writer') return true;
    if (this.currentRole === 'fenced') return false;
    const client = await this.connector.connectWritable();
    try {
      const locked = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [writerLeaseKey.toString()]);
      if (locked.rows[0]?.locked !== true) {
        await client.end().catch(() => undefined);
        return false;
      }
      // The epoch rises under the log row's lock: any append of an earlier writer either committed before this
      // (and is in the log this process replays) or will find the new epoch and write nothing.
      const raised = await client.query<{ writer_epoch: string }>(
        'UPDATE hisaab_log SET writer_epoch = writer_epoch + 1, writer_name = $1, writer_since = now() WHERE id = 1 RETURNING writer_epoch',
        [this.writerName],
      );
      const epoch = raised.rows[0]?.writer_epoch;
      if (epoch === undefined) throw new Error('the hisaab_log row is missing: the schema was not migrated');
      this.adoptWriter(client);
      this.epoch = BigInt(epoch);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.setRole('writer');
    this.log?.info({ epoch: this.epoch.toString(), hosts: this.hosts }, 'writer lease taken: this process appends to the event store');
    return true;
  }

  /**
   * Waits until this process holds the writer lease, trying every `intervalMs` (a lost connection counts as "not
   * yet"). `stop` ends the wait early (resolves false).
   */
  async becomeWriter(intervalMs = 1_000, stop: { stopped: boolean } = { stopped: false }): Promise<boolean> {
    while (!this.closed && !stop.stopped) {
      try {
        if (await this.tryBecomeWriter()) return true;
      } catch (error) {
        if (!isConnectionFailure(error)) throw error;
      }
      if (this.currentRole === 'fenced') return false;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    return false;
  }

  async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    const rows = serializeAppend(stream, events);
    const results = await this.enqueue([{ stream, rows, expected: expectedRevision }]);
    return results[0] as AppendResult;
  }

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    checkAppendMany(appends.length);
    const parts = appends.map((entry) => ({
      stream: entry.stream,
      rows: serializeAppend(entry.stream, entry.events),
      expected: entry.expectedRevision,
    }));
    if (parts.length === 0) return [];
    return this.enqueue(parts);
  }

  async readStream(stream: string, fromRevision: bigint, limit: number): Promise<RecordedEvent[]> {
    this.assertOpen();
    checkStreamName(stream);
    checkReadLimit(limit);
    const answer = await this.read<EventRow>(
      `SELECT ${selectColumns} FROM hisaab_events WHERE stream = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
      [stream, (fromRevision < 0n ? 0n : fromRevision).toString(), limit],
    );
    return answer.map(toRecordedEvent);
  }

  async streamRevision(stream: string): Promise<bigint | null> {
    this.assertOpen();
    checkStreamName(stream);
    const answer = await this.read<{ revision: string | null }>('SELECT max(revision) AS revision FROM hisaab_events WHERE stream = $1', [
      stream,
    ]);
    const revision = answer[0]?.revision ?? null;
    return revision === null ? null : BigInt(revision);
  }

  async existingStreams(streams: readonly string[]): Promise<Set<string>> {
    this.assertOpen();
    checkStreamLookup(streams);
    if (streams.length === 0) return new Set();
    const answer = await this.read<{ stream: string }>('SELECT stream FROM hisaab_events WHERE revision = 0 AND stream = ANY($1::text[])', [
      [...streams],
    ]);
    return new Set(answer.map((row) => row.stream));
  }

  async readAll(afterPosition: bigint, limit: number, filter?: SubscriptionFilter): Promise<RecordedEvent[]> {
    this.assertOpen();
    checkReadLimit(limit);
    checkFilter(filter);
    return this.readAllUnchecked(afterPosition, limit, filter);
  }

  subscribeAll(afterPosition: bigint, handler: SubscriptionHandler, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    checkFilter(options.filter);
    const subscription = pollingSubscription({
      retryPauseMs: postgresRetryPauseMs,
      afterPosition,
      handler,
      options,
      pollIntervalMs: this.pollIntervalMs,
      readPage: (after, limit) => this.readAllUnchecked(after, limit, options.filter),
      listen: (wake) => {
        this.appendListeners.add(wake);
        return () => this.appendListeners.delete(wake);
      },
    });
    return this.subscriptions.track(subscription);
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    const answer = await this.read<{ head_position: string }>('SELECT head_position FROM hisaab_log WHERE id = 1', []);
    const head = answer[0]?.head_position;
    return head === undefined ? START_POSITION : BigInt(head);
  }

  /** Stops the subscriptions, commits what was accepted, and ends every connection (which frees the lease). */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.subscriptions.closeAll();
    // Appends already accepted are committed (or refused), not dropped: their callers wait for an answer.
    while (this.flushing !== null) await this.flushing;
    this.closed = true;
    const clients = [this.writer, ...this.readers];
    this.writer = null;
    await Promise.all(
      clients.map(async (client) => {
        if (client === null) return;
        const connected = await Promise.resolve(client).catch(() => null);
        await connected?.end().catch(() => undefined);
      }),
    );
  }

  private async readAllUnchecked(afterPosition: bigint, limit: number, filter?: SubscriptionFilter): Promise<RecordedEvent[]> {
    const prefixes = filter?.streamPrefixes?.filter((prefix) => prefix.length > 0) ?? [];
    const rows =
      prefixes.length === 0 || (filter?.streamPrefixes ?? []).some((prefix) => prefix.length === 0)
        ? await this.read<EventRow>(`SELECT ${selectColumns} FROM hisaab_events WHERE position > $1 ORDER BY position LIMIT $2`, [
            afterPosition.toString(),
            limit,
          ])
        : await this.read<EventRow>(
            `SELECT ${selectColumns} FROM hisaab_events WHERE position > $1 AND stream ^@ ANY($3::text[]) ORDER BY position LIMIT $2`,
            [afterPosition.toString(), limit, prefixes],
          );
    return rows.map(toRecordedEvent);
  }

  private enqueue(parts: Part[]): Promise<AppendResult[]> {
    if (this.currentRole !== 'writer') return Promise.reject(this.notWriterError());
    if (this.pending.length >= pendingEntriesMax) {
      return Promise.reject(
        new DomainError(
          'EVENT_STORE_OVERLOADED',
          `the event store has ${pendingEntriesMax} appends waiting for a commit; try again shortly`,
        ),
      );
    }
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.pending.push({ parts, resolve, reject });
      this.startFlushing();
    });
  }

  private startFlushing(): void {
    if (this.flushing !== null) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
      // An append queued while the last group was being answered would otherwise wait for the next one.
      if (this.pending.length > 0) this.startFlushing();
    });
  }

  /** Commits waiting appends group by group until none wait. */
  private async flush(): Promise<void> {
    // Appends made in the same turn of the event loop join the first group.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const group = this.takeGroup();
      await this.commitGroup(group);
    }
  }

  private takeGroup(): PendingEntry[] {
    let events = 0;
    let count = 0;
    for (const entry of this.pending) {
      const entryEvents = entry.parts.reduce((sum, part) => sum + part.rows.length, 0);
      if (count > 0 && events + entryEvents > groupEventsMax) break;
      events += entryEvents;
      count += 1;
    }
    return this.pending.splice(0, count);
  }

  private async commitGroup(group: PendingEntry[]): Promise<void> {
    let client: pg.Client;
    try {
      client = await this.writerConnection();
    } catch (error) {
      for (const entry of group) entry.reject(error);
      return;
    }
    let outcomes: (AppendResult[] | Error)[];
    try {
      outcomes = await this.writeGroup(client, group);
    } catch (error) {
      await this.failedTransaction(client, error);
      const answer = isConnectionFailure(error)
        ? storeUnavailable(
            `the event store connection failed during the append (${errorMessage(error)}); it may or may not be durable, so retry with the same ids`,
          )
        : error;
      for (const entry of group) entry.reject(answer);
      return;
    }
    group.forEach((entry, index) => {
      const outcome = outcomes[index];
      if (outcome instanceof Error) entry.reject(outcome);
      else if (outcome !== undefined) entry.resolve(outcome);
    });
    if (outcomes.some((outcome) => !(outcome instanceof Error))) for (const listener of this.appendListeners) listener();
  }

  /** One transaction for the group: lock the log row, check the epoch and every expectation, insert, move the head. */
  private async writeGroup(client: pg.Client, group: readonly PendingEntry[]): Promise<(AppendResult[] | Error)[]> {
    const locked = await client.query<{ head_position: string; writer_epoch: string }>(
      'BEGIN; SELECT head_position, writer_epoch FROM hisaab_log WHERE id = 1 FOR UPDATE',
    );
    const logRow = (locked as unknown as pg.QueryResult<{ head_position: string; writer_epoch: string }>[])[1]?.rows[0];
    if (logRow === undefined) throw new Error('the hisaab_log row is missing: the schema was not migrated');
    const storedEpoch = BigInt(logRow.writer_epoch);
    if (storedEpoch !== this.epoch) {
      await client.query('ROLLBACK');
      this.fence(`another process took the writer lease (epoch ${storedEpoch.toString()}, ours ${String(this.epoch)})`);
      const refusal = this.notWriterError();
      return group.map(() => refusal);
    }
    const streams = [...new Set(group.flatMap((entry) => entry.parts.map((part) => part.stream)))];
    const answer = await client.query<{ stream: string; revision: string | null }>(
      'SELECT s.stream, (SELECT e.revision FROM hisaab_events e WHERE e.stream = s.stream ORDER BY e.revision DESC LIMIT 1) AS revision FROM unnest($1::text[]) AS s(stream)',
      [streams],
    );
    const revisions = new Map<string, bigint | null>();
    for (const row of answer.rows) revisions.set(row.stream, row.revision === null ? null : BigInt(row.revision));
    const columns = {
      position: [] as string[],
      stream: [] as string[],
      revision: [] as string[],
      id: [] as string[],
      type: [] as string[],
      data: [] as string[],
      metadata: [] as string[],
      body: [] as (Buffer | null)[],
    };
    let head = BigInt(logRow.head_position);
    const outcomes = group.map((entry): AppendResult[] | Error => {
      const conflict = firstConflict(entry.parts, revisions);
      if (conflict !== null) return conflict;
      return entry.parts.map((part) => {
        const actual = revisions.get(part.stream) ?? null;
        let revision = actual === null ? -1n : actual;
        for (const row of part.rows) {
          revision += 1n;
          head += 1n;
          columns.position.push(head.toString());
          columns.stream.push(part.stream);
          columns.revision.push(revision.toString());
          columns.id.push(row.id);
          columns.type.push(row.type);
          columns.data.push(row.data);
          columns.metadata.push(row.metadata);
          columns.body.push(row.bytes === null ? null : Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength));
        }
        revisions.set(part.stream, revision);
        return { nextExpectedRevision: revision, position: head };
      });
    });
    if (columns.position.length > 0) {
      await client.query(
        'INSERT INTO hisaab_events (position, stream, revision, id, type, data, metadata, body) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[])',
        [columns.position, columns.stream, columns.revision, columns.id, columns.type, columns.data, columns.metadata, columns.body],
      );
    }
    const afterCommit: (() => void)[] = [];
    for (const companion of this.companions) {
      const committed = await companion(client, columns);
      if (committed !== null) afterCommit.push(committed);
    }
    // The head is our own bigint, not input: written inline so that the update and the commit are one round trip.
    await client.query(`UPDATE hisaab_log SET head_position = ${head.toString()} WHERE id = 1; COMMIT`);
    for (const committed of afterCommit) committed();
    return outcomes;
  }

  /** After a failed transaction: roll back, or on a lost connection drop the writer connection to reconnect later. */
  private async failedTransaction(client: pg.Client, error: unknown): Promise<void> {
    if (!isConnectionFailure(error)) {
      await client.query('ROLLBACK').catch(() => undefined);
      return;
    }
    this.log?.warn({ hosts: this.hosts, reason: errorMessage(error) }, 'event store writer connection lost; reconnecting');
    this.writer = null;
    this.reconnectFailuresInRow = 0;
    await client.end().catch(() => undefined);
  }

  /**
   * The writer's connection, reconnected (with backoff) after a failure. A new session must take the lease again
   * and find the epoch unchanged: if another process took over meanwhile, this one is fenced.
   */
  private async writerConnection(): Promise<pg.Client> {
    if (this.currentRole !== 'writer') throw this.notWriterError();
    if (this.writer !== null) return this.writer;
    if (performance.now() < this.reconnectNotBeforeMs) {
      throw storeUnavailable(`the event store at ${this.hosts} is unreachable; reconnecting`);
    }
    let client: pg.Client;
    try {
      client = await this.connector.connectWritable();
    } catch (error) {
      this.reconnectFailuresInRow += 1;
      this.reconnectNotBeforeMs =
        performance.now() + Math.min(reconnectPauseMsMax, reconnectPauseMsFirst * 2 ** (this.reconnectFailuresInRow - 1));
      throw error;
    }
    try {
      const locked = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [writerLeaseKey.toString()]);
      const epochAnswer = await client.query<{ writer_epoch: string }>('SELECT writer_epoch FROM hisaab_log WHERE id = 1');
      const storedEpoch = epochAnswer.rows[0]?.writer_epoch;
      if (locked.rows[0]?.locked !== true || storedEpoch === undefined || BigInt(storedEpoch) !== this.epoch) {
        await client.end().catch(() => undefined);
        this.fence(
          locked.rows[0]?.locked !== true
            ? 'another process holds the writer lease'
            : `another process took the writer lease (epoch ${String(storedEpoch)}, ours ${String(this.epoch)})`,
        );
        throw this.notWriterError();
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw isConnectionFailure(error)
        ? storeUnavailable(`the event store at ${this.hosts} is unreachable: ${errorMessage(error)}`)
        : error;
    }
    this.reconnectFailuresInRow = 0;
    this.adoptWriter(client);
    this.log?.info({ hosts: this.hosts, epoch: String(this.epoch) }, 'event store writer reconnected, lease kept');
    return client;
  }

  /**
   * Uses `client` for appends. When its session ends while idle (terminated, server gone), it is dropped at once,
   * so the next append reconnects, and learns whether it is still the writer, before it writes anything.
   */
  private adoptWriter(client: pg.Client): void {
    this.writer = client;
    client.once('end', () => {
      if (this.writer === client) this.writer = null;
    });
  }

  private fence(reason: string): void {
    if (this.currentRole === 'fenced') return;
    this.setRole('fenced');
    this.log?.warn(
      { reason, epoch: String(this.epoch), hosts: this.hosts },
      'fenced: this process is no longer the writer and appends nothing',
    );
  }

  private setRole(role: WriterRole): void {
    this.currentRole = role;
    for (const listener of this.roleListeners) listener(role);
  }

  private notWriterError(): DomainError {
    return this.currentRole === 'fenced'
      ? notWriter('this switch process was fenced off: another process took over as the event store writer; send writes to it')
      : notWriter('this switch process is a standby: another process holds the event store writer lease; send writes to it');
  }

  private async read<Row extends pg.QueryResultRow>(statement: string, values: unknown[]): Promise<Row[]> {
    return this.withReader(async (client) => (await client.query<Row>(statement, values)).rows);
  }

  /** Runs `work` on one of the read connections (round robin), connecting it when needed; drops it when lost. */
  private async withReader<Result>(work: (client: pg.Client) => Promise<Result>): Promise<Result> {
    const index = this.nextReader;
    this.nextReader = (this.nextReader + 1) % this.readers.length;
    let connecting = this.readers[index] ?? null;
    if (connecting === null) {
      connecting = this.connector.connectWritable();
      this.readers[index] = connecting;
      const slot = connecting;
      const forget = (): void => {
        if (this.readers[index] === slot) this.readers[index] = null;
      };
      // A failed connect is answered to this caller, and a session that ends while idle is dropped: the next read
      // connects again.
      slot.then((client) => client.once('end', forget), forget);
    }
    const client = await connecting;
    // One statement at a time per connection (pg 8 deprecates queueing on a client): later reads wait their turn.
    const turn = this.readerTurns[index] ?? Promise.resolve();
    const ran = turn.then(() => work(client));
    this.readerTurns[index] = ran.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await ran;
    } catch (error) {
      if (!isConnectionFailure(error)) throw error;
      if (this.readers[index] === connecting) this.readers[index] = null;
      await client.end().catch(() => undefined);
      throw storeUnavailable(`the event store at ${this.hosts} did not answer: ${errorMessage(error)}`);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new PostgresAdapterError('POSTGRES_CLOSED', 'the event store is closed');
  }
}

/** The first part of an entry whose expected revision does not hold, given the revisions so far; null if none. */
function firstConflict(parts: readonly Part[], revisions: ReadonlyMap<string, bigint | null>): WrongExpectedRevisionError | null {
  // Parts of one entry may name the same stream twice: each sees the revision the parts before it leave.
  const trial = new Map<string, bigint | null>();
  for (const part of parts) {
    const actual = trial.has(part.stream) ? (trial.get(part.stream) ?? null) : (revisions.get(part.stream) ?? null);
    if (!revisionMatches(part.expected, actual)) return new WrongExpectedRevisionError(part.stream, part.expected, actual);
    trial.set(part.stream, (actual ?? -1n) + BigInt(part.rows.length));
  }
  return null;
}

function checkFilter(filter: SubscriptionFilter | undefined): void {
  const prefixes = filter?.streamPrefixes ?? [];
  if (prefixes.length > streamPrefixesMax) {
    throw new EventStoreInputError('INVALID_FILTER', `a filter names at most ${streamPrefixesMax} stream prefixes, got ${prefixes.length}`);
  }
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  const event: RecordedEvent = {
    id: row.id,
    type: row.type,
    data: JSON.parse(row.data) as JsonObject,
    metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'],
    stream: row.stream,
    revision: BigInt(row.revision),
    position: BigInt(row.position),
  };
  if (row.body !== null) event.bytes = row.body;
  return event;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
