/**
 * Runs the key-totals projection over an event store until it has applied the whole log, printing a line after
 * every committed batch, then `done <position>`. The crash test SIGKILLs it at random moments and restarts it.
 *
 * Arguments: <events.db> <read-models.db> <batch size>
 */
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { SqliteReadModelStore } from '../../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { ProjectionRunner } from '../../../core/eventstore/projection-runner';
import { keyTotalsProjection } from '../../support/key-totals-projection';
import { runChild } from './child-process-lifecycle';

async function main(): Promise<void> {
  const [eventsPath, readModelPath, batchSizeText] = process.argv.slice(2);
  if (!eventsPath || !readModelPath || !batchSizeText) throw new Error('usage: projection-child <events.db> <read-models.db> <batch size>');
  const store = new SqliteEventStore(eventsPath);
  const readModels = new SqliteReadModelStore(readModelPath);
  const runner = new ProjectionRunner({
    store,
    readModels,
    projections: [keyTotalsProjection()],
    batchSize: Number(batchSizeText),
    onBatchCommitted: (commit) => process.stdout.write(`committed ${commit.position}\n`),
  });
  const head = await store.headPosition();
  await runner.start();
  process.stdout.write(`started ${runner.position()}\n`);
  await runner.waitForPosition(head, 60_000);
  await runner.stop();
  process.stdout.write(`done ${runner.position()}\n`);
  await store.close();
  readModels.close();
}

runChild(main);
