// @ts-check
/**
 * ESLint for the TypeScript sources, type-aware (typescript-eslint's project service reads tsconfig.json).
 * Formatting is prettier's job (`npm run format`), unused exports are knip's (`knip.json`); `npm run lint` runs both.
 */
import eslint from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * No function in core/ was longer than this when the rule came in (the longest was 52 lines). Should one ever have
 * to be longer, it goes in an override below naming its file and function, with its length then as its maximum:
 * an exception to shrink, not to grow (and the README lists it).
 */
const coreFunctionLinesMax = 70;

export default defineConfig(
  globalIgnores(['node_modules/', 'dist/', 'data/', '.tmp/', 'coverage/', 'test-results/', 'load-tests/.bin/', 'load-tests/results/']),
  {
    files: ['**/*.ts'],
    extends: [eslint.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection ends the process) and its ordering.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A leading underscore marks a value left out on purpose (a rest sibling, a parameter an interface requires).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Off: an async function without await is how the adapters implement an async port synchronously
      // (better-sqlite3) while still turning a throw into a rejection, which is what callers of a port expect.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      // The domain depends on nothing outside it: adapters, the HTTP edge and the simulators depend on core, never the reverse.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(adapters|api|simulators)(/|$)',
              message: 'core/ is the domain: it imports nothing from adapters/, api/ or simulators/ (define a port in core/ instead).',
            },
          ],
        },
      ],
      'max-lines-per-function': ['error', { max: coreFunctionLinesMax, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Off in tests only: jest's asymmetric matchers (expect.any, expect.objectContaining, ...) and JSON.parse of a
      // response body are typed `any`, and tests use them on nearly every assertion; the sources keep these rules.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    // Plain JavaScript: the recommended rules, no type information.
    files: ['**/*.{js,mjs}'],
    extends: [eslint.configs.recommended],
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
  {
    // CommonJS: jest's config and the request helper that both k6 and the TypeScript runner load.
    files: ['jest.config.js', 'load-tests/transfer-request.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    // The k6 scenarios and their shared module run in k6's JavaScript runtime, which provides these globals.
    files: ['load-tests/*.k6.js', 'load-tests/k6-common.js'],
    languageOptions: {
      globals: { __ENV: 'readonly', __VU: 'readonly', __ITER: 'readonly', open: 'readonly', crypto: 'readonly', console: 'readonly' },
    },
  },
);
