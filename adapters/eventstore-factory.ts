import { isAbsolute, join, resolve } from 'node:path';
import type { EventStore } from '../core/eventstore/event-store';
import { SqliteEventStore } from './eventstore-sqlite/sqlite-event-store';

/** The event store file inside a data dir when HISAAB_EVENTSTORE is not set. */
export const defaultEventStoreFileName = 'hisaab.db';

export type EventStoreSelection = { kind: 'sqlite'; path: string } | { kind: 'esdb'; connectionString: string };

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
  throw new EventStoreSettingError(
    'HISAAB_EVENTSTORE must be sqlite:<path> or an esdb:// (or esdb+discover://) connection string; leave it unset for the SQLite file in the data dir',
  );
}

/**
 * Opens the selected store. The EventStoreDB client is loaded only when selected (it pulls in gRPC). `readOnly`
 * opens an existing SQLite file for reading (a front-end worker's; an EventStoreDB client is opened as it is, and
 * the worker simply never appends through it).
 */
export async function openEventStore(selection: EventStoreSelection, options: { readOnly?: boolean } = {}): Promise<EventStore> {
  switch (selection.kind) {
    case 'sqlite':
      return new SqliteEventStore(selection.path, { readOnly: options.readOnly === true });
    case 'esdb': {
      const { EsdbEventStore } = await import('./eventstore-esdb');
      return new EsdbEventStore(selection.connectionString);
    }
  }
}

/** How a selection appears in logs: never the credentials an esdb:// URL may carry. */
export function describeEventStore(selection: EventStoreSelection): string {
  return selection.kind === 'sqlite' ? `sqlite:${selection.path}` : selection.connectionString.replace(/\/\/[^@/]*@/, '//***@');
}
