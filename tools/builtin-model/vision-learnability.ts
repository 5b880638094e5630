/**
 * How fast EVE's vision tokenizer (patch convolution + 2×2 window attention) and projector can
 * learn one attribute of the shapes world on their own, given the strongest signal there is: a
 * linear head on each image token's projector output, trained with cross-entropy against the
 * attribute covering at least a quarter of the token's patch (`patchClass`, the aligner probe's
 * rule). No LLM, so a step costs a fraction of a training step. If an attribute does not become readable here,
 * no weighting of the alignment loss will make the recipe's image tokens carry it; that is the
 * question this answers. Held-out accuracy is printed every 50 optimizer steps.
 *
 * Usage: node --conditions=@evejs/source --import tsx tools/builtin-model/vision-learnability.ts \
 *          <initial checkpoint> <recipe data dir> [steps=300] [colours|shapes|letters] [lr=1e-3] [images=train size]
 * `images` limits the training images cycled through (8: can it memorise at all?). With a 7th
 * argument `pixels-mlp`, the vision tokenizer and projector are replaced by a one-hidden-layer MLP
 * (256 GELU units) on each token's raw pixels: is the attribute learnable from a token's own
 * pixels at all, by a learner with no patch structure?
 */
import path from 'node:path';
import { renderScene, TEACHER_LAYOUT, teacherFeatures } from '@evejs/datasets';
import { decodeImage, parseProcessorConfig, preprocessImage } from '@evejs/image';
import { argmax, Linear, prepareImage } from '@evejs/model';
import { crossEntropy, gelu, keep, noGrad, registerCpuBackend, reshape, slice, type Tensor, tensor, tidy } from '@evejs/tensor';
import { AdamW, loadTrainingModel } from '@evejs/trainer';
import { patchClass } from './patch-labels.js';
import { heldOutScenes, readSceneRows, type SceneRow } from './scenes.js';

const [initDir, dataDir, stepsArg = '300', attribute = 'shapes', lrArg = '1e-3', imagesArg, learner = 'eve'] = process.argv.slice(2);
if (!initDir || !dataDir || !['colours', 'shapes', 'letters'].includes(attribute)) {
  throw new Error('usage: vision-learnability.ts <initial checkpoint> <data dir> [steps] [colours|shapes|letters] [lr] [images]');
}
const BATCH = 4;
const EVAL_SCENES = 60;
registerCpuBackend();
const tm = await loadTrainingModel(initDir, { teacher: 'none' });
const processor = parseProcessorConfig(tm.processor.raw);
const group = TEACHER_LAYOUT[attribute as 'colours' | 'shapes' | 'letters'];
const tokenSide = processor.patchStride * processor.convStride;
const pixelsMlp = learner === 'pixels-mlp' ? new Linear(3 * tokenSide * tokenSide, 256).initParameters({ seed: 2, std: 0.02 }) : null;
const head = new Linear(pixelsMlp ? 256 : tm.config.hiddenSize, group.length).initParameters({ seed: 1, std: 0.02 });
const rows = await readSceneRows(dataDir);
const train = rows.filter((r) => r.split === 'train').slice(0, imagesArg ? Number(imagesArg) : undefined);
const heldOut = await heldOutScenes(dataDir, EVAL_SCENES);

/** The image and, per token, the attribute's class (−100, ignored, where `patchClass` gives none). */
async function load(r: SceneRow) {
  const image = preprocessImage(await decodeImage(path.join(dataDir!, 'images', r.image)), processor);
  const t = teacherFeatures(r.scene, renderScene(r.scene), { imageSizeClip: processor.imageSizeClip, patchStrideClip: processor.patchStrideClip });
  const targets = Int32Array.from({ length: t.rows * t.cols }, (_, p) => {
    const k = patchClass(t, p, group);
    return k < 0 ? -100 : k;
  });
  return { image, targets };
}

