// Rebuilds the Llama-2 tokenizer files (tokenizer.model, tokenizer.json, Vicuna configs) from
// llama-tokenizer-js into packages/tokenizer/build/llama2/ (or the directory given as argument).
// Run: node --conditions=@evejs/source --import tsx tools/tokenizer-fixtures/build-llama2-fixture.ts [dir]
import { ensureLlama2Fixture, LLAMA2_FIXTURE_DIR } from '../../packages/tokenizer/test/llama2-fixture.ts';

const dir = ensureLlama2Fixture(process.argv[2] ?? LLAMA2_FIXTURE_DIR, true);
process.stdout.write(`wrote ${dir}\n`);
