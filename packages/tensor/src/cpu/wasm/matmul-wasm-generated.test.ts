/** The committed matmul-wasm.generated.ts is exactly what matmul.wat assembles to. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { GENERATED_PATH, renderMatmulWasmModule } from '../../../scripts/assemble-wasm.js';

it('matmul-wasm.generated.ts is up to date with matmul.wat (run `pnpm --filter @evejs/tensor build:wasm`)', async () => {
  expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(await renderMatmulWasmModule());
});
