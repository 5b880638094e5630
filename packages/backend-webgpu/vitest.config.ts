import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config.base.ts';

// One GPU device per test file; files run one at a time so lavapipe's CPU threads are not shared.
export default mergeConfig(base, defineConfig({ test: { name: 'backend-webgpu', fileParallelism: false } }));
