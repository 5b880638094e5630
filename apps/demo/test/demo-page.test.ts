// The demo page in real headless Chromium (playwright-core, /usr/bin/chromium): pick an example
// image, ask a shapes question, watch the answer stream, ask a follow-up (multi-turn), and check
// the page's answers against the server's non-streamed API for the same conversation (greedy).
// With the trained built-in model (models/eve-shapes-tiny/model.safetensors) the first answer
// must also be right; with the tiny random fixture it is gibberish, so only agreement is checked.
// Where Chromium exposes WebGPU (--enable-unsafe-webgpu; SwiftShader), in-browser mode runs too
// and must give the server's greedy answer. Screenshots land in apps/demo/test-results/.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedEveServer } from '@evejs/server';
import { buildDemoPage, DEMO_ROOT, startDemo } from '../src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BUILT_IN = `${REPO}models/eve-shapes-tiny`;
const isTrained = existsSync(`${BUILT_IN}/model.safetensors`);
const MODEL_DIR = isTrained ? BUILT_IN : `${REPO}packages/model/test/fixtures/tiny-eve`;
const RESULTS = `${DEMO_ROOT}test-results`;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
// The fixture's context is 256 positions and its 320-piece vocabulary spends most of them on the
// vicuna_v1 system prompt: short questions and answers keep two turns inside it.
const MAX_TOKENS = isTrained ? 24 : 8;
const FOLLOW_UP = isTrained ? 'What shape is the largest object?' : 'Shape?';

interface Example {
  file: string;
  question: string;
  answer: string;
}

let server: StartedEveServer;
let example: Example;
let imageDataUrl: string;

/** The server's non-streamed answer for a conversation (what the page must show). */
async function apiAnswer(turns: { role: 'user' | 'assistant'; text: string }[]): Promise<string> {
  const messages = turns.map((t, i) =>
    i === 0 ? { role: 'user', content: [{ type: 'image_url', image_url: { url: imageDataUrl } }, { type: 'text', text: t.text }] } : { role: t.role, content: t.text },
  );
  const model = ((await (await fetch(`${server.url}/v1/models`)).json()) as { data: { id: string }[] }).data[0]!.id;
  const res = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages, stream: false, max_tokens: MAX_TOKENS, temperature: 0, seed: 0 }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
}

/** Asks a question on the page; returns the final text and how many distinct partial texts were seen. */
async function askOnPage(page: Page, question: string): Promise<{ text: string; partials: number }> {
  const before = await page.locator('.msg.assistant').count();
  await page.evaluate(() => {
    // Record every intermediate text of the new bubble: proof the answer arrived in pieces.
    const w = window as unknown as { __partials: Set<string> };
    w.__partials = new Set();
    new MutationObserver(() => {
      const bubbles = document.querySelectorAll('.msg.assistant .text');
      const last = bubbles[bubbles.length - 1];
      if (last?.textContent) w.__partials.add(last.textContent);
    }).observe(document.getElementById('chat-log')!, { subtree: true, childList: true, characterData: true });
  });
  await page.fill('#question', question);
  await page.click('#send');
  const bubble = page.locator('.msg.assistant').nth(before);
  await bubble.and(page.locator('[data-done]')).waitFor({ timeout: 180_000 });
  expect(await bubble.getAttribute('data-done'), await bubble.innerText()).toBe('true');
  const text = (await bubble.locator('.text').textContent()) ?? '';
  const partials = await page.evaluate(() => (window as unknown as { __partials: Set<string> }).__partials.size);
  return { text, partials };
}

async function openPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1220, height: 820 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(server.url);
  await page.locator('body[data-server=ready]').waitFor({ timeout: 30_000 });
  await page.locator('#examples button.example').first().waitFor();
  await page.click(`#examples button.example:text-is("${example.file.replace(/\.png$/, '')}")`);
  await page.locator('body[data-image=ready]').waitFor();
  await page.fill('#max-tokens', String(MAX_TOKENS));
  return { page, errors };
}

