/**
 * Per-patch "teacher" features derived from the scene, standing in for CLIP's patch features in
 * stage 1 (pre-aligning) so the whole recipe runs without downloading CLIP. Each patch of the
 * teacher grid inside the valid region gets what a good vision encoder would know about it:
 * the share of its pixels of each colour, of each shape, of background, banner and ink, and its
 * mean RGB. Patches follow EVE's teacher layout (computeBaseHW on the CLIP grid): the valid patches
 * in row-major order, exactly those the teacher mask selects.
 */
import { computeBaseHW } from '@evejs/image';
import { LABEL_BACKGROUND, LABEL_BANNER, LABEL_INK, type RenderedScene } from './render.js';
import type { Scene } from './scene.js';
import { COLOURS, SHAPES } from './vocabulary.js';

/** Feature layout: colours, shapes, background, banner, ink, mean R, G, B. */
export const TEACHER_FEATURE_DIM = COLOURS.length + SHAPES.length + 3 + 3;

export interface TeacherGrid {
  /** `image_size_clip` (336 for the release; smaller for tiny models). */
  imageSizeClip: number;
  /** `patch_stride_clip` (14). */
  patchStrideClip: number;
}

export interface TeacherFeatures {
  /** [rows · cols, TEACHER_FEATURE_DIM], row-major over the valid patches. */
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly dim: number;
}

export function teacherFeatures(scene: Scene, rendered: RenderedScene, grid: TeacherGrid): TeacherFeatures {
  const [newW, newH] = computeBaseHW(scene.width, scene.height, grid);
  const p = grid.patchStrideClip;
  const cols = newW / p;
  const rows = newH / p;
  const dim = TEACHER_FEATURE_DIM;
  const data = new Float32Array(rows * cols * dim);
  const sx = scene.width / newW;
  const sy = scene.height / newH;
  const { labels, rgb, width } = rendered;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      // The source rectangle this teacher patch sees after the resize (at least one pixel).
      const x0 = Math.floor(j * p * sx);
      const x1 = Math.max(x0 + 1, Math.min(scene.width, Math.floor((j + 1) * p * sx)));
      const y0 = Math.floor(i * p * sy);
      const y1 = Math.max(y0 + 1, Math.min(scene.height, Math.floor((i + 1) * p * sy)));
      const f = data.subarray((i * cols + j) * dim, (i * cols + j + 1) * dim);
      let n = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const px = y * width + x;
          const label = labels[px]!;
          if (label === LABEL_BACKGROUND) f[COLOURS.length + SHAPES.length]! += 1;
          else if (label === LABEL_BANNER) f[COLOURS.length + SHAPES.length + 1]! += 1;
          else if (label === LABEL_INK) f[COLOURS.length + SHAPES.length + 2]! += 1;
          else {
            const o = scene.objects[label - 1]!;
            f[o.colour]! += 1;
            f[COLOURS.length + SHAPES.indexOf(o.shape)]! += 1;
          }
          for (let c = 0; c < 3; c++) f[dim - 3 + c]! += rgb[px * 3 + c]! / 255;
          n++;
        }
      }
      for (let k = 0; k < dim; k++) f[k]! /= n;
    }
  }
  return { data, rows, cols, dim };
}
