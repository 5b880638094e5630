/**
 * The server's counters and their Prometheus text exposition (format 0.0.4), written by hand:
 * a handful of series do not justify a client library. Gauges that describe the queue are read
 * live from it when rendering. Not here: HTTP wiring (routes/health.ts serves this).
 */
import type { RequestQueue } from './request-queue.js';

/** Upper bounds (seconds) of the request latency histogram. */
export const LATENCY_BUCKETS_S: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export class Metrics {
  /** Requests by route and HTTP status. */
  readonly #requests = new Map<string, number>();
  readonly #bucketCounts = LATENCY_BUCKETS_S.map(() => 0);
  #latencySumS = 0;
  #latencyCount = 0;
  #completionTokens = 0;
  #promptTokens = 0;
  #generationSeconds = 0;
  #lastTokensPerSecond = 0;
  #cancelled = 0;
  #timedOut = 0;

  constructor(private readonly queue: RequestQueue) {}

  /** Counts one finished HTTP request. */
  recordRequest(route: string, status: number): void {
    const key = `${route}\u0000${status}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
  }

  /** One chat completion's latency, from arrival to the last byte. */
  recordLatency(seconds: number): void {
    this.#latencySumS += seconds;
    this.#latencyCount++;
    LATENCY_BUCKETS_S.forEach((b, i) => {
      if (seconds <= b) this.#bucketCounts[i]!++;
    });
  }

  /** Tokens of one generation (also when it was cut short) and the time generation took. */
  recordGeneration(promptTokens: number, completionTokens: number, seconds: number): void {
    this.#promptTokens += promptTokens;
    this.#completionTokens += completionTokens;
    this.#generationSeconds += seconds;
    if (completionTokens > 0 && seconds > 0) this.#lastTokensPerSecond = completionTokens / seconds;
  }

  /** Mean chat completion latency so far (0 before the first); used for Retry-After. */
  averageLatencySeconds(): number {
    return this.#latencyCount === 0 ? 0 : this.#latencySumS / this.#latencyCount;
  }

  recordCancelled(): void {
    this.#cancelled++;
  }

  recordTimeout(): void {
    this.#timedOut++;
  }

  /** Requests counted so far for a route and status (for tests and /health). */
  requestCount(route: string, status: number): number {
    return this.#requests.get(`${route}\u0000${status}`) ?? 0;
  }

  /** The Prometheus text exposition. */
  render(): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: readonly string[]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
    };
    metric('eve_queue_depth', 'gauge', 'Requests waiting for a generation slot.', [`eve_queue_depth ${this.queue.depth}`]);
    metric('eve_requests_in_flight', 'gauge', 'Requests generating now.', [`eve_requests_in_flight ${this.queue.running}`]);
    metric('eve_queue_concurrency', 'gauge', 'Generation slots (--concurrency).', [`eve_queue_concurrency ${this.queue.concurrency}`]);
    metric('eve_queue_limit', 'gauge', 'Most requests allowed to wait (--queue-limit).', [`eve_queue_limit ${this.queue.limit}`]);
    metric(
      'eve_http_requests_total',
      'counter',
      'HTTP requests by route and status.',
      [...this.#requests.entries()].sort().map(([key, n]) => {
        const [route, status] = key.split('\u0000') as [string, string];
        return `eve_http_requests_total{route="${escapeLabel(route)}",status="${status}"} ${n}`;
      }),
    );
    metric('eve_prompt_tokens_total', 'counter', 'Prompt tokens processed (image tokens included).', [`eve_prompt_tokens_total ${this.#promptTokens}`]);
    metric('eve_generated_tokens_total', 'counter', 'Completion tokens generated.', [`eve_generated_tokens_total ${this.#completionTokens}`]);
    metric('eve_generation_seconds_total', 'counter', 'Seconds spent generating (prefill and decode).', [`eve_generation_seconds_total ${this.#generationSeconds}`]);
    metric('eve_tokens_per_second', 'gauge', 'Completion tokens per second of the last finished generation.', [`eve_tokens_per_second ${this.#lastTokensPerSecond}`]);
    metric('eve_requests_cancelled_total', 'counter', 'Generations cancelled because the client went away.', [`eve_requests_cancelled_total ${this.#cancelled}`]);
    metric('eve_requests_timed_out_total', 'counter', 'Requests that hit --timeout-ms.', [`eve_requests_timed_out_total ${this.#timedOut}`]);
    const buckets = LATENCY_BUCKETS_S.map((b, i) => `eve_request_duration_seconds_bucket{le="${b}"} ${this.#bucketCounts[i]}`);
    metric('eve_request_duration_seconds', 'histogram', 'Chat completion latency from arrival to the last byte.', [
      ...buckets,
      `eve_request_duration_seconds_bucket{le="+Inf"} ${this.#latencyCount}`,
      `eve_request_duration_seconds_sum ${this.#latencySumS}`,
      `eve_request_duration_seconds_count ${this.#latencyCount}`,
    ]);
    return `${lines.join('\n')}\n`;
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
