// Lints the TypeScript of src/, test/ and bench/ with type information (typescript-eslint's
// project service reads tsconfig.json, which includes all three), plus eslint-plugin-regexp:
// the bot runs regular expressions over text pasted into Slack, so a pattern that can backtrack
// super-linearly is a denial of service, and is an error here.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'coverage/']),
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked, regexp.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection ends the process) and
      // its ordering: every one must be awaited, returned, or marked `void` on purpose.
      '@typescript-eslint/no-floating-promises': 'error',
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
      // Noise here: many functions are async because a contract says so (a subcommand's `run`, a
      // surface's `finish`, a fake's fetch, an answer replayed from the cache as an async
      // generator) while this implementation happens to have nothing to wait for.
      '@typescript-eslint/require-await': 'off',
      // The codebase drops a key by destructuring it into `_unused` next to `...rest`, and names
      // parameters it must accept but does not read with a leading underscore (`_req`, `_label`).
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests, fakes and the benchmark only ever run their patterns on text they wrote themselves:
    // the super-linear rules guard what the bot runs on text from Slack, the model and tools.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'regexp/no-super-linear-backtracking': 'off',
      'regexp/no-super-linear-move': 'off',
      // vitest's asymmetric matchers (expect.any, expect.stringContaining…) are typed `any`, and
      // tests read parsed JSON (log lines, request bodies) whose shape is what they assert.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
);
