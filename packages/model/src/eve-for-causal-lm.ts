/**
 * `EVELlamaForCausalLM`: the Llama decoder whose input sequence carries, at each `-200`
 * placeholder, the projected tokens of one image (EVE's `prepare_inputs_labels_for_multimodal`,
 * batch 1). Keys: `model.{embed_tokens,layers,norm}`, `model.vision_tower.*`,
 * `model.mm_projector.*`, `lm_head`. The CLIP teacher and the patch aligning layer are separate
 * modules (clip-vision.ts, vision-compressor.ts) used only by training.
 */
import { concat, EveError, reshape, sliceAxis, tensor, type Tensor } from '@evejs/tensor';
import type { EveConfig, VisionProcessorConfig } from './eve-config.js';
import { Linear } from './layers.js';
import { LlamaModel } from './llama.js';
import type { KvCache } from './kv-cache.js';
import { MmProjector } from './mm-projector.js';
import { Module } from './module.js';
import { cropFromMask, type ImageCrop, type ImageGrid, VisionTokenizer } from './vision-tokenizer.js';

/** The placeholder id where an image's tokens go (`IMAGE_TOKEN_INDEX`). */
export const IMAGE_TOKEN_INDEX = -200;

/** One preprocessed image: pixels [4, H, W] (3 normalised colour planes + mask) and its crop box. */
export interface EveImage {
  pixels: Tensor;
  crop: ImageCrop;
}

/**
 * Wraps preprocessed pixel values ([4, H, W] host values, e.g. from @evejs/image) into an
 * `EveImage`: the crop box is read from the mask plane here, on the host.
 */
export function prepareImage(data: Float32Array, shape: readonly number[], patchStride: number, backend?: string): EveImage {
  if (shape.length !== 3 || shape[0] !== 4) throw new EveError(`image: expected pixel values [4, H, W], got [${shape.join(', ')}]`);
  const [, h, w] = shape as [number, number, number];
  const crop = cropFromMask(data.subarray(3 * h * w, 4 * h * w), h, w, patchStride);
  return { pixels: tensor(data, [4, h, w], backend ? { backend } : {}), crop };
}

/** `EVELlamaModel`: LlamaModel plus `vision_tower` and `mm_projector`. */
export class EveModel extends LlamaModel {
  readonly visionTower: VisionTokenizer;
  readonly mmProjector: MmProjector;
  constructor(config: EveConfig, processor: VisionProcessorConfig) {
    super(config);
    this.visionTower = this.child('vision_tower', new VisionTokenizer(config.mmHiddenSize, processor.patchStride, processor.convStride));
    this.mmProjector = this.child('mm_projector', new MmProjector(config.mmProjectorType, config.mmHiddenSize, config.hiddenSize));
  }
}

export interface EveForwardResult {
  /** [1, L, V], or [1, 1, V] with `lastOnly`. */
  logits: Tensor;
  /** Per image: the projector output [N, D] spliced into the sequence. */
  imageEmbeds: Tensor[];
  /** Per image: its pooled grid. */
  imageGrids: ImageGrid[];
}

export class EveForCausalLM extends Module {
  readonly model: EveModel;
  readonly lmHead: Linear;
  constructor(
    readonly config: EveConfig,
    readonly processor: VisionProcessorConfig,
  ) {
    super();
    this.model = this.child('model', new EveModel(config, processor));
    this.lmHead = this.child('lm_head', new Linear(config.hiddenSize, config.vocabSize, { bias: false }));
  }

  /** Vision tokenizer + projector for one image → [N, D] and its grid. */
  encodeImage(image: EveImage): { embeds: Tensor; grid: ImageGrid } {
    const { tokens, grid } = this.model.visionTower.forward(image.pixels, image.crop);
    return { embeds: this.model.mmProjector.forward(tokens), grid };
  }

  /** Token embeddings of text ids (no placeholders) → [n, D]. */
  embedTokens(ids: readonly number[]): Tensor {
    const v = this.config.vocabSize;
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= v) throw new EveError(`token id ${id} is outside the vocabulary [0, ${v})`);
    }
    return this.model.embedTokens.forward(tensor(Int32Array.from(ids), [ids.length]));
  }

  /**
   * Builds the input embeddings [1, L, D]: text ids are embedded, and the j-th `-200` is replaced
   * by the j-th image's tokens. Images beyond the placeholders are ignored, as in the reference.
   */
  embedInputs(ids: readonly number[], images: readonly EveImage[] = []): { embeds: Tensor; imageEmbeds: Tensor[]; imageGrids: ImageGrid[] } {
    const parts: Tensor[] = [];
    const imageEmbeds: Tensor[] = [];
    const imageGrids: ImageGrid[] = [];
    let start = 0;
    const flush = (end: number) => {
      if (end > start) parts.push(this.embedTokens(ids.slice(start, end)));
    };
    ids.forEach((id, i) => {
      if (id !== IMAGE_TOKEN_INDEX) return;
      flush(i);
      start = i + 1;
      const image = images[imageEmbeds.length];
      if (!image) throw new EveError(`input ids have more image placeholders (-200) than images (${images.length})`);
      const { embeds, grid } = this.encodeImage(image);
      imageEmbeds.push(embeds);
      imageGrids.push(grid);
      parts.push(embeds);
    });
    flush(ids.length);
    if (parts.length === 0) throw new EveError('empty input: no token ids');
    const all = parts.length === 1 ? parts[0]! : concat(parts, 0);
    return { embeds: reshape(all, [1, all.shape[0]!, this.config.hiddenSize]), imageEmbeds, imageGrids };
  }

  /**
   * Embeddings [1, T, D] → logits; positions continue the cache. With `hiddenStates`, the
   * decoder's 1 + numLayers states are pushed to it (the aligning layer's input).
   */
  forwardEmbeds(embeds: Tensor, { cache, lastOnly = false, hiddenStates }: { cache?: KvCache; lastOnly?: boolean; hiddenStates?: Tensor[] } = {}): Tensor {
    let h = this.model.forward(embeds, cache, hiddenStates);
    if (lastOnly) h = sliceAxis(h, 1, h.shape[1]! - 1, h.shape[1]!);
    return this.lmHead.forward(h);
  }

  /** The whole forward: ids with placeholders and images → logits (and the image embeddings). */
  forward(ids: readonly number[], images: readonly EveImage[] = [], opts: { cache?: KvCache; lastOnly?: boolean; hiddenStates?: Tensor[] } = {}): EveForwardResult {
    const { embeds, imageEmbeds, imageGrids } = this.embedInputs(ids, images);
    return { logits: this.forwardEmbeds(embeds, opts), imageEmbeds, imageGrids };
  }
}
