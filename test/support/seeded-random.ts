// The simulators' fault mixes draw from the same generator, so it lives beside them.
export { seededRandom } from '../../simulators/seeded-random';