describe.skipIf(!existsSync(CHROMIUM))(`demo page in headless Chromium (${isTrained ? 'trained built-in model' : 'tiny random fixture'})`, () => {
  beforeAll(async () => {
    await mkdir(RESULTS, { recursive: true });
    // Its own build, so a concurrent `eve demo` test never sees dist/ half-written.
    const distDir = `${RESULTS}/dist`;
    await buildDemoPage({ outDir: distDir });
    server = await startDemo({ modelDir: MODEL_DIR, port: 0, logLevel: 'silent', distDir });
    const examples = JSON.parse(await readFile(`${DEMO_ROOT}public/examples/examples.json`, 'utf8')) as Example[];
    example = isTrained ? examples[0]! : { ...examples[0]!, question: 'How many?' };
    imageDataUrl = `data:image/png;base64,${(await readFile(`${DEMO_ROOT}public/examples/${example.file}`)).toString('base64')}`;
  });
  afterAll(async () => {
    await server?.close();
    server?.context.runtime.dispose();
  });

  it('server mode: grid overlay, streamed answer equal to the API, multi-turn', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const { page, errors } = await openPage(browser);
      const geometry = await page.locator('#geometry').textContent();
      expect(geometry).toMatch(/image tokens/);
      expect(await page.locator('#token-count').textContent()).toMatch(/^\d+ image tokens$/);

      const first = await askOnPage(page, example.question);
      await page.screenshot({ path: `${RESULTS}/server-mode.png` });
      const expected = await apiAnswer([{ role: 'user', text: example.question }]);
      expect(first.text).toBe(expected);
      expect(first.text.length).toBeGreaterThan(0);
      // The trained model answers in a word ("yellow"); the fixture's answers are long, and
      // there they must arrive in several pieces. (The server's own tests check SSE chunking.)
      expect(first.partials, 'the answer should arrive in pieces').toBeGreaterThan(isTrained ? 0 : 1);
      if (isTrained) expect(first.text.trim().toLowerCase()).toBe(example.answer);

      const followUp = FOLLOW_UP;
      const second = await askOnPage(page, followUp);
      const expected2 = await apiAnswer([
        { role: 'user', text: example.question },
        { role: 'assistant', text: first.text },
        { role: 'user', text: followUp },
      ]);
      expect(second.text).toBe(expected2);
      await page.screenshot({ path: `${RESULTS}/server-mode-multiturn.png`, fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('in-browser WebGPU mode: loads the weights with a progress bar and answers as the server does (greedy)', async (ctx) => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, '--enable-unsafe-webgpu'] });
    try {
      const { page, errors } = await openPage(browser);
      await page.locator('body[data-webgpu]').waitFor();
      if ((await page.locator('body').getAttribute('data-webgpu')) !== 'yes') {
        ctx.skip(`this Chromium exposes no WebGPU: ${await page.locator('#webgpu-note').textContent()}`);
      }
      await page.click('#mode-browser');
      await page.click('#load-from-server');
      await page.locator('#load-progress:not([hidden])').waitFor();
      await page.locator('body[data-browser-model=ready]').waitFor({ timeout: 180_000 });
      expect(await page.locator('#mode-label').textContent()).toMatch(/WebGPU/);
      const answer = await askOnPage(page, example.question);
      await page.screenshot({ path: `${RESULTS}/webgpu-mode.png` });
      const expected = await apiAnswer([{ role: 'user', text: example.question }]);
      expect(answer.text).toBe(expected);

      // The same model picked from disk (a folder input) gives the same answer.
      await page.evaluate(() => delete document.body.dataset.browserModel);
      await page.setInputFiles('#model-dir', MODEL_DIR);
      await page.locator('body[data-browser-model=ready]').waitFor({ timeout: 180_000 });
      await page.click('#new-chat');
      expect((await askOnPage(page, example.question)).text).toBe(expected);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('falls back with a clear message when the browser has no WebGPU', async (ctx) => {
    // Without --enable-unsafe-webgpu this Chromium offers no adapter.
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const { page } = await openPage(browser);
      await page.locator('body[data-webgpu]').waitFor();
      if ((await page.locator('body').getAttribute('data-webgpu')) !== 'no') ctx.skip('this Chromium has WebGPU even without --enable-unsafe-webgpu');
      expect(await page.locator('#webgpu-note').textContent()).toMatch(/No WebGPU in this browser.*Server mode still works/);
      expect(await page.locator('#mode-browser').isDisabled()).toBe(true);
      await page.screenshot({ path: `${RESULTS}/no-webgpu.png` });
    } finally {
      await browser.close();
    }
  });
});
