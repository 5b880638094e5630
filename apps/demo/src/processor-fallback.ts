/**
 * The image processor config of a checkpoint that ships no preprocessor_config.json: the
 * official EVE folders name it only through `mm_vision_tower` (`…/eve-patch14-anypixel-672`),
 * which @evejs/model's loader reconstructs (spec §2.3). The page does the same so it can draw the
 * grid and preprocess in the tab for such checkpoints.
 */
import { parseProcessorConfig, type ProcessorConfig, reconstructedProcessorJson } from '@evejs/image';

/** The processor config from preprocessor_config.json text, else reconstructed from config.json; null if neither works. */
export function processorConfigOf(preprocessorJson: string | undefined, configJson: string | undefined): ProcessorConfig | null {
  if (preprocessorJson !== undefined) return parseProcessorConfig(JSON.parse(preprocessorJson));
  if (configJson === undefined) return null;
  const reconstructed = reconstructedProcessorJson((JSON.parse(configJson) as { mm_vision_tower?: string }).mm_vision_tower);
  return reconstructed ? parseProcessorConfig(reconstructed) : null;
}
