/**
 * The shapes world's vocabulary: object colours, shapes, the 3×3 position names, and the short
 * words printed in images. Everything a caption or an answer can say comes from these lists, so
 * answers are single words or short phrases that exact-match scoring can judge.
 */

export interface ColourDef {
  readonly name: string;
  readonly rgb: readonly [number, number, number];
}

/** Saturated object colours; backgrounds are light and low-contrast, so none is confusable. */
export const COLOURS: readonly ColourDef[] = [
  { name: 'red', rgb: [220, 30, 30] },
  { name: 'green', rgb: [30, 160, 50] },
  { name: 'blue', rgb: [30, 60, 220] },
  { name: 'yellow', rgb: [235, 200, 20] },
  { name: 'purple', rgb: [140, 40, 170] },
  { name: 'orange', rgb: [245, 130, 20] },
  { name: 'black', rgb: [20, 20, 20] },
];

export const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'cross'] as const;
export type ShapeKind = (typeof SHAPES)[number];

/** Plural forms used in captions and count questions. */
export const PLURAL: Record<ShapeKind, string> = {
  circle: 'circles',
  square: 'squares',
  triangle: 'triangles',
  diamond: 'diamonds',
  cross: 'crosses',
};

/** Position names of the 3×3 grid, row-major (row 0 = top). */
export const POSITIONS = [
  'top left', 'top', 'top right',
  'left', 'center', 'right',
  'bottom left', 'bottom', 'bottom right',
] as const;
export type PositionName = (typeof POSITIONS)[number];

/**
 * Short words printed on a banner in some images (capitals of the built-in 5×7 font). Eight, each
 * with its own first letter: a model of a few million parameters trained for minutes sees each
 * word ~100 times, enough to learn to read them (with 24 words it stayed at chance).
 */
export const WORDS = [
  'CAT', 'DOG', 'SUN', 'BOX', 'KEY', 'PEN', 'OWL', 'ZOO',
] as const;

/** The distinct letters of WORDS, alphabetically: what a reader of the banners has to tell apart. */
export const WORD_LETTERS: readonly string[] = [...new Set(WORDS.join(''))].sort();

export const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six'] as const;
