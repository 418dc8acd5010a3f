import Database from 'better-sqlite3';
import { readModelPath } from '../../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { ReadModelRebuild } from '../../../scripts/chaos/read-model-comparison';
import { onboardParticipant, startTestSwitch, type TestSwitch } from '../../support/switch-process';
import { tempDir } from '../../support/temp-dir';

/**
 * The crash loop's read-model check must be able to fail: on a real switch's data dir it finds the live read
 * models equal to its private rebuild from the log, and it names the table when a live row differs.
 */
let testSwitch: TestSwitch;
let directory: { path: string; remove: () => void };

beforeAll(async () => {
  testSwitch = await startTestSwitch();
  directory = tempDir('hisaab-chaos-rebuild-');
  await onboardParticipant(testSwitch, 'MARGALLA', 'MRGL');
  await onboardParticipant(testSwitch, 'RAVI', 'RAVI');
});

afterAll(async () => {
  await testSwitch.close();
  directory.remove();
});

it('finds the live read models equal to a rebuild from the log, then names a table whose row was changed behind its back', async () => {
  const store = testSwitch.running.store;
  await testSwitch.running.dependencies.readModels.waitForPosition(await store.headPosition(), 5_000);
  const rebuild = new ReadModelRebuild(directory.path);
  try {
    const clean = await rebuild.compare(store, testSwitch.dataDir);
    expect(clean).toMatchObject({ equal: true, differences: [] });
    expect(clean.rows).toBeGreaterThan(2);
    const live = new Database(readModelPath(testSwitch.dataDir));
    live.prepare("UPDATE participants SET name = 'tampered' WHERE id = 'RAVI'").run();
    live.close();
    const tampered = await rebuild.compare(store, testSwitch.dataDir);
    expect(tampered.equal).toBe(false);
    expect(tampered.differences).toEqual([expect.stringMatching(/^participants: live row .*tampered.* is rebuilt as /)]);
  } finally {
    rebuild.close();
  }
});
