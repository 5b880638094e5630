/**
 * Optimizer parameter groups as `EVETrainer.create_optimizer` builds them: no weight decay for
 * LayerNorm/RMSNorm parameters and names containing `bias`; when a projector rate is set, names
 * containing `mm_projector` get it and — only then — names containing `vision_tower` get the
 * vision rate if that is set (which also matches `vision_tower_compressor`). Empty groups are
 * dropped (PyTorch keeps them, but they change nothing).
 */
import type { Tensor } from '@evejs/tensor';
import { LayerNorm, RMSNorm, type Module } from '@evejs/model';
import type { ParamGroup } from './adamw.js';

/** Keys of every LayerNorm/RMSNorm parameter in a module tree (`ALL_LAYERNORM_LAYERS`). */
export function normParameterNames(module: Module, prefix = ''): Set<string> {
  const out = new Set<string>();
  const visit = (m: Module, p: string) => {
    if (m instanceof LayerNorm || m instanceof RMSNorm) for (const [k] of m.namedParameters(p)) out.add(k);
    for (const [name, c] of m.children()) visit(c, `${p}${name}.`);
  };
  visit(module, prefix);
  return out;
}

export interface GroupRates {
  lr: number;
  projectorLr: number | null;
  visionLr: number | null;
  weightDecay: number;
}

/** Splits trainable named parameters into the release's groups. */
export function buildParamGroups(params: readonly [string, Tensor][], normNames: ReadonlySet<string>, rates: GroupRates): ParamGroup[] {
  const splitLr = rates.projectorLr !== null && rates.projectorLr !== 0;
  const splitVision = splitLr && rates.visionLr !== null && rates.visionLr !== 0;
  const groups = new Map<string, ParamGroup>();
  for (const [name, t] of params) {
    const decay = !normNames.has(name) && !name.includes('bias');
    let kind = 'llm';
    let lr = rates.lr;
    if (splitLr && name.includes('mm_projector')) {
      kind = 'projector';
      lr = rates.projectorLr!;
    } else if (splitVision && name.includes('vision_tower')) {
      kind = 'vision';
      lr = rates.visionLr!;
    }
    const key = `${kind}${decay ? '' : '-no-decay'}`;
    let g = groups.get(key);
    if (!g) {
      g = { name: key, params: [], lr, weightDecay: decay ? rates.weightDecay : 0 };
      groups.set(key, g);
    }
    g.params.push([name, t]);
  }
  return [...groups.values()];
}
