/**
 * CPU writeSlice: copies src's raw values (any dtype) into the window of dst's storage, walking
 * both views with their own strides (planLoop merges the axes they both walk densely, so a KV
 * cache write is one `set` per head). The kernel returns dst's own array: the write is in place.
 */
import type { HostArray } from '../../dtype.js';
import type { KernelConfig } from '../../kernel-registry.js';
import type { WriteSliceAttrs } from '../../ops/write-slice.js';
import { forEachRow, planLoop } from '../strided.js';

export const writeSliceKernel: KernelConfig<WriteSliceAttrs> = {
  op: 'writeSlice',
  backend: 'cpu',
  run: ({ inputs: [dst, src], attrs: { axis, start } }) => {
    const out = dst!.storage as HostArray;
    const from = src!.storage as HostArray;
    // dst's window: src's shape over dst's strides, starting at position `start` along `axis`.
    const window = { ...dst!, shape: src!.shape, offset: dst!.offset + start * dst!.strides[axis]! };
    const plan = planLoop([window, src!], src!.shape);
    const r = plan.shape.length - 1;
    const so = plan.strides[0]![r]!;
    const si = plan.strides[1]![r]!;
    forEachRow(plan, ([o, i], _, length) => {
      if (so === 1 && si === 1) out.set(from.subarray(i!, i! + length) as never, o!);
      else for (let j = 0; j < length; j++) out[o! + j * so] = from[i! + j * si]!;
    });
    return [out];
  },
};
