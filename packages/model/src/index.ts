/**
 * @evejs/model — EVE, the encoder-free vision-language model, on @evejs/tensor: the modules
 * (Llama decoder, vision tokenizer, projector), checkpoint loading in the official layout, and
 * generation with a KV cache. Everything is written once against the tensor ops, so it runs on
 * every backend.
 *
 * @example
 * import { registerCpuBackend } from '@evejs/tensor';
 * import { loadPretrained, generate } from '@evejs/model';
 * registerCpuBackend();
 * const { model } = await loadPretrained('checkpoints/EVE-7B-HD-v1.0', { dtype: 'bf16' });
 * for await (const step of generate(model, ids, { images: [image], maxNewTokens: 64 })) console.log(step.token);
 */
export { Module, ModuleList, ModuleDict, storageDTypeFor, isQuantizedSlot, type ParamRole, type ParamSlot, type ParamInit, type WeightDType } from './module.js';
export { Linear, Embedding, RMSNorm, LayerNorm, NormLinear } from './layers.js';
export {
  LlamaAttention,
  LlamaMlp,
  LlamaDecoderLayer,
  LlamaModel,
  LlamaForCausalLM,
  attentionContext,
  type LlamaConfig,
  type AttentionContext,
} from './llama.js';
export { KvCache } from './kv-cache.js';
export {
  VisionTokenizer,
  LocalAttention,
  GlobalAttention,
  PatchEmbedding,
  cropFromMask,
  gridOfCrop,
  imageTokenCount,
  type ImageCrop,
  type ImageGrid,
} from './vision-tokenizer.js';
export { MmProjector } from './mm-projector.js';
export { parseEveConfig, parseVisionProcessorConfig, type EveConfig, type VisionProcessorConfig } from './eve-config.js';
export { EveForCausalLM, EveModel, prepareImage, IMAGE_TOKEN_INDEX, type EveImage, type EveForwardResult } from './eve-for-causal-lm.js';
export {
  loadPretrained,
  loadPretrainedFromFiles,
  type PretrainedFiles,
  loadModuleWeights,
  loadTrainingModules,
  openWeights,
  resolveProcessorConfig,
  SKIPPED_KEY_PATTERNS,
  weightBytesFor,
  type LoadPretrainedOptions,
  type LoadReport,
  type LoadedEve,
  type EveTrainingModules,
} from './load-pretrained.js';
export { Sampler, argmax, type SamplingOptions } from './sampler.js';
export { generate, generateIds, GenerationSession, type GenerateOptions, type GeneratedToken } from './generate.js';
export { PytorchCheckpoint, unpickleStateDict } from './pytorch-bin.js';
export { convertCheckpoint, type ConvertOptions } from './convert-checkpoint.js';
export { quantizeModel } from './quantize-model.js';
export { ClipVisionTower, ClipVisionTransformer, parseClipVisionConfig, type ClipVisionConfig } from './clip-vision.js';
export { VisionCompressor } from './vision-compressor.js';
