/**
 * A progress bar for long commands, on stderr so stdout stays machine-readable. On a terminal it
 * redraws one line (bar, count, rate, ETA, extra fields such as loss); elsewhere (CI, pipes) it
 * prints a plain line at most every few seconds and at the end.
 */
export interface ProgressOptions {
  /** Label before the bar. */
  label: string;
  total: number;
  /** Unit for the rate (default "it"). */
  unit?: string;
  stream?: NodeJS.WriteStream;
  /** Minimum milliseconds between non-TTY lines (default 5000). */
  plainIntervalMs?: number;
}

export class ProgressBar {
  readonly #opts: Required<Omit<ProgressOptions, 'stream'>> & { stream: NodeJS.WriteStream };
  readonly #startMs = Date.now();
  #lastPlainMs = 0;
  #done = 0;

  constructor(opts: ProgressOptions) {
    this.#opts = { unit: 'it', plainIntervalMs: 5000, stream: process.stderr, ...opts };
  }

  /** Sets the count done and redraws; `fields` are shown after the ETA (e.g. { loss: '1.23' }). */
  update(done: number, fields: Record<string, string | number> = {}): void {
    this.#done = done;
    const { stream, total, label, unit, plainIntervalMs } = this.#opts;
    const elapsedS = (Date.now() - this.#startMs) / 1000;
    const rate = elapsedS > 0 ? done / elapsedS : 0;
    const etaS = rate > 0 ? (total - done) / rate : NaN;
    const extra = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join('  ');
    const stats = `${done}/${total}  ${rate.toFixed(rate < 10 ? 2 : 0)} ${unit}/s  ETA ${formatSeconds(etaS)}${extra ? `  ${extra}` : ''}`;
    if (stream.isTTY) {
      const width = 24;
      const filled = total > 0 ? Math.round((width * done) / total) : width;
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${stats}\x1b[K`);
      if (done >= total) stream.write('\n');
    } else if (done >= total || Date.now() - this.#lastPlainMs >= plainIntervalMs) {
      this.#lastPlainMs = Date.now();
      stream.write(`${label}: ${stats}\n`);
    }
  }

  /** Advances by one. */
  tick(fields?: Record<string, string | number>): void {
    this.update(this.#done + 1, fields);
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  // Round once, before splitting into units: 119.6 s is "2m00s", never "1m60s".
  const whole = Math.round(s);
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}
