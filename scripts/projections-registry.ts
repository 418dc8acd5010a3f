/** The projections `npm run rebuild-projection` knows: the switch's own list (adapters/readmodel-sqlite/projections). */
export { switchProjections } from '../adapters/readmodel-sqlite/projections/switch-projections';
