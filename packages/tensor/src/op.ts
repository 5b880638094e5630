/**
 * How an op is declared: once, here in @evejs/tensor, with its name, its shape/dtype rule and its
 * gradient written in other ops. Backends only supply forward kernels (kernel-registry.ts), so
 * every backend gets training for free. View ops (reshape, permute, slice, broadcast) declare a
 * `view` instead of a kernel and share storage.
 *
 * To add an op: declare an `OpDef` in `ops/<family>.ts`, export a typed public function that calls
 * `engine.runOp`, give it a CPU kernel in `cpu/kernels/`, and add it to the op test suite.
 */
import type { OutputSpec } from './kernel-registry.js';
import type { Tensor } from './tensor.js';

export interface GradContext<A> {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: A;
  /** Gradient of the loss w.r.t. each output; null where an output did not reach the loss. */
  readonly dys: readonly (Tensor | null)[];
}

export interface ViewResult {
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
}

export interface OpDef<A> {
  /** The op's one name: public function, kernel key, test and error messages. */
  readonly name: string;
  /** Output shapes and dtypes; throws ShapeError/DTypeError for inputs the op does not accept. */
  infer(inputs: readonly Tensor[], attrs: A): OutputSpec[];
  /** Kernels read strided inputs directly (broadcast, transposed); otherwise inputs arrive contiguous. */
  readonly stridedInputs?: boolean;
  /**
   * Finer than `stridedInputs`: true where input `index` may reach the kernels as the strided view
   * it is, false where it must arrive contiguous (matmul takes matrices whose rows are dense but
   * whose batch axes stride freely, e.g. a KV-cache prefix). Every backend's kernel for the op
   * must read what this accepts; the CPU fallback always hands the CPU kernel dense copies.
   */
  acceptsView?(input: Tensor, index: number, attrs: A): boolean;
  /**
   * In-place ops (writeSlice): the kernel writes into input 0's storage and returns that
   * storage's handle, the same one or, on backends whose storage is immutable (tfjs), a
   * replacement holding the updated values that the engine swaps in for every view of it.
   * `infer` returns no outputs; no input may require grad (nothing is recorded).
   */
  readonly mutatesInput?: boolean;
  /** For view ops: the view of input 0 that is the output (no kernel, shared storage). */
  view?(input: Tensor, attrs: A): ViewResult;
  /** Gradients w.r.t. each input, built from other ops; null for inputs without a gradient. */
  grad?(ctx: GradContext<A>): (Tensor | null)[];
}

/** Declares an op (identity helper that keeps the attrs type). */
export function defineOp<A>(def: OpDef<A>): OpDef<A> {
  return def;
}
