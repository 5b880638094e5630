/**
 * The training log: one JSON object per optimizer step (step, lr, loss, lm_loss, align_loss,
 * grad_norm, tokens/s …), appended and flushed line by line so a crash loses at most one line and
 * `--resume` can continue the same file.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface StepMetrics {
  step: number;
  lr: number;
  loss: number;
  lm_loss: number;
  align_loss: number;
  grad_norm: number;
  [extra: string]: number | string;
}

export class MetricsLog {
  constructor(readonly file: string) {}

  append(m: StepMetrics): void {
    appendFileSync(this.file, `${JSON.stringify(m)}\n`);
  }

  /** Every complete line written so far (a truncated last line is ignored). */
  read(): StepMetrics[] {
    if (!existsSync(this.file)) return [];
    const out: StepMetrics[] = [];
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as StepMetrics);
      } catch {
        break;
      }
    }
    return out;
  }

  /** Drops lines after `step` (a resumed run rewrites the steps it repeats). */
  truncateAfter(step: number): void {
    const kept = this.read().filter((m) => m.step <= step);
    writeFileSync(this.file, kept.map((m) => `${JSON.stringify(m)}\n`).join(''));
  }
}
