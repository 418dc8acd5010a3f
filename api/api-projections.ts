import { directoryProjection } from '../adapters/readmodel-sqlite/projections/directory-projection';
import { keysProjection } from '../adapters/readmodel-sqlite/projections/keys-projection';
import { participantsProjection } from '../adapters/readmodel-sqlite/projections/participants-projection';
import type { SqliteReadModelTx } from '../adapters/readmodel-sqlite/sqlite-read-model-store';
import type { Projection } from '../core/eventstore/projection';
import { switchProjections } from '../scripts/projections-registry';

/** The projections the API reads: participants, their keys, the alias directory. */
export const apiProjections: readonly Projection<SqliteReadModelTx>[] = [participantsProjection, keysProjection, directoryProjection];

/** Every projection the running switch keeps: the registry's and the API's, each once. */
export function runningProjections(): Projection<SqliteReadModelTx>[] {
  const byName = new Map<string, Projection<SqliteReadModelTx>>();
  for (const projection of [...apiProjections, ...switchProjections]) byName.set(projection.name, projection);
  return [...byName.values()];
}
