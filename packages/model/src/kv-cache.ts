/**
 * The key/value cache of a decoder: per layer, the keys and values of every position seen so
 * far, [B, kvHeads, length, headDim]. `append` returns the full keys/values including the new
 * positions and keeps them (outside any `tidy` scope) for the next step.
 *
 * Capacity is fixed when the cache is made (`maxLength`: the context limit) and checked on every
 * append, so a generation that would overflow fails before computing. The storage itself grows by
 * concatenation: the tensor engine has no in-place slice write, and its matmul kernels read
 * contiguous operands, so a preallocated buffer would be copied on every step anyway. When the
 * engine gains a `sliceWrite` op and strided matmul, this is the one place to change.
 */
import { concat, contiguous, EveError, keep, sliceAxis, type Tensor, tidy } from '@evejs/tensor';

export class KvCache {
  readonly #keys: (Tensor | null)[];
  readonly #values: (Tensor | null)[];
  #length = 0;

  constructor(
    readonly numLayers: number,
    readonly maxLength: number,
  ) {
    this.#keys = new Array<Tensor | null>(numLayers).fill(null);
    this.#values = new Array<Tensor | null>(numLayers).fill(null);
  }

  /** Positions cached so far (the position of the next token). */
  get length(): number {
    return this.#length;
  }

  /** Throws if `n` more positions do not fit. */
  reserve(n: number): void {
    if (this.#length + n > this.maxLength) {
      throw new EveError(`context full: ${this.#length} + ${n} positions exceed the limit of ${this.maxLength}`);
    }
  }

  /**
   * Adds new keys/values [B, kvHeads, T, headDim] for `layer`; returns the full cached tensors.
   * The last layer's append advances `length`.
   */
  append(layer: number, k: Tensor, v: Tensor): { k: Tensor; v: Tensor } {
    const oldK = this.#keys[layer] ?? null;
    const oldV = this.#values[layer] ?? null;
    const fullK = keep(oldK ? concat([oldK, k], 2) : k);
    const fullV = keep(oldV ? concat([oldV, v], 2) : v);
    oldK?.dispose();
    oldV?.dispose();
    this.#keys[layer] = fullK;
    this.#values[layer] = fullV;
    if (layer === this.numLayers - 1) this.#length = fullK.shape[2]!;
    return { k: fullK, v: fullV };
  }

  /** Forgets every position from `length` on (a new turn that shares only a prefix with the cached one). */
  truncate(length: number): void {
    if (length >= this.#length) return;
    if (length <= 0) {
      this.dispose();
      return;
    }
    for (let i = 0; i < this.numLayers; i++) {
      for (const list of [this.#keys, this.#values]) {
        const old = list[i];
        if (!old) continue;
        list[i] = keep(tidy(() => contiguous(sliceAxis(old, 2, 0, length))));
        old.dispose();
      }
    }
    this.#length = length;
  }

  /** Frees every cached tensor; the cache is empty and reusable afterwards. */
  dispose(): void {
    for (let i = 0; i < this.numLayers; i++) {
      this.#keys[i]?.dispose();
      this.#values[i]?.dispose();
      this.#keys[i] = null;
      this.#values[i] = null;
    }
    this.#length = 0;
  }
}
