/**
 * The typed errors of evejs. Every package throws these (or subclasses) so that callers can tell
 * bad input (a user's mistake, reported clearly) from a bug. Messages name the thing at fault.
 */

/** Base class of all evejs errors. */
export class EveError extends Error {
  override name = 'EveError';
}

/** Shapes that do not fit together (matmul inner dims, broadcasting, axes out of range). */
export class ShapeError extends EveError {
  override name = 'ShapeError';
}

/** A dtype an op or file does not accept. */
export class DTypeError extends EveError {
  override name = 'DTypeError';
}

/** A tensor used after `dispose()`. */
export class DisposedError extends EveError {
  override name = 'DisposedError';
}

/** A backend that cannot start, or an op it cannot run. */
export class BackendError extends EveError {
  override name = 'BackendError';
}

/** A malformed or truncated file (checkpoint, tokenizer, image): names the file and the problem. */
export class FormatError extends EveError {
  override name = 'FormatError';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}
