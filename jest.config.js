/** Jest runs the TypeScript sources through swc (type checking is `npm run typecheck`, run first by `npm test`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    // jose (JWS signing and verification) ships as ES modules only: swc turns it into CommonJS for jest's loader.
    '^.+/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 60000,
  // Two cores: run two test files at a time so that the process-kill tests keep their timing honest.
  maxWorkers: 2,
};
