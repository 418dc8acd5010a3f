import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ProjectionRunner } from '../../../core/eventstore/projection-runner';
import { parseRebuildArguments, runRebuildCommand } from '../../../scripts/rebuild-projection';
import { amountEvents, keyTotalsProjection, readKeyTotals } from '../../support/key-totals-projection';
import { appendAll, openProjectionFixture, type ProjectionFixture } from '../../support/projection-fixture';

const repositoryRoot = join(__dirname, '..', '..', '..');
const tsx = join(repositoryRoot, 'node_modules', '.bin', 'tsx');

function capture(): { lines: string[]; errors: string[]; output: { out: (line: string) => void; err: (line: string) => void } } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, output: { out: (line) => lines.push(line), err: (line) => errors.push(line) } };
}

describe('npm run rebuild-projection', () => {
  let fixture: ProjectionFixture;
  beforeEach(() => {
    fixture = openProjectionFixture('hisaab-rebuild-');
  });
  afterEach(async () => fixture.close());

  /** The read model a single never-interrupted run produces, in a file of its own. */
  async function reference(head: bigint): Promise<ReturnType<typeof readKeyTotals>> {
    const readModels = fixture.openReadModels('reference.db');
    const runner = new ProjectionRunner({ store: fixture.store, readModels, projections: [keyTotalsProjection()] });
    await runner.start();
    await runner.waitForPosition(head, 10_000);
    await runner.stop();
    return readKeyTotals(readModels.database);
  }

  it('rebuilds a damaged read model from position 0 and prints how many events it replayed', async () => {
    const events = amountEvents(3000, 25);
    const head = await appendAll(fixture.store, events);
    const server = new ProjectionRunner({ store: fixture.store, readModels: fixture.readModels, projections: [keyTotalsProjection()] });
    await server.start();
    await server.waitForPosition(head, 10_000);
    await server.stop();
    fixture.readModels.database.exec("UPDATE key_totals_rows SET sum_minor = 0 WHERE key = 'key-3'");
    fixture.readModels.database.exec("DELETE FROM key_totals_rows WHERE key = 'key-4'");

    const { lines, errors, output } = capture();
    const exitCode = await runRebuildCommand(['key-totals', '--data-dir', fixture.directory], [keyTotalsProjection()], output, {});

    expect({ exitCode, errors }).toEqual({ exitCode: 0, errors: [] });
    const applied = events.filter((event) => event.type === 'AmountRecorded').length;
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^rebuilt key-totals: replayed 3000 events \\(${applied} applied\\) up to position ${head} in \\d+ ms$`),
    );
    expect(readKeyTotals(fixture.readModels.database)).toEqual(await reference(head));
  });

  it('rebuilds beside a running server on the same read model, which notices the reset and applies nothing twice', async () => {
    const events = amountEvents(6000, 40);
    const caughtUp = await appendAll(fixture.store, events.slice(0, 4000));
    const server = new ProjectionRunner({
      store: fixture.store,
      readModels: fixture.readModels,
      projections: [keyTotalsProjection()],
      batchSize: 200,
    });
    await server.start();
    await server.waitForPosition(caughtUp, 10_000);
    // Live traffic while the command runs: the server applies it, the command's replay meets it in the log.
    const live = (async () => {
      for (let start = 4000; start < 6000; start += 100) {
        await fixture.store.append('live', events.slice(start, start + 100), 'any');
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const { lines, output } = capture();
    const exitCode = await runRebuildCommand([`--data-dir=${fixture.directory}`, 'key-totals'], [keyTotalsProjection()], output, {});
    await live;
    const head = await fixture.store.headPosition();
    await server.waitForPosition(head, 10_000);
    await server.stop();

    expect(exitCode).toBe(0);
    expect(lines[0]).toMatch(/^rebuilt key-totals: replayed \d+ events/);
    expect(server.resyncCount).toBeGreaterThanOrEqual(1);
    expect(fixture.readModels.readCheckpoint(fixture.readModels.database, 'key-totals')).toBe(head);
    expect(readKeyTotals(fixture.readModels.database)).toEqual(await reference(head));
  });

  it('refuses an unknown projection with the known names and exit code 2, as a real process', () => {
    const result = spawnSync(tsx, ['scripts/rebuild-projection.ts', 'no-such-projection', '--data-dir', fixture.directory], {
      cwd: repositoryRoot,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown projection "no-such-projection"; known projections:');
    expect(result.stdout).toBe('');
  });

  it('names the known projections when refusing an unknown one', async () => {
    const { errors, output } = capture();
    const exitCode = await runRebuildCommand(['totals'], [keyTotalsProjection(), keyTotalsProjection('other')], output, {});
    expect(exitCode).toBe(2);
    expect(errors).toEqual(['unknown projection "totals"; known projections: key-totals, other']);
  });

  it('refuses a data dir without an event store, and changes nothing', async () => {
    const { errors, output } = capture();
    const missing = join(fixture.directory, 'nowhere');
    const exitCode = await runRebuildCommand(['key-totals', '--data-dir', missing], [keyTotalsProjection()], output, {});
    expect(exitCode).toBe(1);
    expect(errors).toEqual([`no event store at ${join(missing, 'hisaab.db')}; pass the switch's data dir with --data-dir`]);
  });

  it('refuses bad usage with exit code 2', async () => {
    expect(parseRebuildArguments([])).toEqual({ kind: 'usage_error', message: 'name exactly one projection to rebuild' });
    expect(parseRebuildArguments(['a', 'b'])).toEqual({ kind: 'usage_error', message: 'name exactly one projection to rebuild' });
    expect(parseRebuildArguments(['a', '--data-dir'])).toEqual({ kind: 'usage_error', message: '--data-dir needs a directory' });
    expect(parseRebuildArguments(['a', '--fast'])).toEqual({ kind: 'usage_error', message: 'unknown option --fast' });
    expect(parseRebuildArguments(['a', '--data-dir', 'd'])).toEqual({ kind: 'run', projectionName: 'a', dataDir: 'd' });
    const { errors, output } = capture();
    expect(await runRebuildCommand(['--fast'], [keyTotalsProjection()], output, {})).toBe(2);
    expect(errors[0]).toContain('unknown option --fast');
    expect(
      await runRebuildCommand(['key-totals'], [keyTotalsProjection()], output, { HISAAB_EVENTSTORE: 'esdb://admin:secret@host:2113' }),
    ).toBe(2);
    expect(errors[1]).not.toContain('secret');
  });
});
