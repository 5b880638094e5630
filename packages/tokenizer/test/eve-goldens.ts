/** Types of test/fixtures/eve-goldens.json (made by tools/tokenizer-fixtures/eve_goldens.py). */
import { readFixtureJson } from './llama2-fixture.js';

export interface EveGoldens {
  prompts: { template: string; messages: [string, string | null][]; prompt: string; ids: number[] }[];
  sft: { hasImage: boolean; conversations: { from: string; value: string }[]; prompt: string; ids: number[]; labels: number[]; mismatch: boolean }[];
  plain: { conversations: { from: string; value: string }[]; prompt: string; ids: number[]; labels: number[] }[];
}

export const eveGoldens = (): EveGoldens => readFixtureJson<EveGoldens>('eve-goldens.json');
