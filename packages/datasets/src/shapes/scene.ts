/**
 * Scenes of the shapes world: a seeded description of one image — its size, background and
 * objects (shape, colour, size, position) and an optional printed word. Objects are placed freely
 * (the default) or, in the `cells` layout, one per cell of the model's token grid, jittered inside
 * it, with the word's letters one per cell too (`cells.ts` says why). Generation rejects layouts
 * where objects would hide each other too much, so every object stays recognisable.
 */
import { Rng } from '@evejs/tensor';
import { cellGrid, DEFAULT_TOKEN_GRID } from './cells.js';
import { GLYPH_HEIGHT, GLYPH_SPACING, GLYPH_WIDTH, textWidth } from './font.js';
import type { TeacherGrid } from './teacher-features.js';
import { COLOURS, POSITIONS, type PositionName, SHAPES, type ShapeKind, WORDS } from './vocabulary.js';

export type BackgroundKind = 'plain' | 'noise' | 'stripes' | 'checker';

export interface SceneObject {
  readonly shape: ShapeKind;
  /** Index into COLOURS. */
  readonly colour: number;
  readonly size: 'small' | 'large';
  /** Centre and radius in pixels. */
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
}

export interface SceneWord {
  readonly text: string;
  /**
   * Top-left corner of the banner and the font scale: pixels per font pixel across (`scale`) and
   * down (`scaleY`). In the `cells` layout they are not whole numbers: each letter is fitted into
   * one cell of the token grid.
   */
  readonly x: number;
  readonly y: number;
  readonly scale: number;
  /** Absent in the `free` layout, whose font pixels are square. */
  readonly scaleY?: number;
}

export interface Scene {
  readonly width: number;
  readonly height: number;
  readonly background: { readonly kind: BackgroundKind; readonly rgb: readonly [number, number, number]; readonly seed: number };
  readonly objects: readonly SceneObject[];
  readonly word: SceneWord | null;
}

export interface SceneOptions {
  /** Smallest and largest image side in pixels (default 64 … 320). */
  minSide?: number;
  maxSide?: number;
  /** Largest aspect ratio, long/short (default 3). */
  maxAspect?: number;
  /** Object count range (default 1 … 6). */
  minObjects?: number;
  maxObjects?: number;
  /** Probability that a word is printed (default 0.35). */
  wordProbability?: number;
  /**
   * `free` (default): objects anywhere, sized by the image's short side, and the word on a banner
   * of whole font pixels. `cells`: objects and letters in the cells of `tokenGrid`, one per cell
   * (`cells.ts` says why, and the trainer README what a recipe run on it gave).
   */
  layout?: 'cells' | 'free';
  /** The token grid of the `cells` layout (default `DEFAULT_TOKEN_GRID`: 8 cells along the long side; the built-in model's is 4). */
  tokenGrid?: TeacherGrid;
}

/** Banner size in pixels for a word at a font scale (one font pixel of margin all round). */
export function bannerSize(text: string, scale: number, scaleY = scale): { w: number; h: number } {
  return { w: (textWidth(text) + 2) * scale, h: (GLYPH_HEIGHT + 2) * scaleY };
}

/** Generates one scene from a generator (deterministic for a given generator state). */
export function generateScene(rng: Rng, opts: SceneOptions = {}): Scene {
  const minSide = opts.minSide ?? 64;
  const maxSide = opts.maxSide ?? 320;
  const maxAspect = opts.maxAspect ?? 3;
  // Aspect ratio log-uniform in [1/maxAspect, maxAspect]; the long side uniform in [minSide·1.5, maxSide].
  const aspect = Math.exp((rng.uniform() * 2 - 1) * Math.log(maxAspect));
  const long = Math.round(Math.max(minSide * 1.5, minSide + rng.uniform() * (maxSide - minSide)));
  const short = Math.max(minSide, Math.round(long / Math.max(aspect, 1 / aspect)));
  const width = aspect >= 1 ? long : short;
  const height = aspect >= 1 ? short : long;

  const kinds: BackgroundKind[] = ['plain', 'noise', 'stripes', 'checker'];
  const base = 175 + rng.int(55);
  const tint = (): number => Math.min(255, Math.max(150, base + rng.int(31) - 15));
  const background = { kind: kinds[rng.int(kinds.length)]!, rgb: [tint(), tint(), tint()] as const, seed: rng.nextU32() };

  const place = opts.layout === 'cells' ? placeInCells : placeFreely;
  const { objects, word } = place(rng, width, height, opts);
  return { width, height, background, objects, word };
}

interface Placement {
  readonly objects: SceneObject[];
  readonly word: SceneWord | null;
}

