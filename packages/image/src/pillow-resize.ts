/**
 * A port of Pillow's convolution resampler (`src/libImaging/Resample.c`, Pillow 9.4) for 8-bit
 * images with the bicubic filter, the filter `Image.resize` uses by default. It produces the same
 * bytes as Pillow: EVE's reference resizes with PIL, and sharp/libvips differ by several levels
 * (and by a shifted sampling grid when upscaling), see PLATFORM.md "Images: sharp versus Pillow".
 *
 * What it reproduces, step by step as Pillow does it:
 * - separable, horizontal pass first into an 8-bit intermediate holding only the rows the vertical
 *   pass reads, then the vertical pass; a pass whose size does not change is skipped;
 * - per output index `o`: centre `(o + 0.5) * scale`, support `2 * max(scale, 1)` (the filter
 *   widens when downscaling: antialiasing), window `trunc(centre ± support + 0.5)` clamped to the
 *   image, weights `K((x − centre + 0.5) / max(scale, 1))` normalised to sum 1 in float64;
 * - weights to 22-bit fixed point, rounded half away from zero; accumulator starting at 2^21;
 *   result `clamp(acc >> 22, 0, 255)`.
 *
 * It is not a general resampler: one filter (bicubic, a = −0.5), no crop box, 8-bit only. Modes
 * that Pillow resizes differently (palette images use nearest neighbour, RGBA is premultiplied)
 * are the caller's business; EVE converts to RGB before resizing.
 */

/** An interleaved 8-bit image: `data[(y * width + x) * channels + c]`. */
export interface PixelImage {
  /** Interleaved samples, row-major, `width * height * channels` bytes. */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  /** Samples per pixel: 1 (grey), 3 (RGB) or 4 (RGBA). */
  readonly channels: number;
}

/** Pillow's `PRECISION_BITS` (32 − 8 − 2). */
const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);

/** Bicubic convolution kernel with a = −0.5, written as in Resample.c (`bicubic_filter`). */
function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/**
 * Per-axis coefficient table: for each output index its first input index, its tap count and
 * `ksize` fixed-point weights (zero-padded).
 */
export interface ResampleCoefficients {
  readonly ksize: number;
  /** First input index per output index. */
  readonly start: Int32Array;
  /** Number of taps per output index (≤ ksize). */
  readonly count: Int32Array;
  /** `outSize * ksize` fixed-point weights (22 fractional bits). */
  readonly weights: Int32Array;
}

/**
 * Computes Pillow's bicubic coefficients for resizing one axis from `inSize` to `outSize`
 * (`precompute_coeffs` + `normalize_coeffs_8bpc`).
 */
export function bicubicCoefficients(inSize: number, outSize: number): ResampleCoefficients {
  const scale = inSize / outSize;
  const filterScale = scale < 1 ? 1 : scale;
  const support = 2 * filterScale; // bicubic support 2.0
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const ss = 1 / filterScale;
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = bicubic((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    const base = xx * ksize;
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? (k[x] as number) / ww : (k[x] as number);
      weights[base + x] = w < 0 ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS)) : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, start, count, weights };
}

/** Clamps a fixed-point accumulator to a byte like Pillow's `clip8`. */
function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Horizontal pass over input rows `[rowFirst, rowFirst + rows)`. */
function resampleHorizontal(src: PixelImage, outWidth: number, rowFirst: number, rows: number, co: ResampleCoefficients): Uint8Array {
  const { data, width, channels } = src;
  const { ksize, start, count, weights } = co;
  const out = new Uint8Array(outWidth * rows * channels);
  const inStride = width * channels;
  const outStride = outWidth * channels;
  for (let y = 0; y < rows; y++) {
    const rowIn = (y + rowFirst) * inStride;
    const rowOut = y * outStride;
    for (let xx = 0; xx < outWidth; xx++) {
      const n = count[xx] as number;
      const kb = xx * ksize;
      let p = rowIn + (start[xx] as number) * channels;
      const o = rowOut + xx * channels;
      if (channels === 3) {
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        for (let x = 0; x < n; x++, p += 3) {
          const w = weights[kb + x] as number;
          s0 += (data[p] as number) * w;
          s1 += (data[p + 1] as number) * w;
          s2 += (data[p + 2] as number) * w;
        }
        out[o] = clip8(s0);
        out[o + 1] = clip8(s1);
        out[o + 2] = clip8(s2);
      } else {
        for (let c = 0; c < channels; c++) {
          let s = HALF;
          let q = p + c;
          for (let x = 0; x < n; x++, q += channels) s += (data[q] as number) * (weights[kb + x] as number);
          out[o + c] = clip8(s);
        }
      }
    }
  }
  return out;
}

/** Vertical pass; `rowOffset` is subtracted from the coefficient table's start rows. */
function resampleVertical(data: Uint8Array, width: number, channels: number, outHeight: number, rowOffset: number, co: ResampleCoefficients): Uint8Array {
  const { ksize, start, count, weights } = co;
  const stride = width * channels;
  const out = new Uint8Array(stride * outHeight);
  const acc = new Int32Array(stride);
  for (let yy = 0; yy < outHeight; yy++) {
    const n = count[yy] as number;
    const kb = yy * ksize;
    const first = ((start[yy] as number) - rowOffset) * stride;
    // Accumulate row by row (cache friendly); integer sums are order independent.
    acc.fill(HALF);
    for (let y = 0; y < n; y++) {
      const w = weights[kb + y] as number;
      const r = first + y * stride;
      for (let i = 0; i < stride; i++) acc[i] = (acc[i] as number) + (data[r + i] as number) * w;
    }
    const o = yy * stride;
    for (let i = 0; i < stride; i++) out[o + i] = clip8(acc[i] as number);
  }
  return out;
}

/**
 * Resizes an 8-bit image to `width × height` exactly as Pillow's `Image.resize(size)` does with
 * its default bicubic filter (Pillow ≥ 7) for modes L and RGB (and RGBX-like data: every channel
 * is filtered independently, no alpha premultiplication).
 *
 * @example
 * const small = resizeBicubic({ data, width: 640, height: 480, channels: 3 }, 672, 504);
 */
export function resizeBicubic(src: PixelImage, width: number, height: number): PixelImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resizeBicubic: target size must be positive integers, got ${width}×${height}`);
  }
  if (src.data.length !== src.width * src.height * src.channels) {
    throw new RangeError(`resizeBicubic: data length ${src.data.length} does not match ${src.width}×${src.height}×${src.channels}`);
  }
  if (width === src.width && height === src.height) {
    // Image.resize returns a copy when the size is unchanged.
    return { data: src.data.slice(), width, height, channels: src.channels };
  }
  const needHorizontal = width !== src.width;
  const needVertical = height !== src.height;
  const coH = bicubicCoefficients(src.width, width);
  const coV = bicubicCoefficients(src.height, height);
  // Rows of the source the vertical pass reads (ybox_first .. ybox_last).
  const rowFirst = coV.start[0] as number;
  const rowLast = (coV.start[height - 1] as number) + (coV.count[height - 1] as number);
  let data = src.data;
  let rowOffset = 0;
  if (needHorizontal) {
    data = resampleHorizontal(src, width, rowFirst, rowLast - rowFirst, coH);
    rowOffset = rowFirst;
    if (!needVertical) return { data, width, height, channels: src.channels };
  }
  const out = resampleVertical(data, width, src.channels, height, rowOffset, coV);
  return { data: out, width, height, channels: src.channels };
}
