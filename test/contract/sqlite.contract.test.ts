import { join } from 'node:path';
import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import type { EventStore } from '../../core/eventstore/event-store';
import { tempDir } from '../support/temp-dir';
import { eventStoreContract } from './event-store.contract';

const directories = new Map<EventStore, () => void>();

eventStoreContract('SQLite', {
  async open() {
    const directory = tempDir('hisaab-contract-');
    const store = new SqliteEventStore(join(directory.path, 'events.db'));
    directories.set(store, directory.remove);
    return store;
  },
  async dispose(store) {
    await store.close();
    directories.get(store)?.();
    directories.delete(store);
  },
});
