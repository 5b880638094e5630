/**
 * @evejs/image — image decoding (sharp) and EVE's any-ratio ("anypixel") preprocessing with a
 * Pillow-exact bicubic resize, so the model sees the same pixels as with EVE's Python reference.
 *
 * @example
 * import { decodeImage, loadBuiltinProcessorConfig, preprocessImage } from '@evejs/image';
 * const config = await loadBuiltinProcessorConfig('eve-patch14-anypixel-672');
 * const { data, shape, geometry } = preprocessImage(await decodeImage('cat.jpg'), config);
 */
export { resizeBicubic, bicubicCoefficients, type PixelImage, type ResampleCoefficients } from './pillow-resize.js';
export {
  parseProcessorConfig,
  loadProcessorConfig,
  loadBuiltinProcessorConfig,
  reconstructedProcessorJson,
  CLIP_MEAN,
  CLIP_STD,
  builtinProcessorPath,
  type ProcessorConfig,
  type BuiltinProcessor,
} from './processor-config.js';
export { computeBaseHW, anypixelGeometry, blankImageTokenCount, type BaseHW, type AnypixelGeometry } from './anypixel-geometry.js';
export {
  preprocessImage,
  preprocessTeacherImage,
  blankImage,
  backgroundColor,
  normalizationTable,
  type PixelValues,
  type PreprocessedImage,
} from './anypixel-preprocess.js';
export { readImageInput, type ImageInput, type ImageBytes } from './image-source.js';
export { decodeImage, DEFAULT_MAX_PIXELS, type DecodeImageOptions, type DecodedImage } from './decode-image.js';
export { denormalizeToRgb, maskToGrey } from './denormalize.js';
export { encodePng } from './encode-png.js';
export { pixelValuesToTensor } from './to-tensor.js';
