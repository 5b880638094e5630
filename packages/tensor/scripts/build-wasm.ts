/** Writes src/cpu/wasm/matmul-wasm.generated.ts from matmul.wat (see assemble-wasm.ts). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GENERATED_PATH, renderMatmulWasmModule } from './assemble-wasm.js';

writeFileSync(GENERATED_PATH, await renderMatmulWasmModule());
console.log(`wrote ${fileURLToPath(GENERATED_PATH)}`);
