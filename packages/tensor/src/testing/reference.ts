/**
 * Float64 reference implementations of every op, for tests. Plain loops over `Nd` arrays with
 * explicit shape arithmetic; they share no code with the kernels (only `erf` from cpu/math.ts,
 * which cpu/math.test.ts checks against tabulated values to 1e-12). Clarity over speed: shapes
 * in tests are small. These are not public API of the engine and never run in production.
 */
import { erf as erf64 } from '../cpu/math.js';
import { broadcastShapes, sizeOf } from '../shape.js';
import { type Nd, nd, ravel, readBroadcast, unravel } from './nd.js';

// ---------------------------------------------------------------- elementwise

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Scalar float64 definitions of the unary ops. */
export const UNARY_REF: Readonly<Record<string, (x: number) => number>> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  tanh: Math.tanh,
  erf: erf64,
  sigmoid,
  silu: (x) => x * sigmoid(x),
  gelu: (x) => 0.5 * x * (1 + erf64(x / Math.SQRT2)),
  geluTanh: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
};

/** Scalar float64 definitions of the binary ops and comparisons (comparisons give 0/1). */
export const BINARY_REF: Readonly<Record<string, (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  equal: (a, b) => +(a === b),
  notEqual: (a, b) => +(a !== b),
  less: (a, b) => +(a < b),
  lessEqual: (a, b) => +(a <= b),
  greater: (a, b) => +(a > b),
  greaterEqual: (a, b) => +(a >= b),
};

export function mapRef(x: Nd, f: (v: number) => number): Nd {
  const out = nd(x.shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = f(x.data[i]!);
  return out;
}

export function unaryRef(name: string, x: Nd): Nd {
  const f = UNARY_REF[name];
  if (!f) throw new Error(`no reference for unary op ${name}`);
  return mapRef(x, f);
}

export function powRef(x: Nd, exponent: number): Nd {
  return mapRef(x, (v) => v ** exponent);
}

/** Applies `f` elementwise over the broadcast of all inputs. */
export function zipRef(xs: readonly Nd[], f: (...v: number[]) => number): Nd {
  const shape = broadcastShapes(...xs.map((x) => x.shape));
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, shape);
    out.data[i] = f(...xs.map((x) => readBroadcast(x, idx)));
  }
  return out;
}

export function binaryRef(name: string, a: Nd, b: Nd): Nd {
  const f = BINARY_REF[name];
  if (!f) throw new Error(`no reference for binary op ${name}`);
  return zipRef([a, b], f);
}

export function whereRef(cond: Nd, a: Nd, b: Nd): Nd {
  return zipRef([cond, a, b], (c, x, y) => (c !== 0 ? x : y));
}

// ---------------------------------------------------------------- views and assembly

export function permuteRef(x: Nd, perm: readonly number[]): Nd {
  const shape = perm.map((p) => x.shape[p]!);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const o = unravel(i, shape);
    const src = new Array<number>(x.shape.length);
    perm.forEach((p, d) => (src[p] = o[d]!));
    out.data[i] = x.data[ravel(src, x.shape)]!;
  }
  return out;
}

/** Swaps the last two axes. */
export function transposeRef(x: Nd): Nd {
  const r = x.shape.length;
  return permuteRef(x, Array.from({ length: r }, (_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i)));
}

export function reshapeRef(x: Nd, shape: readonly number[]): Nd {
  return nd(shape, x.data);
}

export function sliceRef(x: Nd, begin: readonly number[], size: readonly number[]): Nd {
  const out = nd(size);
  for (let i = 0; i < out.data.length; i++) {
    const o = unravel(i, size);
    out.data[i] = x.data[ravel(o.map((v, d) => v + begin[d]!), x.shape)]!;
  }
  return out;
}

export function broadcastToRef(x: Nd, shape: readonly number[]): Nd {
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = readBroadcast(x, unravel(i, shape));
  return out;
}

/** `dst` with `src` written at positions [start, start + len) along `axis` (a new Nd; dst is unchanged). */
export function writeSliceRef(dst: Nd, src: Nd, axis: number, start: number): Nd {
  const out = nd(dst.shape, dst.data);
  for (let i = 0; i < src.data.length; i++) {
    const idx = unravel(i, src.shape);
    idx[axis]! += start;
    out.data[ravel(idx, dst.shape)] = src.data[i]!;
  }
  return out;
}

