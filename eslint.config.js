// Lint for the whole workspace: typescript-eslint's recommended rules on every package, app and
// tool (type-aware rules are left to `tsc`, which already runs strict with noUnused*). Zero
// warnings are allowed: `pnpm lint` runs with --max-warnings 0 in CI.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/build/**', '**/*.generated.ts', 'apps/demo/test-results/**', '**/.nx/**', '**/coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed bindings are deliberately unused (destructuring away a field).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
);
