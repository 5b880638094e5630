// Builds the demo page. The `@evejs/source` condition makes workspace packages resolve to their
// TypeScript sources (as in tests), so the page needs no package build first.
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  root: __dirname,
  base: './',
  resolve: { conditions: ['@evejs/source', ...defaultClientConditions] },
  build: { outDir: 'dist', target: 'es2022', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