export function concatRef(xs: readonly Nd[], axis: number): Nd {
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, shape);
    let k = idx[axis]!;
    for (const x of xs) {
      if (k < x.shape[axis]!) {
        const src = [...idx];
        src[axis] = k;
        out.data[i] = x.data[ravel(src, x.shape)]!;
        break;
      }
      k -= x.shape[axis]!;
    }
  }
  return out;
}

export function stackRef(xs: readonly Nd[], axis: number): Nd {
  return concatRef(
    xs.map((x) => {
      const s = [...x.shape];
      s.splice(axis, 0, 1);
      return reshapeRef(x, s);
    }),
    axis,
  );
}

export function padRef(x: Nd, pads: readonly (readonly [number, number])[], value = 0): Nd {
  const shape = x.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const idx = unravel(i, shape).map((v, d) => v - pads[d]![0]);
    const inside = idx.every((v, d) => v >= 0 && v < x.shape[d]!);
    out.data[i] = inside ? x.data[ravel(idx, x.shape)]! : value;
  }
  return out;
}

// ---------------------------------------------------------------- reductions

function reduceRef(x: Nd, axes: readonly number[], keepDims: boolean, init: number, f: (acc: number, v: number) => number): Nd {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = nd(kept).data.fill(init);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, d) => (axes.includes(d) ? 0 : v));
    const o = ravel(idx, kept);
    out[o] = f(out[o]!, x.data[i]!);
  }
  const shape = keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i));
  return nd(shape, out);
}

const allAxes = (x: Nd, axes?: readonly number[]): number[] => (axes ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + x.shape.length : a));

export function sumRef(x: Nd, axes?: readonly number[], keepDims = false): Nd {
  return reduceRef(x, allAxes(x, axes), keepDims, 0, (a, v) => a + v);
}

export function maxRef(x: Nd, axes?: readonly number[], keepDims = false): Nd {
  return reduceRef(x, allAxes(x, axes), keepDims, -Infinity, (a, v) => (Number.isNaN(v) || Number.isNaN(a) ? NaN : Math.max(a, v)));
}

export function meanRef(x: Nd, axes?: readonly number[], keepDims = false): Nd {
  const ax = allAxes(x, axes);
  const n = sizeOf(ax.map((a) => x.shape[a]!));
  return mapRef(sumRef(x, ax, keepDims), (v) => v / n);
}

/** Index of the first maximum along `axis`. */
export function argmaxRef(x: Nd, axis: number): Nd {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const shape = x.shape.filter((_, i) => i !== a);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const o = unravel(i, shape);
    let best = -Infinity;
    let bi = 0;
    for (let k = 0; k < x.shape[a]!; k++) {
      const src = [...o];
      src.splice(a, 0, k);
      const v = x.data[ravel(src, x.shape)]!;
      if (v > best) {
        best = v;
        bi = k;
      }
    }
    out.data[i] = bi;
  }
  return out;
}

/** Calls `f` with the flat indices of every 1-d line of `shape` along `axis`. */
function forEachLine(shape: readonly number[], axis: number, f: (indices: number[]) => void): void {
  const len = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) f(Array.from({ length: len }, (_, k) => (o * len + k) * inner + i));
  }
}

export function logSoftmaxRef(x: Nd, axis = -1): Nd {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const out = nd(x.shape);
  forEachLine(x.shape, a, (ix) => {
    const m = Math.max(...ix.map((i) => x.data[i]!));
    const lse = m + Math.log(ix.reduce((s, i) => s + Math.exp(x.data[i]! - m), 0));
    for (const i of ix) out.data[i] = x.data[i]! - lse;
  });
  return out;
}

export function softmaxRef(x: Nd, axis = -1): Nd {
  return mapRef(logSoftmaxRef(x, axis), Math.exp);
}

// ---------------------------------------------------------------- linear algebra, norms

