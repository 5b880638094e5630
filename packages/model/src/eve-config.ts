/**
 * EVE's configuration: config.json (model_type `eve`, a LlamaConfig plus the `mm_*` fields) and
 * the image processor config (`preprocessor_config.json`: patch_stride, conv_stride, image_size,
 * …). Field names are converted to camelCase; LlamaConfig's defaults apply to missing fields.
 */
import { EveError } from '@evejs/tensor';
import type { LlamaConfig } from './llama.js';

export interface EveConfig extends LlamaConfig {
  /** Vision width C (`mm_hidden_size`). */
  mmHiddenSize: number;
  mmProjectorType: string;
  /** Name (or path relative to the checkpoint) of the image processor config. */
  mmVisionTower: string | null;
  mmVisionTowerClip: string | null;
  mmVisionSelectLayer: number;
  requiresCliploss: boolean;
  bosTokenId: number;
  eosTokenId: number;
  padTokenId: number;
  tieWordEmbeddings: boolean;
  /** Every field of config.json as read. */
  raw: Record<string, unknown>;
}

/** The fields of the image processor config the model (not only preprocessing) depends on. */
export interface VisionProcessorConfig {
  imageSize: number;
  imageSizeClip: number;
  patchStride: number;
  convStride: number;
  patchStrideClip: number;
  raw: Record<string, unknown>;
}

function num(raw: Record<string, unknown>, key: string, fallback?: number): number {
  const v = raw[key];
  if (typeof v === 'number') return v;
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  throw new EveError(`config.json: ${key} must be a number, got ${JSON.stringify(v)}`);
}

/** Parses config.json's object. */
export function parseEveConfig(raw: Record<string, unknown>): EveConfig {
  const heads = num(raw, 'num_attention_heads');
  if (raw['rope_scaling'] !== undefined && raw['rope_scaling'] !== null) {
    throw new EveError(`config.json: rope_scaling ${JSON.stringify(raw['rope_scaling'])} is not supported`);
  }
  const eos = raw['eos_token_id'];
  return {
    vocabSize: num(raw, 'vocab_size'),
    hiddenSize: num(raw, 'hidden_size'),
    intermediateSize: num(raw, 'intermediate_size'),
    numHiddenLayers: num(raw, 'num_hidden_layers'),
    numAttentionHeads: heads,
    numKeyValueHeads: num(raw, 'num_key_value_heads', heads),
    rmsNormEps: num(raw, 'rms_norm_eps', 1e-6),
    ropeTheta: num(raw, 'rope_theta', 10000),
    maxPositionEmbeddings: num(raw, 'max_position_embeddings', 2048),
    mmHiddenSize: num(raw, 'mm_hidden_size', 1024),
    mmProjectorType: typeof raw['mm_projector_type'] === 'string' ? (raw['mm_projector_type'] as string) : 'linear',
    mmVisionTower: typeof raw['mm_vision_tower'] === 'string' ? (raw['mm_vision_tower'] as string) : null,
    mmVisionTowerClip: typeof raw['mm_vision_tower_clip'] === 'string' ? (raw['mm_vision_tower_clip'] as string) : null,
    mmVisionSelectLayer: num(raw, 'mm_vision_select_layer', -2),
    requiresCliploss: raw['requires_cliploss'] === true,
    bosTokenId: num(raw, 'bos_token_id', 1),
    eosTokenId: Array.isArray(eos) ? Number(eos[0]) : num(raw, 'eos_token_id', 2),
    padTokenId: num(raw, 'pad_token_id', 0),
    tieWordEmbeddings: raw['tie_word_embeddings'] === true,
    raw,
  };
}

/** Parses preprocessor_config.json; missing fields take EVE's values (spec §2.3). */
export function parseVisionProcessorConfig(raw: Record<string, unknown>): VisionProcessorConfig {
  return {
    imageSize: num(raw, 'image_size', 672),
    imageSizeClip: num(raw, 'image_size_clip', 336),
    patchStride: num(raw, 'patch_stride', 14),
    convStride: num(raw, 'conv_stride', 2),
    patchStrideClip: num(raw, 'patch_stride_clip', 14),
    raw,
  };
}
