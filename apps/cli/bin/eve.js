#!/usr/bin/env node
// Installed entry point: runs the built CLI. Inside the workspace, `pnpm eve` runs the
// TypeScript sources directly instead (see the root package.json).
import { main } from '../dist/index.js';

process.exitCode = await main(process.argv.slice(2));