/** Batched matmul with broadcast batch dims, either side transposed. */
export function matmulRef(a: Nd, b: Nd, opts: { transposeA?: boolean; transposeB?: boolean } = {}): Nd {
  const at = opts.transposeA ? transposeRef(a) : a;
  const bt = opts.transposeB ? transposeRef(b) : b;
  const m = at.shape[at.shape.length - 2]!;
  const k = at.shape[at.shape.length - 1]!;
  const n = bt.shape[bt.shape.length - 1]!;
  if (bt.shape[bt.shape.length - 2] !== k) throw new Error('matmulRef: inner dimensions differ');
  const batch = broadcastShapes(at.shape.slice(0, -2), bt.shape.slice(0, -2));
  const shape = [...batch, m, n];
  const out = nd(shape);
  for (let f = 0; f < out.data.length; f++) {
    const idx = unravel(f, shape);
    const bi = idx.slice(0, -2);
    const [i, j] = idx.slice(-2) as [number, number];
    let s = 0;
    for (let p = 0; p < k; p++) s += readBroadcast(at, [...bi, i, p]) * readBroadcast(bt, [...bi, p, j]);
    out.data[f] = s;
  }
  return out;
}

export function layerNormRef(x: Nd, w: Nd, b: Nd, eps = 1e-5): Nd {
  const out = nd(x.shape);
  forEachLine(x.shape, x.shape.length - 1, (ix) => {
    const d = ix.length;
    const mu = ix.reduce((s, i) => s + x.data[i]!, 0) / d;
    const v = ix.reduce((s, i) => s + (x.data[i]! - mu) ** 2, 0) / d;
    ix.forEach((i, k) => (out.data[i] = ((x.data[i]! - mu) / Math.sqrt(v + eps)) * w.data[k]! + b.data[k]!));
  });
  return out;
}

export function rmsNormRef(x: Nd, w: Nd, eps = 1e-6): Nd {
  const out = nd(x.shape);
  forEachLine(x.shape, x.shape.length - 1, (ix) => {
    const ms = ix.reduce((s, i) => s + x.data[i]! ** 2, 0) / ix.length;
    ix.forEach((i, k) => (out.data[i] = (x.data[i]! / Math.sqrt(ms + eps)) * w.data[k]!));
  });
  return out;
}

/** y = x·cos + rotateHalf(x)·sin with cos/sin broadcast to x. */
export function ropeRef(x: Nd, cos: Nd, sin: Nd): Nd {
  const d = x.shape[x.shape.length - 1]!;
  const h = d / 2;
  const out = nd(x.shape);
  for (let f = 0; f < out.data.length; f++) {
    const idx = unravel(f, x.shape);
    const i = idx[idx.length - 1]!;
    const rot = i < h ? -x.data[f + h]! : x.data[f - h]!;
    out.data[f] = x.data[f]! * readBroadcast(cos, idx) + rot * readBroadcast(sin, idx);
  }
  return out;
}

