/**
 * Per-patch "teacher" features derived from the scene, standing in for CLIP's patch features in
 * the alignment loss so the whole recipe runs without downloading CLIP. Each patch of the teacher
 * grid inside the valid region gets what a good vision encoder would know about it: which colours
 * and shapes cover it, which letter of a printed word it shows, how much of it is background,
 * banner or ink, its mean RGB, and where in the image it lies (CLIP's patch features carry their
 * position too, from its position embeddings). Patches follow EVE's teacher layout
 * (computeBaseHW on the CLIP grid): the valid patches in row-major order, exactly those the
 * teacher mask selects.
 *
 * The groups are weighted because the alignment loss is a cosine over the whole vector. With
 * every group at weight 1, the background share and mean RGB of the many background patches
 * dominate it: predicting "background" everywhere already reaches a cosine of 0.99 and the loss
 * stops teaching anything about objects within a few steps. Down-weighting the background and
 * colour-mean groups makes an object's colour, shape, letter and position most of its target, and
 * up-weighting shape, the attribute the tokens learn last, gives it the largest share.
 */
import { cellGrid } from './cells.js';
import { letterIndexAt } from './font.js';
import { fontPixelAt, LABEL_BACKGROUND, LABEL_BANNER, LABEL_INK, type RenderedScene } from './render.js';
import type { Scene } from './scene.js';
import { COLOURS, SHAPES, WORD_LETTERS } from './vocabulary.js';

/** One group of a teacher vector: where it starts, how many features, and its weight. */
export interface TeacherGroup {
  readonly offset: number;
  readonly length: number;
  readonly weight: number;
}

/** Places the groups one after another, in the order given. */
function layOut<T extends Record<string, { length: number; weight: number }>>(groups: T): { readonly [K in keyof T]: TeacherGroup } {
  let offset = 0;
  const out: Record<string, TeacherGroup> = {};
  for (const [name, g] of Object.entries(groups)) {
    out[name] = { offset, length: g.length, weight: g.weight };
    offset += g.length;
  }
  return out as { readonly [K in keyof T]: TeacherGroup };
}

/**
 * The groups of a teacher vector, in order. Every group but the last two holds pixel shares
 * (sums over the patch divided by its pixel count); `row` and `column` are one-hot.
 */
export const TEACHER_LAYOUT = layOut({
  /** Share of the patch's pixels covered by an object of each colour. */
  colours: { length: COLOURS.length, weight: 1 },
  /**
   * Share covered by an object of each shape, weighted 2: at weight 1 the group was about a fifth
   * of an object patch's squared norm and the built-in model's image tokens carried shape for 62 %
   * of object patches after prealign, at 2 for 73 %, with colour, letters and position as before
   * (the trainer README's x30).
   */
  shapes: { length: SHAPES.length, weight: 2 },
  /** Share covered by each letter's cell (glyph and the spacing after it) of the printed word. */
  letters: { length: WORD_LETTERS.length, weight: 1 },
  /** Share of background, banner paper and ink. */
  surface: { length: 3, weight: 0.25 },
  /** Mean R, G, B in [0, 1]. */
  rgb: { length: 3, weight: 0.25 },
  /** One-hot third of the image (top, middle, bottom) holding the patch's centre. */
  row: { length: 3, weight: 0.5 },
  /** One-hot third (left, centre, right) holding the patch's centre. */
  column: { length: 3, weight: 0.5 },
});

/** Width of a teacher vector (the sum of the groups' lengths). */
export const TEACHER_FEATURE_DIM = TEACHER_LAYOUT.column.offset + TEACHER_LAYOUT.column.length;

/** Each feature's group weight, laid out like a teacher vector. */
const FEATURE_WEIGHTS = (() => {
  const w = new Float32Array(TEACHER_FEATURE_DIM);
  for (const g of Object.values(TEACHER_LAYOUT)) w.fill(g.weight, g.offset, g.offset + g.length);
  return w;
})();

/** The pixel-share features: everything before the one-hot position groups. */
const PIXEL_SHARE_DIMS = TEACHER_LAYOUT.row.offset;

export interface TeacherGrid {
  /** `image_size_clip` (336 for the release; smaller for tiny models). */
  imageSizeClip: number;
  /** `patch_stride_clip` (14). */
  patchStrideClip: number;
}

export interface TeacherFeatures {
  /** [rows · cols, TEACHER_FEATURE_DIM], row-major over the valid patches, groups weighted. */
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly dim: number;
}

export function teacherFeatures(scene: Scene, rendered: RenderedScene, grid: TeacherGrid): TeacherFeatures {
  const { cols, rows } = cellGrid(scene.width, scene.height, grid);
  const p = grid.patchStrideClip;
  const dim = TEACHER_FEATURE_DIM;
  const L = TEACHER_LAYOUT;
  const data = new Float32Array(rows * cols * dim);
  // Source pixels per teacher-grid pixel (cols·p and rows·p are computeBaseHW's new_w and new_h).
  const sx = scene.width / (cols * p);
  const sy = scene.height / (rows * p);
  const { labels, rgb, width } = rendered;
  const word = scene.word;
  // Each letter of the printed word's slot in the letters group.
  const letterSlots = word ? [...word.text].map((c) => WORD_LETTERS.indexOf(c)) : [];
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
          if (label === LABEL_BACKGROUND) f[L.surface.offset]! += 1;
          else if (label === LABEL_BANNER || label === LABEL_INK) {
            f[L.surface.offset + (label === LABEL_BANNER ? 1 : 2)]! += 1;
            const k = word ? letterIndexAt(word.text, fontPixelAt(word, x, y).col) : -1;
            if (k >= 0) f[L.letters.offset + letterSlots[k]!]! += 1;
          } else {
            const o = scene.objects[label - 1]!;
            f[L.colours.offset + o.colour]! += 1;
            f[L.shapes.offset + SHAPES.indexOf(o.shape)]! += 1;
          }
          for (let c = 0; c < 3; c++) f[L.rgb.offset + c]! += rgb[px * 3 + c]! / 255;
          n++;
        }
      }
      for (let k = 0; k < PIXEL_SHARE_DIMS; k++) f[k]! /= n;
      f[L.row.offset + Math.min(2, Math.floor((3 * (y0 + y1)) / 2 / scene.height))] = 1;
      f[L.column.offset + Math.min(2, Math.floor((3 * (x0 + x1)) / 2 / scene.width))] = 1;
      for (let k = 0; k < dim; k++) f[k]! *= FEATURE_WEIGHTS[k]!;
    }
  }
  return { data, rows, cols, dim };
}
