import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config.base.ts';

// Test files run one at a time: each creates its own GPU device, and lavapipe runs on the CPU.
export default mergeConfig(
  base,
  // lavapipe compiles each pipeline with LLVM on the CPU; on a loaded 2-core machine a first matmul
  // can take tens of seconds, so tests get more time than the workspace default.
  defineConfig({ test: { name: 'backend-webgpu', fileParallelism: false, setupFiles: ['./test/setup.ts'], testTimeout: 300_000 } }),
);
