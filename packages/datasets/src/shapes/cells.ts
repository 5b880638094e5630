/**
 * The cell grid of a scene: the image tokens of the model that reads it (and the patches of EVE's
 * teacher grid, which `teacherFeatures` describes). EVE's preprocessing scales an image so its
 * long side spans a fixed number of tokens and rounds the short side up to whole tokens
 * (`compute_basehw`), so in the scene's own pixels the tokens form a grid of `cols × rows` cells
 * aligned with the image's top-left corner. The `cells` layout places objects and letters inside
 * these cells.
 *
 * Why: an encoder-free model's only vision front end is a per-token linear patch embedding. With
 * objects placed freely, every object is cut across two to four tokens and each token sees an
 * arbitrary fragment; the built-in model's vision tokenizer never learned shape from such
 * fragments (held-out 27 %, chance 20 %, `tools/builtin-model/vision-learnability.ts`), and
 * learns it from whole objects in a cell (80–88 % after 600 steps). EVE learns that invariance from
 * 33 M images and a CLIP teacher; a world meant to train in minutes has to meet the model halfway.
 */
import { computeBaseHW } from '@evejs/image';
import type { TeacherGrid } from './teacher-features.js';

/** The token grid of the shapes recipe's default 224-px canvas of 28-px tokens, on EVE's CLIP-scale geometry as the teacher features use it: 112 / 14 = 8 cells along the long side. */
export const DEFAULT_TOKEN_GRID: TeacherGrid = { imageSizeClip: 112, patchStrideClip: 14 };

export interface CellGrid {
  readonly cols: number;
  readonly rows: number;
  /** Cell size in the scene's pixels (not necessarily whole numbers). */
  readonly cellWidth: number;
  readonly cellHeight: number;
}

/** The token cells of a `width × height` image (the same rounding as the model's preprocessing). */
export function cellGrid(width: number, height: number, grid: TeacherGrid = DEFAULT_TOKEN_GRID): CellGrid {
  const [newW, newH] = computeBaseHW(width, height, grid);
  const cols = newW / grid.patchStrideClip;
  const rows = newH / grid.patchStrideClip;
  return { cols, rows, cellWidth: width / cols, cellHeight: height / rows };
}
