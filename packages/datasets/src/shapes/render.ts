/**
 * Rasterises a scene to RGB pixels plus a label map (which object, banner or ink covers each
 * pixel). Hard-edged and integer-only, so a scene renders to the same bytes on every machine;
 * the label map is what the teacher features and the tests read.
 */
import { Rng } from '@evejs/tensor';
import { GLYPH_HEIGHT, isInk, textWidth } from './font.js';
import type { Scene, SceneObject, SceneWord } from './scene.js';
import { bannerSize } from './scene.js';
import { COLOURS } from './vocabulary.js';

/** Label of a pixel covered by nothing but the background. */
export const LABEL_BACKGROUND = 0;
/** Label of the word's banner (paper) and of its letters (ink). */
export const LABEL_BANNER = 254;
export const LABEL_INK = 255;

export interface RenderedScene {
  readonly width: number;
  readonly height: number;
  /** Interleaved RGB, row-major. */
  readonly rgb: Uint8Array;
  /** Per pixel: 0 background, 1 + object index, LABEL_BANNER or LABEL_INK. */
  readonly labels: Uint8Array;
}

/** Whether (x, y) lies inside an object's shape. */
export function insideShape(o: SceneObject, x: number, y: number): boolean {
  const dx = x + 0.5 - o.cx;
  const dy = y + 0.5 - o.cy;
  const r = o.r;
  switch (o.shape) {
    case 'circle':
      return dx * dx + dy * dy <= r * r;
    case 'square':
      return Math.abs(dx) <= 0.82 * r && Math.abs(dy) <= 0.82 * r;
    case 'diamond':
      return Math.abs(dx) + Math.abs(dy) <= r;
    case 'cross': {
      const arm = r / 3;
      return (Math.abs(dx) <= arm && Math.abs(dy) <= r) || (Math.abs(dy) <= arm && Math.abs(dx) <= r);
    }
    case 'triangle': {
      // Upright triangle: apex at (0, −r), base at y = +0.8r from −0.95r to +0.95r.
      if (dy < -r || dy > 0.8 * r) return false;
      const t = (dy + r) / (1.8 * r); // 0 at the apex, 1 at the base
      return Math.abs(dx) <= 0.95 * r * t;
    }
  }
}

export function renderScene(scene: Scene): RenderedScene {
  const { width, height, background } = scene;
  const rgb = new Uint8Array(width * height * 3);
  const labels = new Uint8Array(width * height);
  const noise = new Rng(background.seed);
  const [br, bg, bb] = background.rgb;
  const period = 6 + (background.seed % 10);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let shade = 0;
      switch (background.kind) {
        case 'noise':
          shade = noise.int(31) - 15;
          break;
        case 'stripes':
          shade = Math.floor((x + y) / period) % 2 === 0 ? 10 : -10;
          break;
        case 'checker':
          shade = (Math.floor(x / period) + Math.floor(y / period)) % 2 === 0 ? 8 : -8;
          break;
        case 'plain':
          break;
      }
      const i = (y * width + x) * 3;
      rgb[i] = clamp(br + shade);
      rgb[i + 1] = clamp(bg + shade);
      rgb[i + 2] = clamp(bb + shade);
    }
  }
  scene.objects.forEach((o, k) => {
    const [r, g, b] = COLOURS[o.colour]!.rgb;
    const x0 = Math.max(0, Math.floor(o.cx - o.r - 1));
    const x1 = Math.min(width, Math.ceil(o.cx + o.r + 1));
    const y0 = Math.max(0, Math.floor(o.cy - o.r - 1));
    const y1 = Math.min(height, Math.ceil(o.cy + o.r + 1));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        if (!insideShape(o, x, y)) continue;
        const p = y * width + x;
        labels[p] = k + 1;
        rgb[p * 3] = r;
        rgb[p * 3 + 1] = g;
        rgb[p * 3 + 2] = b;
      }
    }
  });
  const word = scene.word;
  if (word) {
    // The banner's geometry can be fractional (the cell layout fits letters to token cells): a
    // pixel belongs to it, and to a font pixel, by its centre.
    const { w, h } = bannerSize(word.text, word.scale, word.scaleY);
    for (let y = Math.max(0, Math.ceil(word.y - 0.5)); y < Math.min(height, Math.ceil(word.y + h - 0.5)); y++) {
      for (let x = Math.max(0, Math.ceil(word.x - 0.5)); x < Math.min(width, Math.ceil(word.x + w - 0.5)); x++) {
        const { col, row } = fontPixelAt(word, x, y);
        const ink = col >= 0 && col < textWidth(word.text) && row >= 0 && row < GLYPH_HEIGHT && isInk(word.text, col, row);
        const p = y * width + x;
        labels[p] = ink ? LABEL_INK : LABEL_BANNER;
        const v = ink ? 15 : 250;
        rgb[p * 3] = v;
        rgb[p * 3 + 1] = v;
        rgb[p * 3 + 2] = v;
      }
    }
  }
  return { width, height, rgb, labels };
}

/** The word's font pixel (column, row; −1 is the banner's margin) under the centre of image pixel (x, y). */
export function fontPixelAt(word: SceneWord, x: number, y: number): { col: number; row: number } {
  return { col: Math.floor((x + 0.5 - word.x) / word.scale) - 1, row: Math.floor((y + 0.5 - word.y) / (word.scaleY ?? word.scale)) - 1 };
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
