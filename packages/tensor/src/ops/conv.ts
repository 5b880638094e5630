/**
 * Patchify convolution (kernel = stride, no padding: EVE's and CLIP's patch embeddings) and
 * average pooling with kernel = stride. Both are reshapes, a permute and a matmul or mean, so
 * they run on every backend with their gradients; trailing rows/columns that do not fill a
 * whole patch are dropped, as PyTorch's conv2d does.
 */
import { ShapeError } from '../errors.js';
import { shapeStr } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add } from './elementwise.js';
import { matmul } from './matmul.js';
import { mean } from './reduce.js';
import { permute, reshape, slice } from './views.js';

function patches(x: Tensor, k: number, op: string): { x6: Tensor; hp: number; wp: number } {
  if (x.rank !== 4) throw new ShapeError(`${op}: input must be [B, C, H, W], got ${shapeStr(x.shape)}`);
  const [b, c, h, w] = x.shape as [number, number, number, number];
  const hp = Math.floor(h / k);
  const wp = Math.floor(w / k);
  if (hp === 0 || wp === 0) throw new ShapeError(`${op}: ${h}×${w} is smaller than the ${k}×${k} kernel`);
  const cropped = hp * k === h && wp * k === w ? x : slice(x, [0, 0, 0, 0], [b, c, hp * k, wp * k]);
  return { x6: reshape(cropped, [b, c, hp, k, wp, k]), hp, wp };
}

/**
 * conv2d with kernel size = stride = k: x [B, C, H, W], weight [O, C, k, k], bias [O] → [B, O, H/k, W/k].
 * @example conv2dPatchify(pixels, patchWeight, patchBias) // 14×14 patches
 */
export function conv2dPatchify(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  if (weight.rank !== 4 || weight.shape[2] !== weight.shape[3] || weight.shape[1] !== x.shape[1]) {
    throw new ShapeError(`conv2dPatchify: weight ${shapeStr(weight.shape)} does not fit input ${shapeStr(x.shape)}`);
  }
  const [o, c, k] = weight.shape as [number, number, number];
  const b = x.shape[0]!;
  const { x6, hp, wp } = patches(x, k, 'conv2dPatchify');
  const cols = reshape(permute(x6, [0, 2, 4, 1, 3, 5]), [b * hp * wp, c * k * k]); // (B·Hp·Wp, C·k·k)
  let y = matmul(cols, reshape(weight, [o, c * k * k]), { transposeB: true }); // (B·Hp·Wp, O)
  if (bias) y = add(y, bias);
  return permute(reshape(y, [b, hp, wp, o]), [0, 3, 1, 2]);
}

/** Average pooling with kernel = stride = k over [B, C, H, W] → [B, C, H/k, W/k]. */
export function avgPool2d(x: Tensor, k: number): Tensor {
  const { x6 } = patches(x, k, 'avgPool2d');
  return mean(x6, [3, 5]);
}
