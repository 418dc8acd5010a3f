import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from '../adapters/eventstore-sqlite/sqlite-event-store';
import { readModelPath, SqliteReadModelStore, type SqliteReadModelTx } from '../adapters/readmodel-sqlite/sqlite-read-model-store';
import type { Projection } from '../core/eventstore/projection';
import { ProjectionRunner } from '../core/eventstore/projection-runner';
import { switchProjections } from './projections-registry';

/**
 * `npm run rebuild-projection -- <name> [--data-dir DIR]`: clears one projection's tables and checkpoint and
 * replays the whole event log into it. Safe beside a running server on the same data dir: each batch checks the
 * stored checkpoint in its transaction, and the server's runner notices the reset and skips what this one applied.
 *
 * Exit codes: 0 rebuilt, 1 failed, 2 bad usage (an unknown projection, a bad argument).
 */

export const usage = 'usage: npm run rebuild-projection -- <projection-name> [--data-dir DIR]';

export type CommandOutput = { out: (line: string) => void; err: (line: string) => void };

type ParsedArguments =
  { kind: 'run'; projectionName: string; dataDir: string | null } | { kind: 'help' } | { kind: 'usage_error'; message: string };

export function parseRebuildArguments(argv: readonly string[]): ParsedArguments {
  const positional: string[] = [];
  let dataDir: string | null = null;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === '--help' || argument === '-h') return { kind: 'help' };
    if (argument === '--data-dir') {
      const value = argv[index + 1];
      if (value === undefined || value.length === 0) return { kind: 'usage_error', message: '--data-dir needs a directory' };
      dataDir = value;
      index += 1;
    } else if (argument.startsWith('--data-dir=')) {
      dataDir = argument.slice('--data-dir='.length);
      if (dataDir.length === 0) return { kind: 'usage_error', message: '--data-dir needs a directory' };
    } else if (argument.startsWith('-')) {
      return { kind: 'usage_error', message: `unknown option ${argument}` };
    } else {
      positional.push(argument);
    }
  }
  if (positional.length !== 1) return { kind: 'usage_error', message: 'name exactly one projection to rebuild' };
  return { kind: 'run', projectionName: positional[0]!, dataDir };
}

export async function runRebuildCommand(
  argv: readonly string[],
  projections: readonly Projection<SqliteReadModelTx>[],
  output: CommandOutput,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = parseRebuildArguments(argv);
  const known = projections.map((projection) => projection.name);
  const knownList = known.length === 0 ? '(none registered yet)' : known.join(', ');
  if (parsed.kind === 'help') {
    output.out(`${usage}\nprojections: ${knownList}`);
    return 0;
  }
  if (parsed.kind === 'usage_error') {
    output.err(`${parsed.message}\n${usage}\nprojections: ${knownList}`);
    return 2;
  }
  if (!known.includes(parsed.projectionName)) {
    output.err(`unknown projection "${parsed.projectionName}"; known projections: ${knownList}`);
    return 2;
  }
  const dataDir = resolve(parsed.dataDir ?? environment['HISAAB_DATA_DIR'] ?? './data');
  const eventsPath = eventStorePath(dataDir, environment['HISAAB_EVENTSTORE']);
  if (eventsPath.kind === 'refused') {
    output.err(eventsPath.message);
    return 2;
  }
  // Opening a missing file would create an empty log and "rebuild" the read model to nothing.
  if (!existsSync(eventsPath.path)) {
    output.err(`no event store at ${eventsPath.path}; pass the switch's data dir with --data-dir`);
    return 1;
  }
  return rebuild(parsed.projectionName, eventsPath.path, readModelPath(dataDir), projections, output);
}

async function rebuild(
  projectionName: string,
  eventsPath: string,
  readModelsPath: string,
  projections: readonly Projection<SqliteReadModelTx>[],
  output: CommandOutput,
): Promise<number> {
  const store = new SqliteEventStore(eventsPath);
  const readModels = new SqliteReadModelStore(readModelsPath);
  const startedMs = Date.now();
  try {
    const runner = new ProjectionRunner({ store, readModels, projections });
    const result = await runner.rebuild(projectionName);
    const elapsedMs = Date.now() - startedMs;
    output.out(
      `rebuilt ${result.projectionName}: replayed ${result.eventsReplayed} events (${result.eventsApplied} applied) up to position ${result.position} in ${elapsedMs} ms`,
    );
    return 0;
  } catch (error) {
    output.err(`rebuild of ${projectionName} failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await store.close();
    readModels.close();
  }
}

function eventStorePath(
  dataDir: string,
  configured: string | undefined,
): { kind: 'path'; path: string } | { kind: 'refused'; message: string } {
  if (configured === undefined || configured.length === 0) return { kind: 'path', path: join(dataDir, 'hisaab.db') };
  if (configured.startsWith('sqlite:')) return { kind: 'path', path: resolve(configured.slice('sqlite:'.length)) };
  return {
    kind: 'refused',
    // The value is not echoed: an esdb:// connection string may carry credentials.
    message:
      'HISAAB_EVENTSTORE is not a sqlite: location; this command replays from the embedded SQLite store only (sqlite:PATH, or unset for DATA_DIR/hisaab.db)',
  };
}

if (require.main === module) {
  runRebuildCommand(process.argv.slice(2), switchProjections, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (exitCode) => {
      process.exitCode = exitCode;
    },
    (error: unknown) => {
      process.stderr.write(`rebuild-projection crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
