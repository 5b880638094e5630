/** CPU gather (embedding lookup, decoding f16/bf16 rows), scatterAdd and oneHot. */
import { BackendError } from '../../errors.js';
import { hostReader, type HostArray } from '../../dtype.js';
import type { KernelConfig } from '../../kernel-registry.js';
import type { OneHotAttrs, ScatterAddAttrs } from '../../ops/gather.js';
import { sizeOf } from '../../shape.js';

const gather: KernelConfig = {
  op: 'gather',
  backend: 'cpu',
  run: ({ inputs: [table, idx], outputs: [o] }) => {
    const rows = table!.shape[0]!;
    const row = sizeOf(table!.shape.slice(1));
    const ids = idx!.storage as Int32Array;
    const nIdx = sizeOf(idx!.shape);
    const out = o!.dtype === 'i32' ? new Int32Array(nIdx * row) : new Float32Array(nIdx * row);
    const read = hostReader(table!.storage as HostArray, table!.dtype);
    for (let i = 0; i < nIdx; i++) {
      const id = ids[idx!.offset + i]!;
      if (id < 0 || id >= rows) throw new BackendError(`gather: index ${id} is outside [0, ${rows})`);
      const src = table!.offset + id * row;
      for (let j = 0; j < row; j++) out[i * row + j] = read(src + j);
    }
    return [out];
  },
};

const scatterAdd: KernelConfig<ScatterAddAttrs> = {
  op: 'scatterAdd',
  backend: 'cpu',
  run: ({ inputs: [upd, idx], attrs: { rows }, outputs: [o] }) => {
    const out = new Float32Array(sizeOf(o!.shape));
    const row = sizeOf(o!.shape.slice(1));
    const ids = idx!.storage as Int32Array;
    const u = upd!.storage as Float32Array;
    const nIdx = sizeOf(idx!.shape);
    for (let i = 0; i < nIdx; i++) {
      const id = ids[idx!.offset + i]!;
      if (id < 0 || id >= rows) throw new BackendError(`scatterAdd: index ${id} is outside [0, ${rows})`);
      for (let j = 0; j < row; j++) out[id * row + j]! += u[upd!.offset + i * row + j]!;
    }
    return [out];
  },
};

const oneHot: KernelConfig<OneHotAttrs> = {
  op: 'oneHot',
  backend: 'cpu',
  run: ({ inputs: [idx], attrs: { depth } }) => {
    const n = sizeOf(idx!.shape);
    const ids = idx!.storage as Int32Array;
    const out = new Float32Array(n * depth);
    for (let i = 0; i < n; i++) {
      const id = ids[idx!.offset + i]!;
      if (id >= 0 && id < depth) out[i * depth + id] = 1;
    }
    return [out];
  },
};

export const gatherKernels = [gather, scatterAdd, oneHot] as KernelConfig[];
