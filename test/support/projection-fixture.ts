import { join } from 'node:path';
import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import { SqliteReadModelStore } from '../../adapters/readmodel-sqlite/sqlite-read-model-store';
import type { NewEvent } from '../../core/eventstore/event';
import { tempDir } from './temp-dir';

/** A real event store and a real read-model database in a fresh temp dir. */
export type ProjectionFixture = {
  directory: string;
  eventsPath: string;
  readModelPath: string;
  store: SqliteEventStore;
  readModels: SqliteReadModelStore;
  /** Another read-model connection (another file when `name` differs): a reference run, a second process's view. */
  openReadModels(name?: string): SqliteReadModelStore;
  close(): Promise<void>;
};

export function openProjectionFixture(prefix = 'hisaab-projection-'): ProjectionFixture {
  const directory = tempDir(prefix);
  const eventsPath = join(directory.path, 'hisaab.db');
  const readModelPath = join(directory.path, 'read-models.db');
  const store = new SqliteEventStore(eventsPath, { pollIntervalMs: 20 });
  const readModels = new SqliteReadModelStore(readModelPath);
  const opened: SqliteReadModelStore[] = [readModels];
  return {
    directory: directory.path,
    eventsPath,
    readModelPath,
    store,
    readModels,
    openReadModels(name) {
      const extra = new SqliteReadModelStore(name === undefined ? readModelPath : join(directory.path, name));
      opened.push(extra);
      return extra;
    },
    async close() {
      await store.close();
      for (const each of opened) each.close();
      directory.remove();
    },
  };
}

/** Appends events in chunks of up to 1000, spread over `streamCount` streams, in the given order. */
export async function appendAll(store: SqliteEventStore, events: readonly NewEvent[], streamCount = 5): Promise<bigint> {
  let position = -1n;
  const chunkSize = 1000;
  for (let start = 0, chunk = 0; start < events.length; start += chunkSize, chunk += 1) {
    const result = await store.append(`amounts-${chunk % streamCount}`, events.slice(start, start + chunkSize), 'any');
    position = result.position;
  }
  return position;
}
