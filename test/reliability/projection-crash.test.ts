import { SqliteReadModelStore } from '../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { ProjectionRunner } from '../../core/eventstore/projection-runner';
import { amountEvents, keyTotalsProjection, readKeyTotals } from '../support/key-totals-projection';
import { appendAll, openProjectionFixture, type ProjectionFixture } from '../support/projection-fixture';
import { childScript, TsxChild } from '../support/tsx-child';

const eventCount = 20_000;
const batchSize = 200;
const killRounds = 5;

function randomInteger(lowest: number, highest: number): number {
  return lowest + Math.floor(Math.random() * (highest - lowest + 1));
}

function checkpointOf(path: string): bigint {
  const readModels = new SqliteReadModelStore(path);
  try {
    return readModels.readCheckpoint(readModels.database, 'key-totals');
  } finally {
    readModels.close();
  }
}

describe('projection crash (SIGKILL mid-stream)', () => {
  let fixture: ProjectionFixture;
  beforeAll(() => {
    fixture = openProjectionFixture('hisaab-projection-crash-');
  });
  afterAll(async () => fixture.close());

  it('ends with exactly the read model of a never-interrupted run, however often it is killed', async () => {
    const events = amountEvents(eventCount, 64, 7);
    const head = await appendAll(fixture.store, events);

    const referenceStore = fixture.openReadModels('reference.db');
    const reference = new ProjectionRunner({ store: fixture.store, readModels: referenceStore, projections: [keyTotalsProjection()] });
    await reference.start();
    await reference.waitForPosition(head, 30_000);
    await reference.stop();
    const expected = readKeyTotals(referenceStore.database);
    const handled = events.filter((event) => event.type === 'AmountRecorded').length;
    expect(expected.reduce((sum, row) => sum + row.event_count, 0n)).toBe(BigInt(handled));

    const crashPath = `${fixture.directory}/crashed.db`;
    const checkpoints: bigint[] = [];
    const plan: string[] = [];
    for (let round = 0; round < killRounds; round += 1) {
      const child = new TsxChild(childScript('projection-child.ts'), [fixture.eventsPath, crashPath, String(batchSize)]);
      // Kill after a random number of committed batches, plus a random delay: the signal lands wherever the
      // child is by then (inside a batch's transaction, between batches, reading the log).
      const commitsBeforeKill = randomInteger(1, 12);
      const delayMs = randomInteger(0, 3);
      plan.push(`round ${round}: after ${commitsBeforeKill} commits + ${delayMs} ms`);
      let commits = 0;
      await child.waitForLine((line) => line.startsWith('committed ') && ++commits >= commitsBeforeKill, 30_000);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.kill();
      const exit = await child.exited;
      expect({ round, signal: exit.signal, done: child.lines.some((line) => line.startsWith('done ')) }).toEqual({
        round,
        signal: 'SIGKILL',
        done: false,
      });
      checkpoints.push(checkpointOf(crashPath));
    }

    const last = new TsxChild(childScript('projection-child.ts'), [fixture.eventsPath, crashPath, String(batchSize)]);
    const exit = await last.exited;
    expect({ code: exit.code, stderr: last.stderr }).toEqual({ code: 0, stderr: '' });
    expect(last.lines.at(-1)).toBe(`done ${head}`);

    // Every kill came mid-stream, and each restart moved on from where the previous run's commits had got to.
    for (let index = 0; index < checkpoints.length; index += 1) {
      expect({ plan: plan[index], below: checkpoints[index]! < head }).toEqual({ plan: plan[index], below: true });
      if (index > 0) expect(checkpoints[index]! > checkpoints[index - 1]!).toBe(true);
    }
    const crashed = new SqliteReadModelStore(crashPath);
    try {
      expect(crashed.readCheckpoint(crashed.database, 'key-totals')).toBe(head);
      expect(readKeyTotals(crashed.database)).toEqual(expected);
    } finally {
      crashed.close();
    }
  });
});
