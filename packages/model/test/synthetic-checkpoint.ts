// Writes an EVE checkpoint folder of any size with deterministic pseudo-random BF16 weights,
// streamed tensor by tensor (never all in memory): for the loader's memory test and the bench.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { saveSafetensorsRaw } from '@evejs/tensor';
import { EveForCausalLM, parseEveConfig, parseVisionProcessorConfig } from '../src/index.js';

export interface SyntheticSizes {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads?: number;
  intermediate: number;
  vocab: number;
  visionWidth?: number;
}

/** Small-magnitude bf16 bit patterns (|x| in about [2⁻⁸, 2⁻⁴]) from an integer hash. */
function bf16Bytes(n: number, seed: number): Uint8Array {
  const bits = new Uint16Array(n);
  let h = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    h = (Math.imul(h ^ (h >>> 15), 2246822519) + i) >>> 0;
    bits[i] = ((h & 0x8000) | ((0x77 + ((h >>> 16) & 3)) << 7) | ((h >>> 4) & 0x7f)) & 0xffff;
  }
  return new Uint8Array(bits.buffer);
}

/** Writes config.json, preprocessor_config.json and model.safetensors; returns the weights' byte size. */
export async function writeSyntheticEve(dir: string, s: SyntheticSizes): Promise<number> {
  await mkdir(dir, { recursive: true });
  const raw = {
    architectures: ['EVELlamaForCausalLM'],
    model_type: 'eve',
    hidden_size: s.hidden,
    intermediate_size: s.intermediate,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    num_key_value_heads: s.kvHeads ?? s.heads,
    vocab_size: s.vocab,
    rms_norm_eps: 1e-5,
    max_position_embeddings: 4096,
    mm_hidden_size: s.visionWidth ?? 64,
    mm_projector_type: 'mlp2x_gelu',
    mm_vision_tower: 'eve-patch14-anypixel-672',
    torch_dtype: 'bfloat16',
  };
  const pre = { image_size: 672, image_size_clip: 336, patch_stride: 14, conv_stride: 2, patch_stride_clip: 14, image_mean: [0.48145466, 0.4578275, 0.40821073], image_std: [0.26862954, 0.26130258, 0.27577711] };
  await writeFile(join(dir, 'config.json'), JSON.stringify(raw, null, 2));
  await writeFile(join(dir, 'preprocessor_config.json'), JSON.stringify(pre, null, 2));
  const model = new EveForCausalLM(parseEveConfig(raw), parseVisionProcessorConfig(pre));
  let total = 0;
  const sources = [...model.namedParameters()].map(([key, slot], i) => {
    const n = slot.shape.reduce((a, b) => a * b, 1);
    total += 2 * n;
    return { key, fileDType: 'BF16' as const, shape: slot.shape, bytes: async () => bf16Bytes(n, i + 1) };
  });
  await saveSafetensorsRaw(join(dir, 'model.safetensors'), sources, { format: 'pt' });
  return total;
}
