/**
 * The key/value cache of a decoder: per layer, the keys and values of every position seen so
 * far, [B, kvHeads, length, headDim]. `append` writes the new positions and returns views of the
 * filled prefix, which attention multiplies against directly.
 *
 * Storage is preallocated: each layer gets one K and one V buffer [B, kvHeads, maxLength, headDim]
 * (f32, on the backend of the first keys it is given) at its first append, and positions are
 * written into them in place with `writeSlice`. A decode step therefore allocates nothing and
 * copies only the new token's keys and values; growing by `concat` instead copied the whole
 * history of every layer on every token (O(length) per step, O(length²) per generation). The
 * prefix views `sliceAxis(buffer, 2, 0, length)` have dense [length, headDim] matrices with
 * strided batch axes, which matmul reads without a copy on every backend.
 *
 * The price is memory up front: maxLength positions per layer whether used or not, so pick
 * `maxLength` to the context you need (Vicuna-7B at 4096 positions: 32 layers × 2 × 64 MiB).
 * `truncate` only moves the length (positions past it are overwritten later); `dispose` frees
 * the buffers, and the next append allocates them again. Writes are not differentiable: fill the
 * cache under `noGrad`, as generation does.
 */
import { EveError, keep, ShapeError, shapeStr, sliceAxis, type Tensor, writeSlice, zeros } from '@evejs/tensor';

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
   * Writes new keys/values [B, kvHeads, T, headDim] for `layer` at the current length; returns
   * views of the layer's cached positions including them, [B, kvHeads, length + T, headDim].
   * The last layer's append advances `length`.
   */
  append(layer: number, k: Tensor, v: Tensor): { k: Tensor; v: Tensor } {
    const t = k.shape[2]!;
    this.reserve(t);
    const keys = this.#buffer(this.#keys, layer, k);
    const values = this.#buffer(this.#values, layer, v);
    writeSlice(keys, k, 2, this.#length);
    writeSlice(values, v, 2, this.#length);
    const end = this.#length + t;
    if (layer === this.numLayers - 1) this.#length = end;
    return { k: sliceAxis(keys, 2, 0, end), v: sliceAxis(values, 2, 0, end) };
  }

  /** Forgets every position from `length` on (a new turn that shares only a prefix with the cached one). */
  truncate(length: number): void {
    this.#length = Math.max(0, Math.min(length, this.#length));
  }

  /** Frees every buffer; the cache is empty and reusable afterwards (it allocates again on append). */
  dispose(): void {
    for (let i = 0; i < this.numLayers; i++) {
      this.#keys[i]?.dispose();
      this.#values[i]?.dispose();
      this.#keys[i] = null;
      this.#values[i] = null;
    }
    this.#length = 0;
  }

  /** The layer's buffer for tensors like `x`, allocated on first use (kept outside any `tidy`). */
  #buffer(list: (Tensor | null)[], layer: number, x: Tensor): Tensor {
    const [b, heads, , headDim] = x.shape as [number, number, number, number];
    const want = [b, heads, this.maxLength, headDim];
    const have = list[layer];
    if (have && have.shape.every((d, i) => d === want[i]) && have.backend === x.backend) return have;
    if (have && this.#length > 0) {
      throw new ShapeError(`kv cache: layer ${layer} holds ${shapeStr(have.shape)} on ${have.backend}; new keys ${shapeStr(x.shape)} on ${x.backend} do not fit`);
    }
    // An empty cache may change batch size, heads or backend: allocate afresh.
    have?.dispose();
    const buffer = keep(zeros(want, { backend: x.backend }));
    list[layer] = buffer;
    return buffer;
  }
}
