/**
 * @evejs/datasets — EVE's data: LLaVA-style JSON readers (streamed, with bad records reported by
 * index) and the procedural shapes world that lets the whole pipeline train, evaluate and chat on
 * a laptop without downloads.
 */
export { streamJsonArray, type RawElement } from './json-array-stream.js';
export { readLlavaDataset, validateRecord, BadRecordError, type DatasetRecord, type Turn, type ReadDatasetOptions, type DatasetStats } from './llava-dataset.js';
export { COLOURS, SHAPES, POSITIONS, WORDS, WORD_LETTERS, type ShapeKind, type PositionName, type ColourDef } from './shapes/vocabulary.js';
export { generateScene, positionOf, objectName, type Scene, type SceneObject, type SceneWord, type SceneOptions } from './shapes/scene.js';
export { cellGrid, DEFAULT_TOKEN_GRID, type CellGrid } from './shapes/cells.js';
export { renderScene, insideShape, LABEL_BACKGROUND, LABEL_BANNER, LABEL_INK, type RenderedScene } from './shapes/render.js';
export { caption, colourChecklist, COLOUR_CHECKLIST_QUESTION, conversationTurns, questions, questionsOfType, QUESTION_TYPES, SHORT_ANSWER_SUFFIX, type QuestionType, type QuestionAnswer } from './shapes/language.js';
export { teacherFeatures, TEACHER_FEATURE_DIM, TEACHER_LAYOUT, type TeacherGroup, type TeacherFeatures, type TeacherGrid } from './shapes/teacher-features.js';
export {
  shapesSample,
  streamShapes,
  sampleRng,
  captionRecord,
  conversationRecord,
  lookupRecords,
  checklistRecord,
  readingRecord,
  benchmarkQuestions,
  type ShapesSample,
  type ShapesSplit,
  type ShapesOptions,
  type LlavaRecord,
  type ShapesQuestion,
} from './shapes/shapes-world.js';
export { writeShapesDataset, type WriteShapesOptions, type ShapesManifest } from './shapes/write-shapes.js';
