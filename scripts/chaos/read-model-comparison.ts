import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteReadModelStore, readModelPath } from '../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { switchProjections } from '../../adapters/readmodel-sqlite/projections/switch-projections';
import type { EventStore } from '../../core/eventstore/event-store';
import { START_POSITION } from '../../core/eventstore/event-store';
import { applyBatch, prepareProjection } from '../../core/eventstore/projection-batch';

/**
 * "Every read model equal to a rebuild from the log": replays the log into a fresh read-model file of its own,
 * up to exactly the position the live read models have reached, and compares every table row for row.
 *
 * The switch keeps running (a sweeper or the outbox may append while this runs), so the comparison is made at
 * one position: the rebuild goes to the log's head, and the live file is read in one read transaction in which
 * every projection's checkpoint stands at that head; when the live file has moved past it, the rebuild follows.
 */
export type ReadModelComparison = { equal: boolean; position: bigint; tables: number; rows: number; differences: string[] };

const replayPageSize = 2_000;
const attemptsMax = 50;
const attemptPauseMs = 200;

export class ReadModelRebuild {
  private readonly rebuilt: SqliteReadModelStore;
  private readonly prepared = switchProjections.map(prepareProjection);
  private readonly positions = new Map<string, bigint>();
  private replayedTo = START_POSITION;

  constructor(directory: string) {
    this.rebuilt = new SqliteReadModelStore(join(directory, 'rebuilt-read-models.db'));
    this.rebuilt.transaction((tx) => {
      for (const { projection } of this.prepared) {
        projection.setup(tx);
        // As the runner records it when it opens a projection: the checkpoint table is compared too.
        this.rebuilt.writeVersion(tx, projection.name, projection.version ?? 1);
        this.positions.set(projection.name, START_POSITION);
      }
    });
  }

  /** Compares the live read models of the data dir with this rebuild, replaying what the log gained since last time. */
  async compare(store: EventStore, dataDir: string): Promise<ReadModelComparison> {
    const live = new Database(readModelPath(dataDir), { readonly: true, fileMustExist: true });
    live.defaultSafeIntegers(true);
    try {
      for (let attempt = 1; attempt <= attemptsMax; attempt += 1) {
        await this.replayTo(store, await store.headPosition());
        const snapshot = liveSnapshotAt(live, this.replayedTo, this.tableNames());
        if (snapshot !== null) return this.compareWith(snapshot);
        await new Promise((resolve) => setTimeout(resolve, attemptPauseMs));
      }
      return {
        equal: false,
        position: this.replayedTo,
        tables: 0,
        rows: 0,
        differences: ['the live read models never stood at the log head'],
      };
    } finally {
      live.close();
    }
  }

  close(): void {
    this.rebuilt.close();
  }

  private async replayTo(store: EventStore, target: bigint): Promise<void> {
    while (this.replayedTo < target) {
      const events = (await store.readAll(this.replayedTo, replayPageSize)).filter((event) => event.position <= target);
      if (events.length === 0) return;
      const outcome = applyBatch(this.rebuilt, this.prepared, events, this.positions);
      if (outcome.kind !== 'committed') throw new Error(`the private rebuild's checkpoint moved back: ${outcome.projectionName}`);
      for (const [name, progress] of outcome.progress) this.positions.set(name, progress.position);
      this.replayedTo = events[events.length - 1]!.position;
    }
  }

  private tableNames(): string[] {
    const rows = this.rebuilt.database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as { name: string }[];
    return rows.map((row) => row.name);
  }

  private compareWith(live: Map<string, string[]>): ReadModelComparison {
    const differences: string[] = [];
    let rows = 0;
    for (const [table, liveRows] of live) {
      const rebuiltRows = tableRows(this.rebuilt.database, table);
      rows += rebuiltRows.length;
      if (rebuiltRows.length !== liveRows.length) {
        differences.push(`${table}: ${liveRows.length} rows live, ${rebuiltRows.length} rebuilt`);
        continue;
      }
      const differing = rebuiltRows.findIndex((row, index) => row !== liveRows[index]);
      if (differing >= 0) differences.push(`${table}: live row ${liveRows[differing]} is rebuilt as ${rebuiltRows[differing]}`);
    }
    return { equal: differences.length === 0, position: this.replayedTo, tables: live.size, rows, differences };
  }
}

/**
 * Every table's rows, read in one transaction, when every projection's checkpoint in the live file stands at
 * `position`; null when some projection is behind or ahead of it.
 */
function liveSnapshotAt(live: Database.Database, position: bigint, tables: readonly string[]): Map<string, string[]> | null {
  const read = live.transaction(() => {
    const checkpoints = live.prepare('SELECT name, position FROM projection_checkpoints').all() as { name: string; position: bigint }[];
    const atPosition = switchProjections.every((projection) =>
      checkpoints.some((checkpoint) => checkpoint.name === projection.name && checkpoint.position === position),
    );
    if (!atPosition) return null;
    return new Map(tables.map((table) => [table, tableRows(live, table)]));
  });
  return read();
}

/** A table's rows as JSON text (integers exact), sorted: row order is not part of a read model's meaning. */
function tableRows(database: Database.Database, table: string): string[] {
  const rows = database
    .prepare(`SELECT * FROM "${table.replace(/"/g, '""')}"`)
    .raw()
    .all() as unknown[][];
  return rows.map((row) => JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value))).sort();
}
