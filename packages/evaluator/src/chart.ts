/**
 * A grouped bar chart of a report table (one group per benchmark, one bar per model), drawn as
 * SVG and converted to PNG with sharp. MME is scaled from its 2000-point maximum to percent so all
 * columns share one axis. Labels are drawn as text (DejaVu Sans when present), but nothing
 * depends on them: bar heights carry the data.
 */
import sharp from 'sharp';
import type { ReportTable } from './report.js';

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'];

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The chart as SVG text. */
export function reportChartSvg(t: ReportTable): string {
  const models = Object.keys(t.rows);
  const cols = t.columns.filter((c) => models.some((m) => typeof t.rows[m]![c] === 'number'));
  const barW = 14;
  const groupW = Math.max(1, models.length) * barW + 16;
  const left = 48;
  const top = 20;
  const plotH = 240;
  const width = left + cols.length * groupW + 160;
  const height = top + plotH + 60;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<g font-family="DejaVu Sans, sans-serif" font-size="11">`,
  ];
  for (let v = 0; v <= 100; v += 20) {
    const y = top + plotH - (v / 100) * plotH;
    parts.push(`<line x1="${left}" x2="${left + cols.length * groupW}" y1="${y}" y2="${y}" stroke="#ddd"/>`, `<text x="${left - 6}" y="${y + 4}" text-anchor="end">${v}</text>`);
  }
  cols.forEach((c, ci) => {
    const gx = left + ci * groupW + 8;
    models.forEach((m, mi) => {
      const raw = t.rows[m]![c];
      if (typeof raw !== 'number') return;
      const v = Math.max(0, Math.min(100, c === 'MME' ? raw / 20 : raw));
      const h = (v / 100) * plotH;
      parts.push(`<rect x="${gx + mi * barW}" y="${top + plotH - h}" width="${barW - 2}" height="${h}" fill="${PALETTE[mi % PALETTE.length]}"><title>${escapeXml(`${m} ${c}: ${raw.toFixed(1)}`)}</title></rect>`);
    });
    parts.push(`<text x="${gx + (models.length * barW) / 2}" y="${top + plotH + 16}" text-anchor="middle">${escapeXml(c === 'MME' ? 'MME/20' : c)}</text>`);
  });
  models.forEach((m, mi) => {
    const x = left + cols.length * groupW + 16;
    const y = top + 10 + mi * 18;
    parts.push(`<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${PALETTE[mi % PALETTE.length]}"/>`, `<text x="${x + 16}" y="${y}">${escapeXml(m)}</text>`);
  });
  parts.push('</g></svg>');
  return parts.join('\n');
}

/** The chart as PNG bytes. */
export async function reportChartPng(t: ReportTable): Promise<Buffer> {
  return sharp(Buffer.from(reportChartSvg(t))).png().toBuffer();
}
