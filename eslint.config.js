// Lints what the compiler cannot see: floating promises, misused promises, awaited non-promises.
import tseslint from 'typescript-eslint';

// One way into the kit: `@portico/kit` (authors), `@portico/kit/runtime` (hosts) and
// `@portico/kit/testing` (tests) — never its files.
const kitInternals = {
  group: ['**/kit/src', '**/kit/src/**', '**/gateway/src/kit.ts'],
  message: 'Import @portico/kit, @portico/kit/runtime or @portico/kit/testing, not the kit’s files.',
};
// A service (its source and its tests) knows no other service: what crosses the boundary is in
// @portico/contracts; tests that need two services live in test/flows.
const otherServices = {
  group: ['../../*/src/**', '../../*/test/**', '../../../*/src/**', '../../../*/test/**'],
  message: 'A service does not import another service; share the contract through @portico/contracts.',
};
const servicePackages = {
  group: ['@portico/*', '!@portico/kit', '!@portico/kit/*', '!@portico/contracts'],
  message: 'A service depends on @portico/kit and @portico/contracts only.',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', '**/node_modules/**', 'packages/client/src/schema.ts'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': 'off',
      'no-debugger': 'error',
      'no-restricted-imports': ['error', { patterns: [kitInternals] }],
    },
  },
  {
    files: ['services/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [kitInternals, otherServices, servicePackages] }],
    },
  },
  {
    // The kit's own files import each other.
    files: ['packages/kit/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
