/** CPU rotary embedding (rotate-half); cos/sin are read broadcast to x's shape. */
import type { KernelConfig, TensorView } from '../../kernel-registry.js';
import { sizeOf } from '../../shape.js';
import { takeHostArray } from '../host-pool.js';
import { forEachRow, planLoop } from '../strided.js';

/** The view of the rows (all axes but the last) of a contiguous [..., d] view. */
const rowsOf = (v: TensorView): TensorView => ({ ...v, shape: v.shape.slice(0, -1), strides: v.strides.slice(0, -1) });

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
    const out = takeHostArray('f32', n);
    if (n === 0) return [out];
    // Inputs arrive contiguous: each row of x is d consecutive values, and so is each row of
    // cos/sin; only which cos/sin row goes with which x row needs the broadcast walk.
    const plan = planLoop([rowsOf(cos!), rowsOf(sin!)], shape.slice(0, -1));
    const last = plan.shape.length - 1;
    const sc = plan.strides[0]![last]!;
    const ss = plan.strides[1]![last]!;
    forEachRow(plan, (st, row0, rows) => {
      let c = st[0]!;
      let s = st[1]!;
      for (let r = row0; r < row0 + rows; r++, c += sc, s += ss) {
        const xo = x!.offset + r * d;
        const o = r * d;
        for (let i = 0; i < h; i++) out[o + i] = xd[xo + i]! * cd[c + i]! + -xd[xo + i + h]! * sd[s + i]!;
        for (let i = h; i < d; i++) out[o + i] = xd[xo + i]! * cd[c + i]! + xd[xo + i - h]! * sd[s + i]!;
      }
    });
    return [out];
  },
};

export const ropeKernels = [rope];
