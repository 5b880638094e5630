/**
 * Bridges the plain `{ data, shape }` pixel values to an `@evejs/tensor` Tensor. Kept separate so
 * the preprocessing itself has no dependency on a backend being registered.
 */
import { tensor, type Tensor } from '@evejs/tensor';
import type { PixelValues } from './anypixel-preprocess.js';

/**
 * Wraps pixel values (`[4, H, W]` float32) as a Tensor on the default backend (the values are
 * copied once by `tensor`).
 *
 * @example
 * registerCpuBackend();
 * const x = pixelValuesToTensor(preprocessImage(img, config)); // x.shape = [4, 672, 672]
 */
export function pixelValuesToTensor(values: PixelValues): Tensor {
  return tensor(values.data, values.shape);
}
