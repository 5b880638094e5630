/**
 * Reports: gathers saved score results (one JSON per model × benchmark, as `eve eval score
 * --save` writes them) into the paper's table (EVE-SPEC §9.9: model rows × VQAv2 GQA VizWiz SQA-I
 * TextVQA POPE MME MMB SEED MM-Vet, plus Shapes when present) as Markdown and JSON.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { FormatError } from '@evejs/tensor';
import { BENCHMARKS } from './benchmark-registry.js';
import type { ScoreResult } from './benchmark.js';
import { readJson } from './jsonl.js';

/** A score result labelled with the model it belongs to. */
export interface SavedResult extends ScoreResult {
  model: string;
}

export interface ReportTable {
  /** Column titles, in the paper's order. */
  columns: string[];
  /** model → column → headline (null: unscored / server-scored). */
  rows: Record<string, Record<string, number | null>>;
}

/** Reads every `*.json` result in the given files or folders (folders are not recursed). */
export async function readSavedResults(inputs: readonly string[]): Promise<SavedResult[]> {
  const files: string[] = [];
  for (const p of inputs) {
    if (p.endsWith('.json')) files.push(p);
    else for (const f of (await readdir(p)).sort()) if (f.endsWith('.json')) files.push(path.join(p, f));
  }
  const out: SavedResult[] = [];
  for (const f of files) {
    const r = await readJson<SavedResult>(f);
    if (typeof r.model !== 'string' || typeof r.benchmark !== 'string') throw new FormatError(f, 'not a saved score result (needs "model" and "benchmark")');
    out.push(r);
  }
  return out;
}

/** Builds the table; a model scored twice on one benchmark is an error. */
export function buildReportTable(results: readonly SavedResult[]): ReportTable {
  const present = new Set(results.map((r) => r.benchmark));
  const benches = BENCHMARKS.filter((b) => b.name !== 'shapes' || present.has('shapes'));
  const rows: ReportTable['rows'] = {};
  for (const r of results) {
    const b = benches.find((x) => x.name === r.benchmark);
    if (!b) continue;
    const row = (rows[r.model] ??= {});
    if (b.column in row) throw new FormatError(r.model, `two results for ${b.column}`);
    row[b.column] = r.scored ? r.headline : null;
  }
  return { columns: benches.map((b) => b.column), rows };
}

/** The table as Markdown: one decimal (MME too, as the paper); "–" not run, "n/s" not scored locally. */
export function reportMarkdown(t: ReportTable): string {
  const head = `| model | ${t.columns.join(' | ')} |`;
  const rule = `| --- |${t.columns.map(() => ' ---: |').join('')}`;
  const body = Object.entries(t.rows).map(([model, row]) => {
    const cells = t.columns.map((c) => (!(c in row) ? '–' : row[c] === null ? 'n/s' : row[c]!.toFixed(1)));
    return `| ${model} | ${cells.join(' | ')} |`;
  });
  return [head, rule, ...body].join('\n') + '\n';
}
