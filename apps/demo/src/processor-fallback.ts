/**
 * The image processor config of a checkpoint that ships no preprocessor_config.json: the
 * official EVE folders name it only through `mm_vision_tower` (`…/eve-patch14-anypixel-672`),
 * which @evejs/model's loader reconstructs (spec §2.3). The page does the same so it can draw the
 * grid and preprocess in the tab for such checkpoints.
 */
import { parseProcessorConfig, type ProcessorConfig } from '@evejs/image';

/** The processor config from preprocessor_config.json text, else reconstructed from config.json; null if neither works. */
export function processorConfigOf(preprocessorJson: string | undefined, configJson: string | undefined): ProcessorConfig | null {
  if (preprocessorJson !== undefined) return parseProcessorConfig(JSON.parse(preprocessorJson));
  if (configJson === undefined) return null;
  const tower = (JSON.parse(configJson) as { mm_vision_tower?: string }).mm_vision_tower;
  const m = tower ? /anypixel-(\d+)$/.exec(tower) : null;
  if (!m) return null;
  return parseProcessorConfig({
    image_size: Number(m[1]),
    image_size_clip: 336,
    patch_stride: 14,
    conv_stride: 2,
    patch_stride_clip: 14,
    image_mean: [0.48145466, 0.4578275, 0.40821073],
    image_std: [0.26862954, 0.26130258, 0.27577711],
  });
}