/** Head logits [tokens, classes] of the grid tokens (class and split tokens dropped). */
function logitsOf(img: ReturnType<typeof preprocessImage>): Tensor {
  const image = prepareImage(img.data, [...img.shape] as [number, number, number], processor.patchStride);
  if (pixelsMlp) return head.forward(gelu(pixelsMlp.forward(tokenPixels(img, image.crop))));
  const { embeds, grid } = tm.model.encodeImage(image);
  const d = embeds.shape[1]!;
  const rowsWithSplit = reshape(slice(embeds, [1, 0], [embeds.shape[0]! - 1, d]), [grid.rows, grid.cols + 1, d]);
  return head.forward(reshape(slice(rowsWithSplit, [0, 0, 0], [grid.rows, grid.cols, d]), [grid.rows * grid.cols, d]));
}

/** Each token's block of normalised pixels [tokens, 3·s·s] (s = patch stride × conv stride), row-major. */
function tokenPixels(img: ReturnType<typeof preprocessImage>, crop: { h1: number; w1: number; h2: number; w2: number }): Tensor {
  const s = tokenSide;
  const [, height, width] = img.shape;
  const rows = Math.floor(((crop.h2 - crop.h1 + 1) * processor.patchStride) / s);
  const cols = Math.floor(((crop.w2 - crop.w1 + 1) * processor.patchStride) / s);
  const out = new Float32Array(rows * cols * 3 * s * s);
  let o = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      for (let c = 0; c < 3; c++) {
        for (let y = 0; y < s; y++) {
          const from = c * height * width + (crop.h1 * processor.patchStride + i * s + y) * width + crop.w1 * processor.patchStride + j * s;
          out.set(img.data.subarray(from, from + s), o);
          o += s;
        }
      }
    }
  }
  return tensor(out, [rows * cols, 3 * s * s]);
}

const params: [string, Tensor][] = [];
for (const [k, slot] of tm.model.namedParameters()) {
  slot.tensor.requiresGrad = !pixelsMlp && (k.startsWith('model.vision_tower.') || k.startsWith('model.mm_projector.'));
  if (slot.tensor.requiresGrad) params.push([k, slot.tensor]);
}
for (const [prefix, layer] of [['head', head], ['pixels_mlp', pixelsMlp]] as const) {
  for (const [k, slot] of layer?.namedParameters() ?? []) {
    slot.tensor!.requiresGrad = true;
    params.push([`${prefix}.${k}`, slot.tensor!]);
  }
}
const optimizer = new AdamW([{ params, lr: Number(lrArg), weightDecay: 0 }]);
const evalSet = await Promise.all(heldOut.map(load));

async function heldOutAccuracy(): Promise<string> {
  let right = 0;
  let asked = 0;
  for (const e of evalSet) {
    const logits = noGrad(() => tidy(() => logitsOf(e.image)));
    const v = (await logits.data()) as Float32Array;
    logits.dispose();
    e.targets.forEach((target, p) => {
      if (target === -100) return;
      asked++;
      if (argmax(v.subarray(p * group.length, (p + 1) * group.length)) === target) right++;
    });
  }
  return `${((100 * right) / asked).toFixed(1)} % of ${asked} tokens (chance ${(100 / group.length).toFixed(1)} %)`;
}

const started = Date.now();
let lossSum = 0;
let lossCount = 0;
for (let step = 1; step <= Number(stepsArg); step++) {
  for (let b = 0; b < BATCH; b++) {
    const s = await load(train[((step - 1) * BATCH + b) % train.length]!);
    if (s.targets.every((t) => t === -100)) continue;
    const loss = tidy(() => {
      const l = crossEntropy(logitsOf(s.image), tensor(s.targets, [s.targets.length], { dtype: 'i32' }));
      l.backward();
      return keep(l);
    });
    lossSum += (await loss.data())[0]!;
    lossCount++;
    loss.dispose();
  }
  optimizer.update(1);
  optimizer.zeroGrad();
  if (step % 50 === 0) {
    console.log(`step ${step}  train loss ${(lossSum / Math.max(1, lossCount)).toFixed(3)}  held-out ${await heldOutAccuracy()}  ${((Date.now() - started) / 1000).toFixed(0)} s`);
    lossSum = 0;
    lossCount = 0;
  }
}
