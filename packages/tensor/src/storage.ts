/**
 * Reference-counted storage: one backend allocation shared by every tensor that views it
 * (reshape, transpose, slice and broadcast views share storage instead of copying).
 * The allocation is freed when the last tensor viewing it is released.
 */
import type { Backend } from './backend.js';
import { bytesPerElement, type DType } from './dtype.js';

export class Storage {
  refs = 0;
  constructor(
    readonly backend: Backend,
    /** The engine swaps in a new handle when an in-place op runs where storage is immutable (tfjs), so every view sees the write. */
    public handle: unknown,
    readonly dtype: DType,
    /** Number of elements allocated. */
    readonly size: number,
  ) {}

  get byteLength(): number {
    return this.size * bytesPerElement(this.dtype);
  }
}
