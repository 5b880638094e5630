/** What every route shares: the model runtime, the resolved options, the queue, metrics and files. */
import type { EveRuntime } from '@evejs/model/runtime';
import type { FileStore } from './file-store.js';
import type { Metrics } from './metrics.js';
import type { RequestQueue } from './request-queue.js';
import type { ResolvedServerOptions } from './server-options.js';

export interface ServerContext {
  readonly runtime: EveRuntime;
  readonly options: ResolvedServerOptions;
  readonly queue: RequestQueue;
  readonly metrics: Metrics;
  readonly files: FileStore;
  /** Unix seconds when the server started (the model's `created`). */
  readonly startedAt: number;
  /** Aborted when the server closes: running generations stop. */
  readonly shutdown: AbortController;
}
