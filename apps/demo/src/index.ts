/**
 * @evejs/demo (Node side) — serves the demo page next to the EVE server. The page itself is
 * main.ts and its modules, bundled by vite; nothing here runs in the browser.
 *
 * @example
 * import { startDemo } from '@evejs/demo';
 * const server = await startDemo({ modelDir: 'models/eve-shapes-tiny', port: 0 });
 * console.error(`open ${server.url}`);
 */
export { startDemo, buildDemoPage, DEMO_ROOT, DEMO_DIST, type StartDemoOptions } from './start-demo.js';
export { registerDemoRoutes, type DemoRoutesOptions } from './demo-routes.js';
