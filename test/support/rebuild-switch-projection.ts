import { switchProjections } from '../../adapters/readmodel-sqlite/projections/switch-projections';
import { runRebuildCommand } from '../../scripts/rebuild-projection';

/**
 * Rebuilds one of the switch's projections from position 0 in `dataDir` as `npm run rebuild` does, and fails the
 * test with the command's output unless it exits 0.
 */
export async function rebuildSwitchProjection(projection: string, dataDir: string): Promise<void> {
  const output: string[] = [];
  const exitCode = await runRebuildCommand(
    [projection, '--data-dir', dataDir],
    switchProjections,
    { out: (line) => output.push(line), err: (line) => output.push(line) },
    {},
  );
  expect({ projection, exitCode, output }).toMatchObject({ exitCode: 0 });
}
