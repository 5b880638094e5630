// `eve chat` in a child process on the tiny EVE fixture (random weights, tiny tokenizer): the
// streamed answer equals greedy generation run in-process on the same prompt; piped questions
// make a multi-turn conversation.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { engine, registerCpuBackend } from '@evejs/tensor';
import { getConversationTemplate, loadTokenizer, renderPrompt, tokenizerImageToken } from '@evejs/tokenizer';
import { generateIds, loadPretrained } from '@evejs/model';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const MODEL = fileURLToPath(new URL('../../../../packages/model/test/fixtures/tiny-eve', import.meta.url));

describe('eve chat', () => {
  it('prints the greedy answer to a one-shot question (text only)', async () => {
    const question = 'the cat?';
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@evejs/source', '--import', 'tsx', 'apps/cli/src/bin.ts', 'chat', '--model', MODEL, '--max-new-tokens', '8', question],
      { cwd: ROOT },
    );
    registerCpuBackend();
    await engine.initBackend('cpu');
    const { model } = await loadPretrained(MODEL, { backend: 'cpu' });
    const tok = await loadTokenizer(MODEL);
    const t = getConversationTemplate('vicuna_v1');
    const ids = tokenizerImageToken(tok, renderPrompt(t, [{ role: 'USER', text: question }, { role: 'ASSISTANT', text: null }]));
    const out = await generateIds(model, ids, { maxNewTokens: 8 });
    let expected = tok.decode(out, { skipSpecialTokens: true });
    const cut = expected.indexOf('</s>');
    if (cut >= 0) expected = expected.slice(0, cut);
    expect(stdout).toBe(`${expected.trimStart()}\n`);
    model.dispose();
  });

  it('answers piped questions one after another in one conversation', async () => {
    const child = spawn(process.execPath, ['--conditions=@evejs/source', '--import', 'tsx', 'apps/cli/src/bin.ts', 'chat', '--model', MODEL, '--max-new-tokens', '4'], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stdin.end('the cat?\nthe hat?\nexit\n');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout.split('\n')).toHaveLength(3); // two answers, each ending in a newline
  });
});