/** The `cells` layout: the word's letters and the objects each in a cell of the token grid of their own. */
function placeInCells(rng: Rng, width: number, height: number, opts: SceneOptions): Placement {
  const { cols, rows, cellWidth, cellHeight } = cellGrid(width, height, opts.tokenGrid ?? DEFAULT_TOKEN_GRID);
  const cell = Math.min(cellWidth, cellHeight);
  // Cells the banner covers (objects go elsewhere), row-major indices.
  const bannerCells = new Set<number>();
  let word: SceneWord | null = null;
  if (rng.uniform() < (opts.wordProbability ?? 0.35)) {
    const text = WORDS[rng.int(WORDS.length)]!;
    if (text.length <= cols) {
      // One letter per cell: the glyph pitch (glyph plus spacing) is one cell wide and each glyph
      // is centred in its cell; its height is 80 % of the cell's.
      const scale = cellWidth / (GLYPH_WIDTH + GLYPH_SPACING);
      const scaleY = (0.8 * cellHeight) / GLYPH_HEIGHT;
      const c0 = rng.int(cols - text.length + 1);
      const r0 = rng.int(rows);
      // The banner's first font column is margin; glyph i's centre is then at x + (1 + i·pitch + GLYPH_WIDTH/2)·scale.
      const x = c0 * cellWidth + ((GLYPH_WIDTH + GLYPH_SPACING) / 2 - 1 - GLYPH_WIDTH / 2) * scale;
      word = { text, scale, scaleY, x, y: (r0 + 0.1) * cellHeight - scaleY };
      for (let c = c0; c < c0 + text.length; c++) bannerCells.add(r0 * cols + c);
    }
  }

  const minObjects = opts.minObjects ?? 1;
  const maxObjects = opts.maxObjects ?? 6;
  const target = minObjects + rng.int(maxObjects - minObjects + 1);
  const objects: SceneObject[] = [];
  const taken = new Set<number>(bannerCells);
  for (let attempt = 0; objects.length < target && attempt < 400; attempt++) {
    const k = rng.int(cols * rows);
    const size = rng.uniform() < 0.5 ? 'small' : 'large';
    // Small objects span 60–72 % of the cell, large ones 80–94 %; jittered by up to 8 % of the cell,
    // a large object can reach a little into the next cell and overlap the object there.
    const r = cell * (size === 'small' ? 0.3 + rng.uniform() * 0.06 : 0.4 + rng.uniform() * 0.07);
    const cx = ((k % cols) + 0.5 + (rng.uniform() * 2 - 1) * 0.08) * cellWidth;
    const cy = (Math.floor(k / cols) + 0.5 + (rng.uniform() * 2 - 1) * 0.08) * cellHeight;
    if (taken.has(k) || hidesAnother(objects, cx, cy, r) || (word !== null && overlapsBanner(cx, cy, r, word))) continue;
    taken.add(k);
    objects.push({ shape: SHAPES[rng.int(SHAPES.length)]!, colour: rng.int(COLOURS.length), size, cx, cy, r });
  }
  return { objects, word };
}

/** The `free` layout: objects anywhere, sized by the short side; the word's font pixels whole and square. */
function placeFreely(rng: Rng, width: number, height: number, opts: SceneOptions): Placement {
  const minSideNow = Math.min(width, height);
  let word: SceneWord | null = null;
  if (rng.uniform() < (opts.wordProbability ?? 0.35)) {
    const text = WORDS[rng.int(WORDS.length)]!;
    // Letters big enough to survive the resize to a small model's canvas: a banner ~ a third of the short side.
    const scale = Math.max(2, Math.min(6, Math.floor(minSideNow / 28)));
    const { w, h } = bannerSize(text, scale);
    if (w < width - 4 && h < height - 4) {
      word = { text, scale, x: 2 + rng.int(width - w - 3), y: 2 + rng.int(height - h - 3) };
    }
  }
  const minObjects = opts.minObjects ?? 1;
  const maxObjects = opts.maxObjects ?? 6;
  const target = minObjects + rng.int(maxObjects - minObjects + 1);
  const objects: SceneObject[] = [];
  for (let attempt = 0; objects.length < target && attempt < 400; attempt++) {
    const size = rng.uniform() < 0.5 ? 'small' : 'large';
    const r = Math.max(5, Math.round(minSideNow * (size === 'small' ? 0.07 + rng.uniform() * 0.03 : 0.12 + rng.uniform() * 0.04)));
    const cx = r + rng.int(Math.max(1, width - 2 * r));
    const cy = r + rng.int(Math.max(1, height - 2 * r));
    if (hidesAnother(objects, cx, cy, r) || (word !== null && overlapsBanner(cx, cy, r, word))) continue;
    objects.push({ shape: SHAPES[rng.int(SHAPES.length)]!, colour: rng.int(COLOURS.length), size, cx, cy, r });
  }
  return { objects, word };
}

/** Overlaps are allowed but never so much that an object hides: centres ≥ 0.75·(r₁+r₂) apart. */
function hidesAnother(objects: readonly SceneObject[], cx: number, cy: number, r: number): boolean {
  return objects.some((o) => Math.hypot(o.cx - cx, o.cy - cy) < 0.75 * (o.r + r));
}

function overlapsBanner(cx: number, cy: number, r: number, word: SceneWord): boolean {
  const { w, h } = bannerSize(word.text, word.scale, word.scaleY);
  return cx + r > word.x - 2 && cx - r < word.x + w + 2 && cy + r > word.y - 2 && cy - r < word.y + h + 2;
}

/** The 3×3 grid cell name of a point. */
export function positionOf(scene: Scene, x: number, y: number): PositionName {
  const col = Math.min(2, Math.floor((3 * x) / scene.width));
  const row = Math.min(2, Math.floor((3 * y) / scene.height));
  return POSITIONS[row * 3 + col]!;
}

/** "red circle", the name an object goes by in captions and questions. */
export function objectName(o: SceneObject): string {
  return `${COLOURS[o.colour]!.name} ${o.shape}`;
}
