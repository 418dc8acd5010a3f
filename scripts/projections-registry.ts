import type { SqliteReadModelTx } from '../adapters/readmodel-sqlite/sqlite-read-model-store';
import type { Projection } from '../core/eventstore/projection';

/**
 * Every projection of the switch, by name: what the server runs and what `npm run rebuild-projection -- <name>`
 * can rebuild. Add each projection here as it is built; names must be unique (the runner asserts it).
 */
export const switchProjections: readonly Projection<SqliteReadModelTx>[] = [];
