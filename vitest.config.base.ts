// Shared vitest settings; every package's vitest.config.ts merges this.
// The `@evejs/source` condition makes workspace packages resolve to their TypeScript sources,
// so tests run without a build (the same condition tsconfig's customConditions names).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@evejs/source'] },
  ssr: { resolve: { conditions: ['@evejs/source'] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
