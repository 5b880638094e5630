// Workspace entry point for `pnpm eve …` (runs from sources through tsx).
import { main } from './index.js';

process.exitCode = await main(process.argv.slice(2));
