import Database from 'better-sqlite3';
import { dirname } from 'node:path';
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
import { assert } from '../../core/assert';
import { DomainError } from '../../core/errors';
import { revisionMatches, WrongExpectedRevisionError, type ExpectedRevision } from '../../core/eventstore/expected-revision';
import {
  checkAppendMany,
  checkReadLimit,
  checkStreamLookup,
  checkStreamName,
  serializeAppend,
  type SerializedEvent,
} from '../../core/eventstore/limits';
import { pollingSubscription } from '../polling-subscription';
import { OpenSubscriptions } from '../../core/eventstore/subscription-handle';
import { ensurePrivateDirectory, preparePrivateDatabaseFile } from '../private-files';

type EventRow = {
  position: bigint;
  stream: string;
  revision: bigint;
  id: string;
  type: string;
  data: string;
  metadata: string;
  /** A binary event's payload (see NewEvent.bytes); null for a JSON event. */
  body: Buffer | null;
};

type SerializedAppend = { stream: string; rows: SerializedEvent[]; expected: ExpectedRevision };

/** An `append` (one entry) or an `appendMany` (several, all or none) waiting for the group's commit. */
type PendingAppend = {
  entries: readonly SerializedAppend[];
  resolve: (results: AppendResult[]) => void;
  reject: (error: unknown) => void;
};

/** Appends committed together at most; more wait for the next turn of the event loop. */
const groupCommitAppendsMax = 1000;
/** Appends waiting for a commit at most: beyond this the store sheds load instead of queueing without end. */
const pendingAppendsMax = 100_000;

export type SqliteEventStoreOptions = {
  /** How often a subscription looks for events appended by another process; appends in this process wake it at once. */
  pollIntervalMs?: number;
  /**
   * Opens an existing file for reading only (a front-end worker beside the writer process, api/cluster/): WAL lets
   * it read while the writer appends, and SQLite itself refuses any write through this connection.
   */
  readOnly?: boolean;
};

/**
 * The embedded event store: one SQLite file, WAL journal, synchronous=FULL, so a resolved append has been
 * fsync'd. One append is one IMMEDIATE transaction, which takes the write lock before reading the stream's
 * revision: two writers (in this process or another) can never both win the same revision.
 */
export class SqliteEventStore implements EventStore {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly pollIntervalMs: number;
  private readonly appendListeners = new Set<() => void>();
  private readonly subscriptions = new OpenSubscriptions();
  private closed = false;
  private readonly filteredReads = new Map<number, Database.Statement>();
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly appendTransaction: (stream: string, rows: SerializedEvent[], expected: ExpectedRevision) => AppendResult;
  private readonly groupTransaction: (group: PendingAppend[], outcomes: (AppendResult[] | Error)[]) => void;
  private readonly pendingAppends: PendingAppend[] = [];
  private readonly manyTransaction: (appends: readonly SerializedAppend[]) => AppendResult[];
  /** Every entry of an appendMany is in one SQLite transaction: all or none, one fsync. */
  readonly multiStreamAtomic = true;
  /**
   * Sees every durable commit (one fsync) with the streams and event types it wrote: metrics and tests count
   * durable writes per payment with it. Must not throw.
   */
  onDurableCommit: ((appends: readonly { stream: string; types: readonly string[] }[]) => void) | null = null;

