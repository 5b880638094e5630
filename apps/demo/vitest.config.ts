import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config.base.ts';

// The browser tests start a server, load a model and drive headless Chromium: give them time.
export default mergeConfig(base, defineConfig({ test: { name: 'demo', testTimeout: 240_000, hookTimeout: 240_000 } }));
