/**
 * @evejs/trainer — EVE's training: AdamW as PyTorch computes it, Hugging Face's schedules,
 * gradient clipping, atomic checkpoints, metrics logs and loss curves.
 */
export { AdamW, type ParamGroup, type AdamWOptions } from './adamw.js';
export { lrMultiplier, warmupSteps, type Schedule, type ScheduleKind } from './lr-schedule.js';
export { clipGradNorm } from './clip-grad-norm.js';
export { MetricsLog, type StepMetrics } from './metrics-log.js';
export { writeLossCurve, lossCurveSvg } from './loss-curve.js';
export { assertFinite, TrainingDivergedError } from './divergence.js';
export { writeCheckpointDir, latestCheckpoint } from './checkpoint-dir.js';
export { STAGE_PRESETS, parseStage, isTrainable, type StageName, type StagePreset } from './stage-presets.js';
export { buildParamGroups, normParameterNames, type GroupRates } from './param-groups.js';
export { SampleBuilder, readRecords, readShapesScenes, type TrainingSample, type TeacherSource, type SampleBuilderOptions } from './training-data.js';
export { microBatchStep, spliceLabels, supervisedTokenCount, type MicroBatchResult } from './sample-loss.js';
export {
  loadTrainingModel,
  COMPRESSOR_PREFIX,
  TEACHER_PREFIX,
  TEACHER_ALIAS_PREFIX,
  type TrainingModel,
  type TeacherKind,
  type LoadTrainingModelOptions,
} from './training-model.js';
export { saveTrainingCheckpoint, readTrainerState, loadOptimizerState, checkpointTensors, type TrainerState } from './training-checkpoint.js';
export {
  runTraining,
  totalSteps,
  batchesPerEpoch,
  epochOrder,
  type TrainSettings,
  type StepReport,
  type RunTrainingOptions,
  type RunTrainingResult,
} from './train.js';
export { trainStage, stageSettings, SHAPES_TEACHER_WIDTH, type TrainStageOptions } from './train-stage.js';
export {
  runShapesRecipe,
  writeInitialShapesModel,
  SHAPES_MODEL_CONFIG,
  SHAPES_PROCESSOR_CONFIG,
  SHAPES_RECIPE_PHASES,
  shapesProcessorConfig,
  shapesTokenGrid,
  type ShapesRecipeOptions,
  type ShapesRecipePhase,
} from './shapes-recipe.js';
export { writeShapesSftData, SHAPES_SFT_FILES } from './shapes-sft-data.js';
