/**
 * The demo page: wires image input, the patch-grid picture, the chat view and the two runtimes
 * (server, in-browser WebGPU) to the controls in index.html. State lives here; each concept is
 * in its own file.
 */
import type { ProcessorConfig } from '@evejs/image';
import { ChatView } from './chat-view.js';
import { Conversation } from './conversation.js';
import { attachImageInput, decodeImageFile, type PickedImage } from './image-input.js';
import { fetchModelFiles, readPickedFiles, type ModelFiles } from './model-files.js';
import { describeGeometry, drawPatchGrid } from './patch-grid.js';
import { processorConfigOf } from './processor-fallback.js';
import { fetchServerModel, streamChatCompletion, type ServerModel } from './server-client.js';
import { BrowserEve, webGpuSupport } from './webgpu-runtime.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const baseUrl = new URL('./', location.href).href;

const chat = new ChatView($('chat-log'));
const conversation = new Conversation();
let image: PickedImage | null = null;
let processor: ProcessorConfig | null = null;
let serverModel: ServerModel | null = null;
let browserEve: BrowserEve | null = null;
let mode: 'server' | 'browser' = 'server';
let busy = false;

function setStatus(message: string, kind: 'info' | 'error' = 'info'): void {
  const el = $('status');
  el.textContent = message;
  el.dataset.kind = kind;
}

function setProgress(fraction: number | null, label = ''): void {
  const bar = $<HTMLProgressElement>('load-progress');
  bar.hidden = fraction === null;
  if (fraction !== null) bar.value = fraction;
  $('load-label').textContent = label;
}

function redrawImage(): void {
  if (!image || !processor) return;
  const g = drawPatchGrid($<HTMLCanvasElement>('grid-canvas'), image.bitmap, processor);
  $('geometry').textContent = describeGeometry(g, processor);
  $('token-count').textContent = `${g.numImageTokens} image tokens`;
  $('drop-zone').classList.add('has-image');
}

function setMode(next: 'server' | 'browser'): void {
  mode = next;
  for (const b of document.querySelectorAll<HTMLInputElement>('input[name=mode]')) b.checked = b.value === next;
  $('browser-panel').hidden = next !== 'browser';
  $('mode-label').textContent = next === 'server' ? `server (${serverModel?.id ?? 'not connected'})` : `in this tab, WebGPU (${browserEve?.name ?? 'no model loaded'})`;
}

async function loadInBrowser(source: () => Promise<ModelFiles>): Promise<void> {
  const support = await webGpuSupport();
  if (!support.ok) {
    setStatus(`This browser has no usable WebGPU (${support.reason}). Use server mode instead.`, 'error');
    setMode('server');
    return;
  }
  try {
    busy = true;
    setProgress(0, 'downloading weights…');
    const files = await source();
    setProgress(0, 'placing tensors on the GPU…');
    browserEve?.dispose();
    browserEve = null;
    browserEve = await BrowserEve.load(files, (n, total) => setProgress(n / total, `placing tensors on the GPU: ${n}/${total}`));
    processor = browserEve.imageProcessor;
    setProgress(null);
    setStatus(`Loaded ${browserEve.name} on ${support.adapter ?? 'WebGPU'}.`);
    document.body.dataset.browserModel = 'ready';
    setMode('browser');
    redrawImage();
  } catch (e) {
    setProgress(null);
    setStatus(`Loading failed: ${(e as Error).message}`, 'error');
  } finally {
    busy = false;
  }
}