/** Llama's cos/sin tables in float64: angle(p, i) = p · base^(−2(i mod d/2)/d). */
export function ropeTablesRef(start: number, length: number, dim: number, base = 10000): { cos: Nd; sin: Nd } {
  const cos = nd([length, dim]);
  const sin = nd([length, dim]);
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < dim; i++) {
      const angle = (start + p) * base ** (-(2 * (i % (dim / 2))) / dim);
      cos.data[p * dim + i] = Math.cos(angle);
      sin.data[p * dim + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

// ---------------------------------------------------------------- index ops

export function gatherRef(table: Nd, idx: Nd): Nd {
  const row = sizeOf(table.shape.slice(1));
  const out = nd([...idx.shape, ...table.shape.slice(1)]);
  for (let i = 0; i < idx.data.length; i++) {
    for (let j = 0; j < row; j++) out.data[i * row + j] = table.data[idx.data[i]! * row + j]!;
  }
  return out;
}

export function scatterAddRef(upd: Nd, idx: Nd, rows: number): Nd {
  const row = sizeOf(upd.shape.slice(idx.shape.length));
  const out = nd([rows, ...upd.shape.slice(idx.shape.length)]);
  for (let i = 0; i < idx.data.length; i++) {
    for (let j = 0; j < row; j++) out.data[idx.data[i]! * row + j]! += upd.data[i * row + j]!;
  }
  return out;
}

export function oneHotRef(idx: Nd, depth: number): Nd {
  const out = nd([...idx.shape, depth]);
  for (let i = 0; i < idx.data.length; i++) {
    const v = idx.data[i]!;
    if (v >= 0 && v < depth) out.data[i * depth + v] = 1;
  }
  return out;
}

// ---------------------------------------------------------------- conv, pooling, losses

/** Direct convolution, stride = kernel size k, no padding (trailing rows/cols dropped). */
export function conv2dRef(x: Nd, w: Nd, bias?: Nd): Nd {
  const [bn, c, h, wd] = x.shape as [number, number, number, number];
  const [o, , k] = w.shape as [number, number, number, number];
  const hp = Math.floor(h / k);
  const wp = Math.floor(wd / k);
  const out = nd([bn, o, hp, wp]);
  for (let n = 0; n < bn; n++) {
    for (let oc = 0; oc < o; oc++) {
      for (let i = 0; i < hp; i++) {
        for (let j = 0; j < wp; j++) {
          let s = bias ? bias.data[oc]! : 0;
          for (let ic = 0; ic < c; ic++) {
            for (let u = 0; u < k; u++) {
              for (let v = 0; v < k; v++) {
                s += x.data[ravel([n, ic, i * k + u, j * k + v], x.shape)]! * w.data[ravel([oc, ic, u, v], w.shape)]!;
              }
            }
          }
          out.data[ravel([n, oc, i, j], out.shape)] = s;
        }
      }
    }
  }
  return out;
}

export function avgPool2dRef(x: Nd, k: number): Nd {
  const [bn, c, h, wd] = x.shape as [number, number, number, number];
  const hp = Math.floor(h / k);
  const wp = Math.floor(wd / k);
  const out = nd([bn, c, hp, wp]);
  for (let f = 0; f < out.data.length; f++) {
    const [n, ch, i, j] = unravel(f, out.shape) as [number, number, number, number];
    let s = 0;
    for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) s += x.data[ravel([n, ch, i * k + u, j * k + v], x.shape)]!;
    out.data[f] = s / (k * k);
  }
  return out;
}

/** Mean −log softmax(logits)[target] over targets ≠ ignoreIndex (NaN if all are ignored). */
export function crossEntropyRef(logits: Nd, targets: Nd, ignoreIndex = -100): Nd {
  const v = logits.shape[logits.shape.length - 1]!;
  const lsm = logSoftmaxRef(reshapeRef(logits, [targets.data.length, v]));
  let s = 0;
  let count = 0;
  for (let i = 0; i < targets.data.length; i++) {
    const t = targets.data[i]!;
    if (t === ignoreIndex) continue;
    s -= lsm.data[i * v + t]!;
    count++;
  }
  return nd([], [s / count]);
}

/** Σab / √max(Σa²·Σb², eps²) along `axis`. */
export function cosineSimilarityRef(a: Nd, b: Nd, axis = -1, eps = 1e-8): Nd {
  const dot = sumRef(binaryRef('mul', a, b), [axis]);
  const na = sumRef(binaryRef('mul', a, a), [axis]);
  const nb = sumRef(binaryRef('mul', b, b), [axis]);
  return zipRef([dot, na, nb], (d, x, y) => d / Math.sqrt(Math.max(x * y, eps * eps)));
}

/** The f32 matrix a (quants, scales) pair stands for (see quantize.ts for the layout). */
export function dequantizeRef(quants: Nd, scales: Nd, format: 'q8_0' | 'q4_0'): Nd {
  const perWord = format === 'q8_0' ? 4 : 8;
  const rows = quants.shape[0]!;
  const cols = quants.shape[1]! * perWord;
  const out = nd([rows, cols]);
  for (let e = 0; e < rows * cols; e++) {
    const word = quants.data[Math.floor(e / perWord)]! | 0;
    const j = e % perWord;
    const q = format === 'q8_0' ? (word << (24 - 8 * j)) >> 24 : ((word >>> (4 * j)) & 15) - 8;
    const r = Math.floor(e / cols);
    out.data[e] = q * scales.data[r * (cols / 32) + Math.floor((e % cols) / 32)]!;
  }
  return out;
}
