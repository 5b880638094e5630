// The report table in the paper's layout, and the chart's pixels (bar heights, not text).
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { ScoreResult } from './benchmark.js';
import { reportChartPng } from './chart.js';
import { buildReportTable, reportMarkdown, type SavedResult } from './report.js';

const base: Omit<ScoreResult, 'benchmark' | 'headline' | 'scored'> = { metrics: {}, breakdown: {}, counts: { questions: 1, answered: 1, missing: 0, extra: 0 }, notes: [] };
const r = (model: string, benchmark: string, headline: number | null): SavedResult => ({ ...base, model, benchmark, headline, scored: headline !== null });

describe('report', () => {
  const results = [r('EVE-7B', 'gqa', 60.8), r('EVE-7B', 'mme', 1217.3), r('EVE-7B', 'vqav2', null), r('tiny', 'gqa', 30), r('tiny', 'shapes', 90)];

  it('lays out the paper columns, with Shapes appended when present', () => {
    const t = buildReportTable(results);
    expect(t.columns).toEqual(['VQAv2', 'GQA', 'VizWiz', 'SQA-I', 'TextVQA', 'POPE', 'MME', 'MMB', 'SEED', 'MM-Vet', 'Shapes']);
    expect(reportMarkdown(t).split('\n')[2]).toBe('| EVE-7B | n/s | 60.8 | – | – | – | – | 1217.3 | – | – | – | – |');
    expect(() => buildReportTable([...results, r('tiny', 'gqa', 1)])).toThrow(/two results for GQA/);
  });

  it('draws taller bars for larger scores', async () => {
    const png = await reportChartPng(buildReportTable([r('a', 'gqa', 100), r('b', 'gqa', 25)]));
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const columnHeight = (x: number) => {
      let n = 0;
      for (let y = 0; y < info.height; y++) {
        const i = (y * info.width + x) * info.channels;
        if (data[i]! < 200 || data[i + 2]! < 200) n++;
      }
      return n;
    };
    // Bars start at x = 48 + 8; model a at +0..12, model b at +14..26.
    const a = columnHeight(48 + 8 + 6);
    const b = columnHeight(48 + 8 + 14 + 6);
    expect(a / b).toBeGreaterThan(3.5);
    expect(a / b).toBeLessThan(4.5);
  });
});