  constructor(path: string, options: SqliteEventStoreOptions = {}) {
    this.path = path;
    if (options.readOnly === true) {
      this.db = new Database(path, { readonly: true, fileMustExist: true });
      this.db.pragma('busy_timeout = 5000');
      this.db.defaultSafeIntegers(true);
    } else {
      if (path !== ':memory:') {
        // Private from the first byte: these files hold what the switch knows (issue 9).
        ensurePrivateDirectory(dirname(path));
        preparePrivateDatabaseFile(path);
      }
      this.db = new Database(path);
      configureDurableConnection(this.db);
      createSchema(this.db);
    }
    this.pollIntervalMs = options.pollIntervalMs ?? 50;
    this.statements = prepareStatements(this.db);
    const appendOne = this.db.transaction((stream: string, rows: SerializedEvent[], expected: ExpectedRevision) =>
      this.appendInTransaction(stream, rows, expected),
    );
    // better-sqlite3 types a transaction's variants as methods, but they are plain functions that ignore `this`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    this.appendTransaction = appendOne.immediate;
    const appendAll = this.db.transaction((appends: readonly SerializedAppend[]) =>
      appends.map((entry) => this.appendInTransaction(entry.stream, entry.rows, entry.expected)),
    );
    // Inside the group's transaction each append, and each appendMany as a whole, is a savepoint (better-sqlite3
    // nests transactions that way): one's wrong expected revision undoes that one alone.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- a transaction's variants ignore `this`, as above.
    this.groupTransaction = this.db.transaction((group: PendingAppend[], outcomes: (AppendResult[] | Error)[]) => {
      for (const pending of group) {
        try {
          const [only] = pending.entries;
          outcomes.push(
            pending.entries.length === 1 && only !== undefined
              ? [appendOne(only.stream, only.rows, only.expected)]
              : appendAll(pending.entries),
          );
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError)) throw error;
          outcomes.push(error);
        }
      }
    }).immediate;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- a transaction's variants ignore `this`, as above.
    this.manyTransaction = appendAll.immediate;
  }

  /**
   * Appends arriving in the same turn of the event loop share one transaction and so one fsync (group commit):
   * each runs in a savepoint of its own, so one append's wrong expected revision fails only that append, and
   * every promise resolves after the shared commit, when its events are durable.
   */
  async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    const rows = serializeAppend(stream, events);
    const [result] = await this.queueForGroupCommit([{ stream, rows, expected: expectedRevision }]);
    return result as AppendResult;
  }

  private queueForGroupCommit(entries: readonly SerializedAppend[]): Promise<AppendResult[]> {
    if (this.pendingAppends.length >= pendingAppendsMax) {
      throw new DomainError(
        'EVENT_STORE_OVERLOADED',
        `the event store has ${pendingAppendsMax} appends waiting for a commit; try again shortly`,
      );
    }
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.pendingAppends.push({ entries, resolve, reject });
      if (this.pendingAppends.length === 1) setImmediate(() => this.commitPendingAppends());
    });
  }

  /**
   * The append itself, synchronous: better-sqlite3 blocks until the commit (and its fsync) is done. The ledger
   * engine calls this directly to avoid a promise per batch; everything else uses `append`.
   */
  appendSync(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): AppendResult {
    this.assertOpen();
    const rows = serializeAppend(stream, events);
    const result = this.appendTransaction(stream, rows, expectedRevision);
    this.committed([{ stream, types: events.map((event) => event.type) }]);
    return result;
  }

  /**
   * Several streams all or none, sharing the group commit of the appends made in the same turn of the event loop
   * (one fsync for all of them, and the event loop is not held while one session or claim waits for its own). A
   * wrong expected revision of any entry fails this appendMany alone, naming the stream, and writes none of it.
   */
  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    this.assertOpen();
    checkAppendMany(appends.length);
    const serialized = appends.map((entry) => ({
      stream: entry.stream,
      rows: serializeAppend(entry.stream, entry.events),
      expected: entry.expectedRevision,
    }));
    return this.queueForGroupCommit(serialized);
  }

  /**
   * Several streams in one IMMEDIATE transaction, so one fsync: all or none. The first stream whose revision is not
   * as expected throws WrongExpectedRevisionError (naming that stream) and nothing is written. The ledger engine
   * calls this directly, once per tick, for its events and the events of other streams that ride with them.
   */
  appendManySync(appends: readonly StreamAppend[]): AppendResult[] {
    this.assertOpen();
    checkAppendMany(appends.length);
    const serialized = appends.map((entry) => ({
      stream: entry.stream,
      rows: serializeAppend(entry.stream, entry.events),
      expected: entry.expectedRevision,
    }));
    const results = this.manyTransaction(serialized);
    this.committed(appends.map((entry) => ({ stream: entry.stream, types: entry.events.map((event) => event.type) })));
    return results;
  }

  /** The stream's revision now, synchronously: the ledger engine checks the streams that ride in its tick with it. */
  streamRevisionSync(stream: string): bigint | null {
    this.assertOpen();
    checkStreamName(stream);
    return this.currentRevision(stream);
  }

  async readStream(stream: string, fromRevision: bigint, limit: number): Promise<RecordedEvent[]> {
    this.assertOpen();
    checkStreamName(stream);
    checkReadLimit(limit);
    const rows = this.statements.readStream.all(stream, fromRevision < 0n ? 0n : fromRevision, limit) as EventRow[];
    return rows.map(toRecordedEvent);
  }

  async streamRevision(stream: string): Promise<bigint | null> {
    this.assertOpen();
    checkStreamName(stream);
    return this.currentRevision(stream);
  }

  async existingStreams(streams: readonly string[]): Promise<Set<string>> {
    this.assertOpen();
    checkStreamLookup(streams);
    const existing = new Set<string>();
    if (streams.length === 0) return existing;
    // One statement for the whole list: every stream's first event is one probe of the (stream, revision) index.
    const rows = this.statements.existingStreams.all(JSON.stringify(streams)) as { stream: string }[];
    for (const row of rows) existing.add(row.stream);
    return existing;
  }

  async readAll(afterPosition: bigint, limit: number, filter?: SubscriptionFilter): Promise<RecordedEvent[]> {
    this.assertOpen();
    checkReadLimit(limit);
    return this.readAllSync(afterPosition, limit, filter);
  }

  async headPosition(): Promise<bigint> {
    this.assertOpen();
    const row = this.statements.head.get() as { position: bigint | null };
    return row.position ?? START_POSITION;
  }

  subscribeAll(afterPosition: bigint, handler: SubscriptionHandler, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription = pollingSubscription({
      afterPosition,
      handler,
      options,
      pollIntervalMs: this.pollIntervalMs,
      readPage: (after, limit) => this.readAllSync(after, limit, options.filter),
      listen: (wake) => {
        this.appendListeners.add(wake);
        return () => this.appendListeners.delete(wake);
      },
    });
    return this.subscriptions.track(subscription);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.subscriptions.closeAll();
    // Appends already accepted are committed, not dropped: their callers are waiting for durability.
    while (this.pendingAppends.length > 0) this.commitPendingAppends();
    this.closed = true;
    this.db.close();
  }

  private commitPendingAppends(): void {
    const group = this.pendingAppends.splice(0, groupCommitAppendsMax);
    if (this.pendingAppends.length > 0) setImmediate(() => this.commitPendingAppends());
    if (this.closed) {
      for (const pending of group) pending.reject(new Error('the event store is closed'));
      return;
    }
    const outcomes: (AppendResult[] | Error)[] = [];
    try {
      // A lone append needs no savepoint: its own transaction is all or nothing already.
      if (group.length === 1) outcomes.push(this.appendAlone(group[0] as PendingAppend));
      else this.groupTransaction(group, outcomes);
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of the group is durable.
      for (const pending of group) pending.reject(error);
      return;
    }
    group.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (outcome instanceof Error) pending.reject(outcome);
      else if (outcome !== undefined) pending.resolve(outcome);
    });
    this.committed(
      group
        .filter((_pending, index) => !(outcomes[index] instanceof Error))
        .flatMap((pending) => pending.entries.map((entry) => ({ stream: entry.stream, types: entry.rows.map((row) => row.type) }))),
    );
  }

  /** After a durable commit: wakes the subscriptions and tells the observer. */
  private committed(appends: readonly { stream: string; types: readonly string[] }[]): void {
    for (const listener of this.appendListeners) listener();
    if (this.onDurableCommit !== null && appends.length > 0) this.onDurableCommit(appends);
  }

  private appendAlone(pending: PendingAppend): AppendResult[] | Error {
    try {
      const [only] = pending.entries;
      if (pending.entries.length === 1 && only !== undefined) return [this.appendTransaction(only.stream, only.rows, only.expected)];
      return this.manyTransaction(pending.entries);
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return error;
      throw error;
    }
  }

  private appendInTransaction(stream: string, rows: SerializedEvent[], expected: ExpectedRevision): AppendResult {
    const actual = this.currentRevision(stream);
    if (!revisionMatches(expected, actual)) throw new WrongExpectedRevisionError(stream, expected, actual);
    const firstRevision = actual === null ? 0 : Number(actual) + 1;
    assert(Number.isSafeInteger(firstRevision + rows.length), `stream ${stream} stays within safe revision numbers`);
    // Rows go in by the chunk: one statement per chunk crosses into SQLite once instead of once per event.
    let lastRowId: number | bigint = 0;
    let index = 0;
    for (; index + insertChunkRows <= rows.length; index += insertChunkRows) {
      lastRowId = this.statements.insertChunk.run(chunkParameters(stream, rows, index, insertChunkRows, firstRevision)).lastInsertRowid;
    }
    for (; index < rows.length; index += 1) {
      const row = rows[index] as SerializedEvent;
      lastRowId = this.statements.insert.run(
        stream,
        firstRevision + index,
        row.id,
        row.type,
        row.data,
        row.metadata,
        row.bytes,
      ).lastInsertRowid;
    }
    return { nextExpectedRevision: BigInt(firstRevision + rows.length - 1), position: BigInt(lastRowId) };
  }

  private currentRevision(stream: string): bigint | null {
    const row = this.statements.streamRevision.get(stream) as { revision: bigint | null };
    return row.revision;
  }

  private readAllSync(afterPosition: bigint, limit: number, filter?: SubscriptionFilter): RecordedEvent[] {
    const prefixes = filter?.streamPrefixes;
    if (!prefixes || prefixes.length === 0) {
      return (this.statements.readAll.all(afterPosition, limit) as EventRow[]).map(toRecordedEvent);
    }
    return this.readAllFiltered(afterPosition, limit, prefixes);
  }

  /**
   * The filter runs in SQL so that a sparse filter walks past long runs of other streams' events inside
   * SQLite, and a page is always "the next `limit` matching events".
   */
  private readAllFiltered(afterPosition: bigint, limit: number, prefixes: readonly string[]): RecordedEvent[] {
    const statement = this.filteredReadStatement(prefixes.length);
    const parameters: unknown[] = [afterPosition];
    for (const prefix of prefixes) parameters.push(prefix.length, prefix);
    parameters.push(limit);
    return (statement.all(...parameters) as EventRow[]).map(toRecordedEvent);
  }

  private filteredReadStatement(prefixCount: number): Database.Statement {
    const cached = this.filteredReads.get(prefixCount);
    if (cached) return cached;
    const condition = Array.from({ length: prefixCount }, () => 'substr(stream, 1, ?) = ?').join(' OR ');
    const columns = eventColumns(this.db);
    const statement = this.db.prepare(`SELECT ${columns} FROM events WHERE position > ? AND (${condition}) ORDER BY position LIMIT ?`);
    this.filteredReads.set(prefixCount, statement);
    return statement;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}

