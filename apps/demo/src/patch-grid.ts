/**
 * Draws what the model sees: the image resized and placed on the square canvas as EVE's
 * any-ratio preprocessing does (spec §3.2–3.4), the padding in its background colour, the
 * patch grid (`patch_stride` pixels), the pooled token cells (`conv_stride` patches) inside the
 * valid box, and the valid box itself. The caption states the token count (§3.6).
 *
 * This is a picture for people: the browser's resize stands in for Pillow's here; the model
 * input itself is computed with @evejs/image's exact resize.
 */
import { anypixelGeometry, backgroundColor, type AnypixelGeometry, type ProcessorConfig } from '@evejs/image';

/** The side the canvas is drawn at on screen, whatever the model's canvas size. */
const DISPLAY_PX = 448;

export function drawPatchGrid(canvas: HTMLCanvasElement, bitmap: ImageBitmap, config: ProcessorConfig): AnypixelGeometry {
  const g = anypixelGeometry(bitmap.width, bitmap.height, config);
  const S = g.canvasSize;
  const k = DISPLAY_PX / S; // screen pixels per model pixel
  canvas.width = DISPLAY_PX;
  canvas.height = DISPLAY_PX;
  const ctx = canvas.getContext('2d')!;
  const [r, gr, b] = backgroundColor(config);
  ctx.fillStyle = `rgb(${r}, ${gr}, ${b})`;
  ctx.fillRect(0, 0, DISPLAY_PX, DISPLAY_PX);
  const [x0, y0, x1, y1] = g.validBox;
  const [needW, needH] = g.needhw;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, x0 * k, y0 * k, needW * k, needH * k);

  // Padding greyed out so the valid region stands out.
  ctx.fillStyle = 'rgba(20, 20, 30, 0.45)';
  if (g.isLandscape) {
    ctx.fillRect(0, 0, DISPLAY_PX, y0 * k);
    ctx.fillRect(0, y1 * k, DISPLAY_PX, DISPLAY_PX - y1 * k);
  } else {
    ctx.fillRect(0, 0, x0 * k, DISPLAY_PX);
    ctx.fillRect(x1 * k, 0, DISPLAY_PX - x1 * k, DISPLAY_PX);
  }

  const p = config.patchStride;
  const cell = p * config.convStride;
  const line = (x: number, y: number, x2: number, y2: number) => {
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, Math.round(y) + 0.5);
    ctx.lineTo(Math.round(x2) + 0.5, Math.round(y2) + 0.5);
    ctx.stroke();
  };
  // Patch grid over the whole canvas (every patch is embedded; the crop happens after).
  ctx.strokeStyle = 'rgba(255, 255, 255, 0.18)';
  ctx.lineWidth = 1;
  for (let v = 0; v <= S; v += p) {
    line(v * k, 0, v * k, DISPLAY_PX);
    line(0, v * k, DISPLAY_PX, v * k);
  }
  // Token cells (2×2 pooled patches) inside the valid box.
  ctx.strokeStyle = 'rgba(255, 214, 10, 0.75)';
  for (let x = x0; x <= x1; x += cell) line(x * k, y0 * k, x * k, y1 * k);
  for (let y = y0; y <= y1; y += cell) line(x0 * k, y * k, x1 * k, y * k);
  // The valid box.
  ctx.strokeStyle = '#ff4d6d';
  ctx.lineWidth = 3;
  ctx.strokeRect(x0 * k + 1.5, y0 * k + 1.5, (x1 - x0) * k - 3, (y1 - y0) * k - 3);
  return g;
}

/** One line saying what the grid means. */
export function describeGeometry(g: AnypixelGeometry, config: ProcessorConfig): string {
  const [x0, y0, x1, y1] = g.validBox;
  return (
    `${g.sourceWidth}×${g.sourceHeight} → resized to ${g.needhw[0]}×${g.needhw[1]} on a ${g.canvasSize}×${g.canvasSize} canvas` +
    ` · valid box x ${x0}–${x1}, y ${y0}–${y1}${g.isPadded ? '' : ' (no padding)'}` +
    ` · ${g.tokenRows}×${g.tokenCols} tokens of ${config.patchStride * config.convStride} px` +
    ` · ${g.numImageTokens} image tokens (1 + ${g.tokenRows}×(${g.tokenCols}+1))`
  );
}