async function ask(question: string): Promise<void> {
  if (busy || question.trim() === '') return;
  if (mode === 'browser' && !browserEve) {
    setStatus('Load a model into the tab first (or switch to server mode).', 'error');
    return;
  }
  if (mode === 'server' && !serverModel) {
    setStatus('No server connected.', 'error');
    return;
  }
  busy = true;
  $<HTMLButtonElement>('send').disabled = true;
  conversation.add('user', question);
  chat.addUser(question);
  const bubble = chat.startAssistant();
  const maxTokens = Number($<HTMLInputElement>('max-tokens').value) || 128;
  const temperature = Number($<HTMLInputElement>('temperature').value) || 0;
  const seed = 0;
  const started = performance.now();
  let pieces = 0;
  try {
    const stream =
      mode === 'server'
        ? streamChatCompletion(baseUrl, { model: serverModel!.id, messages: conversation.toOpenAiMessages(image?.dataUrl ?? null), maxTokens, temperature, seed })
        : browserEve!.chat(conversation, image?.pixels ?? null, { maxTokens, temperature, seed });
    for await (const delta of stream) {
      bubble.append(delta);
      pieces++;
    }
    conversation.add('assistant', bubble.text);
    const s = (performance.now() - started) / 1000;
    bubble.finish(`${mode === 'server' ? 'server' : 'in-browser WebGPU'} · ${pieces} chunks · ${s.toFixed(1)} s`);
  } catch (e) {
    conversation.turns.pop();
    console.error(e);
    bubble.fail((e as Error).message);
  } finally {
    busy = false;
    $<HTMLButtonElement>('send').disabled = false;
  }
}

async function connectServer(): Promise<void> {
  try {
    serverModel = await fetchServerModel(baseUrl);
    if (!processor) {
      const get = async (name: string) =>
        serverModel!.files.includes(name) ? (await fetch(new URL(`models/${encodeURIComponent(serverModel!.id)}/${name}`, baseUrl))).text() : undefined;
      processor = processorConfigOf(await get('preprocessor_config.json'), await get('config.json'));
    }
    setStatus(`Connected to the server: model ${serverModel.id}.`);
    document.body.dataset.server = 'ready';
  } catch (e) {
    setStatus(`No server here (${(e as Error).message}). Load a model into the tab instead.`, 'error');
  }
  setMode(mode);
  redrawImage();
}

function takeImage(picked: PickedImage): void {
  image = picked;
  conversation.clear();
  chat.clear();
  $('image-name').textContent = picked.name;
  redrawImage();
  document.body.dataset.image = 'ready';
}

attachImageInput($('drop-zone'), $<HTMLInputElement>('image-file'), takeImage, (m) => setStatus(m, 'error'));

$('ask-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $<HTMLTextAreaElement>('question');
  const q = input.value;
  input.value = '';
  void ask(q);
});
$('question').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    $<HTMLFormElement>('ask-form').requestSubmit();
  }
});
$('new-chat').addEventListener('click', () => {
  conversation.clear();
  chat.clear();
});
for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=mode]')) {
  radio.addEventListener('change', () => setMode(radio.value as 'server' | 'browser'));
}
$('load-from-server').addEventListener('click', () => {
  if (!serverModel) {
    setStatus('No server to download the model from; pick its folder instead.', 'error');
    return;
  }
  const m = serverModel;
  void loadInBrowser(() => fetchModelFiles(baseUrl, m.id, m.files, (n, total) => setProgress(total ? n / total : 0, `downloading weights: ${(n / 2 ** 20).toFixed(1)} MiB`)));
});
$<HTMLInputElement>('model-dir').addEventListener('change', (e) => {
  const list = (e.target as HTMLInputElement).files;
  if (list?.length) void loadInBrowser(() => readPickedFiles(list, (n, total) => setProgress(n / total, `reading files: ${(n / 2 ** 20).toFixed(1)} MiB`)));
});

void webGpuSupport().then((s) => {
  $('webgpu-note').textContent = s.ok ? `WebGPU available (${s.adapter ?? 'adapter found'}).` : `No WebGPU in this browser: ${s.reason}. Server mode still works.`;
  $<HTMLInputElement>('mode-browser').disabled = !s.ok;
  document.body.dataset.webgpu = s.ok ? 'yes' : 'no';
});
/** Example images with a question (public/examples/examples.json). */
async function showExamples(): Promise<void> {
  const res = await fetch(new URL('examples/examples.json', baseUrl)).catch(() => null);
  if (!res?.ok) return;
  const examples = (await res.json()) as { file: string; question: string }[];
  for (const ex of examples) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'example';
    b.textContent = ex.file.replace(/\.png$/, '');
    b.addEventListener('click', async () => {
      const blob = await (await fetch(new URL(`examples/${ex.file}`, baseUrl))).blob();
      takeImage(await decodeImageFile(blob, ex.file));
      $<HTMLTextAreaElement>('question').value = ex.question;
    });
    $('examples').append(b);
  }
}

void connectServer();
void showExamples();
