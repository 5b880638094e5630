/**
 * Draws the loss curve(s) of a training log as a PNG next to the checkpoint: an SVG rendered by
 * sharp (librsvg), one polyline per series, with the step and loss ranges labelled.
 */
import sharp from 'sharp';
import type { StepMetrics } from './metrics-log.js';

const SERIES: { key: keyof StepMetrics; colour: string }[] = [
  { key: 'loss', colour: '#1f4e9c' },
  { key: 'lm_loss', colour: '#2e8b57' },
  { key: 'align_loss', colour: '#c0392b' },
];

/** Renders the curve to an SVG string (exposed for tests). */
export function lossCurveSvg(metrics: readonly StepMetrics[], title = 'training loss', width = 800, height = 420): string {
  const pad = { l: 70, r: 20, t: 40, b: 50 };
  const steps = metrics.map((m) => m.step);
  const values = metrics.flatMap((m) => SERIES.map((s) => Number(m[s.key])).filter((v) => Number.isFinite(v)));
  const x0 = Math.min(...steps);
  const x1 = Math.max(x0 + 1, ...steps);
  const y0 = Math.min(0, ...values);
  const y1 = Math.max(y0 + 1e-6, ...values);
  const sx = (s: number): number => pad.l + ((s - x0) / (x1 - x0)) * (width - pad.l - pad.r);
  const sy = (v: number): number => height - pad.b - ((v - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  const lines = SERIES.map((s) => {
    const pts = metrics.filter((m) => Number.isFinite(Number(m[s.key]))).map((m) => `${sx(m.step).toFixed(1)},${sy(Number(m[s.key])).toFixed(1)}`);
    return pts.length ? `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${pts.join(' ')}"/>` : '';
  }).join('');
  const legend = SERIES.map((s, i) => `<text x="${pad.l + 10 + i * 120}" y="${pad.t - 12}" fill="${s.colour}" font-size="14" font-family="DejaVu Sans, sans-serif">${String(s.key)}</text>`).join('');
  const label = (x: number, y: number, text: string, anchor = 'middle'): string =>
    `<text x="${x}" y="${y}" font-size="12" text-anchor="${anchor}" font-family="DejaVu Sans, sans-serif">${text}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="18" font-size="15" text-anchor="middle" font-family="DejaVu Sans, sans-serif">${title}</text>
<line x1="${pad.l}" y1="${height - pad.b}" x2="${width - pad.r}" y2="${height - pad.b}" stroke="black"/>
<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${height - pad.b}" stroke="black"/>
${label(pad.l, height - pad.b + 18, String(x0))}${label(width - pad.r, height - pad.b + 18, String(x1))}${label(width / 2, height - 12, 'optimizer step')}
${label(pad.l - 6, height - pad.b, y0.toFixed(3), 'end')}${label(pad.l - 6, pad.t + 4, y1.toFixed(3), 'end')}
${legend}${lines}
</svg>`;
}

/** Writes the loss curve PNG. */
export async function writeLossCurve(file: string, metrics: readonly StepMetrics[], title?: string): Promise<void> {
  if (metrics.length === 0) return;
  await sharp(Buffer.from(lossCurveSvg(metrics, title))).png().toFile(file);
}