function configureDurableConnection(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // FULL: every commit is fsync'd before it returns, which is what lets the switch acknowledge after append.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.defaultSafeIntegers(true);
}

function createSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (
      position INTEGER PRIMARY KEY,
      stream   TEXT    NOT NULL,
      revision INTEGER NOT NULL,
      id       TEXT    NOT NULL,
      type     TEXT    NOT NULL,
      data     TEXT    NOT NULL,
      metadata TEXT    NOT NULL,
      body     BLOB,
      UNIQUE (stream, revision)
    ) STRICT;
  `);
  // A store made before binary events (the ledger's batch records) gains their column; its rows keep NULL there.
  if (!hasBodyColumn(db)) db.exec('ALTER TABLE events ADD COLUMN body BLOB');
}

function hasBodyColumn(db: Database.Database): boolean {
  const columns = db.pragma('table_info(events)') as { name: string }[];
  return columns.some((column) => column.name === 'body');
}

/** Events per multi-row INSERT: 7 parameters each, far below SQLite's parameter limit. */
const insertChunkRows = 64;

function chunkParameters(stream: string, rows: readonly SerializedEvent[], start: number, count: number, firstRevision: number): unknown[] {
  const parameters: unknown[] = new Array<unknown>(count * 7);
  for (let offset = 0; offset < count; offset += 1) {
    const row = rows[start + offset] as SerializedEvent;
    const base = offset * 7;
    parameters[base] = stream;
    parameters[base + 1] = firstRevision + start + offset;
    parameters[base + 2] = row.id;
    parameters[base + 3] = row.type;
    parameters[base + 4] = row.data;
    parameters[base + 5] = row.metadata;
    parameters[base + 6] = row.bytes;
  }
  return parameters;
}

/**
 * The columns an event read selects. A store opened read-only may predate binary events (no body column): it
 * holds none, so its reads see NULL there.
 */
function eventColumns(db: Database.Database): string {
  return `position, stream, revision, id, type, data, metadata, ${hasBodyColumn(db) ? 'body' : 'NULL AS body'}`;
}

function prepareStatements(db: Database.Database) {
  const columns = eventColumns(db);
  const chunkValues = Array.from({ length: insertChunkRows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
  return {
    insert: db.prepare('INSERT INTO events (stream, revision, id, type, data, metadata, body) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    insertChunk: db.prepare(`INSERT INTO events (stream, revision, id, type, data, metadata, body) VALUES ${chunkValues}`),
    streamRevision: db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream = ?'),
    existingStreams: db.prepare('SELECT stream FROM events WHERE revision = 0 AND stream IN (SELECT value FROM json_each(?))'),
    readStream: db.prepare(`SELECT ${columns} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?`),
    readAll: db.prepare(`SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
    head: db.prepare('SELECT MAX(position) AS position FROM events'),
  };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  const event: RecordedEvent = {
    id: row.id,
    type: row.type,
    data: row.body === null ? (JSON.parse(row.data) as JsonObject) : {},
    metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'],
    stream: row.stream,
    revision: row.revision,
    position: row.position,
  };
  // Added only to binary events: every other event keeps the shape it had before them, on the read path of all.
  if (row.body !== null) event.bytes = row.body;
  return event;
}
