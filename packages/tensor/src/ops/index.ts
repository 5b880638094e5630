// Every op's public function, gathered for the package index.
import { bindEngineOps } from '../engine.js';
import { add } from './elementwise.js';
import { contiguousOp } from './views.js';

export * from './creation.js';
export * from './elementwise.js';
export * from './views.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './softmax.js';
export * from './norm.js';
export * from './rope.js';
export * from './shape-ops.js';
export * from './gather.js';
export * from './loss.js';
export * from './conv.js';
export * from './write-slice.js';
export * from './quantized.js';
export * from './adamw-step.js';

bindEngineOps(contiguousOp, add);
