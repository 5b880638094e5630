/**
 * What a shapes-recipe checkpoint's hidden states at the image tokens know, read through its own
 * aligning layer: for held-out scenes, each group of the predicted teacher vector (colour, shape,
 * letter, row, column) is compared with the scene's true features by argmax, on the patches where
 * that group has something to say (`patchClass`: an object or a letter covering at least a
 * quarter of the patch; every patch for row and column). Chance is 1 / group size. Unlike the
 * alignment loss, whose cosine is dominated by the many background patches, this says per
 * attribute whether the image tokens carry it — the first thing to check when a question type
 * stays at the blind baseline.
 *
 * Usage: node --conditions=@evejs/source --import tsx tools/builtin-model/aligner-probe.ts \
 *          <checkpoint with an aligning layer (any stage)> <recipe data dir> [scenes=100]
 * The checkpoint folder needs the tokenizer files (copy them from models/eve-shapes-tiny).
 */
import path from 'node:path';
import { renderScene, TEACHER_LAYOUT, teacherFeatures } from '@evejs/datasets';
import { parseProcessorConfig } from '@evejs/image';
import { argmax, IMAGE_TOKEN_INDEX } from '@evejs/model';
import { noGrad, registerCpuBackend, type Tensor, tidy } from '@evejs/tensor';
import { loadTokenizer } from '@evejs/tokenizer';
import { loadTrainingModel, SampleBuilder, SHAPES_TEACHER_WIDTH } from '@evejs/trainer';
import { patchClass } from './patch-labels.js';
import { heldOutScenes } from './scenes.js';

const [checkpoint, dataDir, n = '100'] = process.argv.slice(2);
if (!checkpoint || !dataDir) throw new Error('usage: aligner-probe.ts <checkpoint> <data dir> [scenes]');
registerCpuBackend();
const tm = await loadTrainingModel(checkpoint, { teacher: 'shapes', shapesTeacherDim: SHAPES_TEACHER_WIDTH });
if (!tm.compressor) throw new Error(`${checkpoint}: no aligning layer`);
const builder = new SampleBuilder({
  tokenizer: await loadTokenizer(checkpoint),
  processor: parseProcessorConfig(tm.processor.raw),
  template: 'plain',
  maxLength: 64,
  teacher: { kind: 'none' },
});
const rows = await heldOutScenes(dataDir, Number(n));

type GroupName = 'colours' | 'shapes' | 'letters' | 'row' | 'column';
const GROUPS: GroupName[] = ['colours', 'shapes', 'letters', 'row', 'column'];
const tally = Object.fromEntries(GROUPS.map((g) => [g, { right: 0, asked: 0 }])) as Record<GroupName, { right: number; asked: number }>;

for (const [index, { image, scene }] of rows.entries()) {
  // The hidden states at the image tokens do not depend on the text after them (causal attention).
  const sample = await builder.build({ index, id: image, imagePath: path.join(dataDir, 'images', image), conversations: [{ from: 'human', value: '<image>' }, { from: 'gpt', value: '' }] });
  // tidy frees the hidden states (the last of them is the forward's own result) but the prediction.
  const prediction = tidy(() =>
    noGrad(() => {
      const { embeds, imageGrids } = tm.model.embedInputs(sample.inputIds, [sample.image]);
      const hidden: Tensor[] = [];
      tm.model.model.forward(embeds, undefined, hidden);
      return tm.compressor!.predict(hidden, sample.inputIds.indexOf(IMAGE_TOKEN_INDEX), imageGrids[0]!);
    }),
  );
  const pred = (await prediction.data()) as Float32Array;
  const truth = teacherFeatures(scene, renderScene(scene), { imageSizeClip: tm.processor.imageSizeClip, patchStrideClip: tm.processor.patchStrideClip });
  const width = prediction.shape[1]!;
  const patches = truth.rows * truth.cols;
  if (prediction.shape[0] !== patches) throw new Error(`${image}: ${prediction.shape[0]} predicted patches, ${patches} teacher patches`);
  for (let p = 0; p < patches; p++) {
    for (const g of GROUPS) {
      const { offset, length } = TEACHER_LAYOUT[g];
      const k = patchClass(truth, p, TEACHER_LAYOUT[g]);
      if (k < 0) continue;
      tally[g].asked++;
      if (argmax(pred.subarray(p * width + offset, p * width + offset + length)) === k) tally[g].right++;
    }
  }
  prediction.dispose();
  sample.image.pixels.dispose();
}
console.log(
  JSON.stringify(
    Object.fromEntries(
      GROUPS.map((g) => [g, { patches: tally[g].asked, accuracy: `${((100 * tally[g].right) / Math.max(1, tally[g].asked)).toFixed(1)} %`, chance: `${(100 / TEACHER_LAYOUT[g].length).toFixed(1)} %` }]),
    ),
    null,
    1,
  ),
);
tm.model.dispose();
tm.compressor.dispose();
