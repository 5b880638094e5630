/** CPU rotary embedding (rotate-half); cos/sin are read broadcast to x's shape. */
import type { KernelConfig } from '../../kernel-registry.js';
import { sizeOf } from '../../shape.js';
import { stridedOffsets } from '../strided.js';

const rope: KernelConfig = {
  op: 'rope',
  backend: 'cpu',
  run: ({ inputs: [x, cos, sin] }) => {
    const shape = x!.shape;
    const d = shape[shape.length - 1]!;
    const h = d / 2;
    const n = sizeOf(shape);
    const xd = x!.storage as Float32Array;
    const cd = cos!.storage as Float32Array;
    const sd = sin!.storage as Float32Array;
    const co = stridedOffsets(cos!, shape);
    const so = stridedOffsets(sin!, shape);
    const out = new Float32Array(n);
    for (let r = 0; r < n; r += d) {
      for (let i = 0; i < d; i++) {
        const xi = xd[x!.offset + r + i]!;
        const rot = i < h ? -xd[x!.offset + r + i + h]! : xd[x!.offset + r + i - h]!;
        out[r + i] = xi * cd[co[r + i]!]! + rot * sd[so[r + i]!]!;
      }
    }
    return [out];
  },
};

export const ropeKernels = [rope];
