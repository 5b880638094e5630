/**
 * Stops training on a non-finite loss or gradient norm with a message that says where, instead of
 * writing a checkpoint full of NaNs.
 */
import { EveError } from '@evejs/tensor';

export class TrainingDivergedError extends EveError {
  override name = 'TrainingDivergedError';
}

export function assertFinite(step: number, values: Record<string, number>): void {
  for (const [k, v] of Object.entries(values)) {
    if (!Number.isFinite(v)) {
      throw new TrainingDivergedError(
        `step ${step}: ${k} is ${v}; stopping without saving (lower --lr, check the data, or resume from the last checkpoint)`,
      );
    }
  }
}
