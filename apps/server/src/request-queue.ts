/**
 * A FIFO admission queue in front of the model: at most `concurrency` requests generate at once
 * (one model instance: default 1), at most `limit` more wait; past that `acquire` refuses at once
 * so the server can answer 429 instead of piling up work. Waiters leave the queue when their
 * signal aborts (client gone, timeout). It schedules only; it does not run anything itself.
 */

/** Thrown by {@link RequestQueue.acquire} when the waiting line is full. */
export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class RequestQueue {
  #running = 0;
  readonly #waiting: Waiter[] = [];

  constructor(
    /** Requests allowed to run at once (≥ 1). */
    readonly concurrency: number,
    /** Requests allowed to wait (≥ 0). */
    readonly limit: number,
  ) {
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
    if (!(Number.isInteger(limit) && limit >= 0)) throw new RangeError(`queue limit must be a whole number ≥ 0, got ${limit}`);
  }

  /** Requests running now. */
  get running(): number {
    return this.#running;
  }

  /** Requests waiting for a slot. */
  get depth(): number {
    return this.#waiting.length;
  }

  /**
   * Waits for a slot and resolves with its `release` function (call it exactly once; extra calls
   * are ignored). Rejects with QueueFullError when the line is full, or with the signal's reason.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#running < this.concurrency && this.#waiting.length === 0) return Promise.resolve(this.#grant());
    if (this.#waiting.length >= this.limit) return Promise.reject(new QueueFullError(`the request queue is full (${this.limit} waiting, ${this.#running} running)`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.#waiting.indexOf(waiter);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #grant(): () => void {
    this.#running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running--;
      this.#next();
    };
  }

  #next(): void {
    while (this.#running < this.concurrency && this.#waiting.length > 0) {
      const w = this.#waiting.shift()!;
      w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve(this.#grant());
    }
  }
}
