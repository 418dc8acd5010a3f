import { isAbsolute, join, resolve } from 'node:path';
import type { EventStore } from '../core/eventstore/event-store';
import { SqliteEventStore } from './eventstore-sqlite/sqlite-event-store';
import { parsePostgresUrl, redactPostgresUrl } from './eventstore-postgres/postgres-connection-string';
import { isConnectionFailure } from './eventstore-postgres/postgres-errors';
import { PostgresEventStore, type StoreLog } from './eventstore-postgres/postgres-event-store';

/** The event store file inside a data dir when HISAAB_EVENTSTORE is not set. */
export const defaultEventStoreFileName = 'hisaab.db';

export type EventStoreSelection =
  { kind: 'sqlite'; path: string } | { kind: 'esdb'; connectionString: string } | { kind: 'postgres'; connectionString: string };

export class EventStoreSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventStoreSettingError';
  }
}

/**
 * Reads HISAAB_EVENTSTORE: absent or empty → the SQLite file in the data dir; `sqlite:<path>` → that file
 * (relative paths from the working directory); `esdb://…` or `esdb+discover://…` → an EventStoreDB/KurrentDB
 * cluster. Anything else is refused with the forms that are accepted.
 */
export function selectEventStore(setting: string | undefined, dataDir: string): EventStoreSelection {
  const value = setting?.trim() ?? '';
  if (value === '') return { kind: 'sqlite', path: join(dataDir, defaultEventStoreFileName) };
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length);
    if (path === '') throw new EventStoreSettingError('HISAAB_EVENTSTORE=sqlite: needs a file path, e.g. sqlite:./data/hisaab.db');
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(path) };
  }
  if (value.startsWith('esdb://') || value.startsWith('esdb+discover://')) return { kind: 'esdb', connectionString: value };
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) {
    try {
      parsePostgresUrl(value);
    } catch (error) {
      throw new EventStoreSettingError(`HISAAB_EVENTSTORE: ${(error as Error).message}`);
    }
    return { kind: 'postgres', connectionString: value };
  }
  throw new EventStoreSettingError(
    'HISAAB_EVENTSTORE must be sqlite:<path>, a postgres:// (or postgresql://) connection string, or an esdb:// (or esdb+discover://) one; leave it unset for the SQLite file in the data dir',
  );
}

/**
 * Opens the selected store. The EventStoreDB client is loaded only when selected (it pulls in gRPC). `readOnly`
 * opens an existing SQLite file for reading (a front-end worker's; an EventStoreDB client is opened as it is, and
 * the worker simply never appends through it).
 */
export async function openEventStore(
  selection: EventStoreSelection,
  options: { readOnly?: boolean; log?: StoreLog; startupWaitMs?: number } = {},
): Promise<EventStore> {
  switch (selection.kind) {
    case 'sqlite':
      return new SqliteEventStore(selection.path, { readOnly: options.readOnly === true });
    case 'esdb': {
      const { EsdbEventStore } = await import('./eventstore-esdb');
      return new EsdbEventStore(selection.connectionString);
    }
    case 'postgres':
      return openPostgresEventStore(selection.connectionString, options);
  }
}

/** How long start-up keeps trying an unreachable PostgreSQL before it gives up (the switch then exits non-zero). */
const postgresStartupWaitMs = 10_000;

/**
 * Opens the PostgreSQL store and migrates its schema, trying again for a while when no server answers (a
 * database that starts a moment after the switch). It connects as a standby: the switch takes the writer lease.
 */
async function openPostgresEventStore(connectionString: string, options: { log?: StoreLog; startupWaitMs?: number }): Promise<EventStore> {
  const store = new PostgresEventStore(connectionString, { log: options.log });
  const deadline = performance.now() + (options.startupWaitMs ?? postgresStartupWaitMs);
  for (;;) {
    try {
      await store.migrate();
      return store;
    } catch (error) {
      if (!isConnectionFailure(error) || performance.now() > deadline) {
        await store.close();
        if (!isConnectionFailure(error)) throw error;
        throw new EventStoreSettingError(`the PostgreSQL event store at ${store.hosts} is unreachable: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/** How a selection appears in logs: never the credentials an esdb:// URL may carry. */
export function describeEventStore(selection: EventStoreSelection): string {
  switch (selection.kind) {
    case 'sqlite':
      return `sqlite:${selection.path}`;
    case 'postgres':
      return redactPostgresUrl(selection.connectionString);
    case 'esdb':
      return selection.connectionString.replace(/\/\/[^@/]*@/, '//***@');
  }
}
