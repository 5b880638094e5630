/**
 * The `Module` base: a tree of named parameters whose dotted paths are exactly the Hugging Face
 * checkpoint keys (`model.layers.0.self_attn.q_proj.weight`), with state-dict load/save,
 * train/eval mode and freezing through `requiresGrad`. It is deliberately small: no hooks, no
 * buffers registry, no device moves — a parameter is a slot that holds one Tensor or nothing yet
 * (a model is built empty and filled by `loadPretrained` or `initParameters`).
 *
 * Each parameter has a role: `matrix` parameters (Linear weights, embedding tables) may be
 * stored in f16/bf16 because the kernels that read them (matmul's `b`, gather's table)
 * dequantise on the fly; `vector` parameters (norm weights, biases, learned tokens, the patch
 * convolution) are always f32 because elementwise ops compute in f32. A matrix may instead hold
 * a block-quantised `QuantizedMatrix` (q8_0/q4_0, for inference): Linear and Embedding read it
 * with the quantised kernels.
 */
import { type DType, type QuantFormat, type QuantizedMatrix, type Tensor, QUANT_BLOCK, randn, zeros, ones, ShapeError, EveError, shapeStr } from '@evejs/tensor';

/** How a parameter is used, which decides the storage dtypes it may take. */
export type ParamRole = 'matrix' | 'vector';

/** How `initParameters` fills a parameter. */
export type ParamInit = 'normal' | 'ones' | 'zeros';

/** One parameter slot. */
export interface ParamSlot {
  readonly shape: readonly number[];
  readonly role: ParamRole;
  readonly init: ParamInit;
  tensor: Tensor | null;
  /** The block-quantised value of a matrix loaded as q8_0/q4_0 (then `tensor` is null). */
  quantized?: QuantizedMatrix | null;
}

/** What a model's weights can be loaded as: a storage dtype, or a block-quantisation format. */
export type WeightDType = DType | QuantFormat;

/**
 * Whether a parameter is stored block-quantised when the model is loaded as `format`: matrices
 * whose rows are whole 32-value blocks (every Linear weight and embedding table of EVE-7B).
 */
export function isQuantizedSlot(slot: Pick<ParamSlot, 'role' | 'shape'>): boolean {
  return slot.role === 'matrix' && slot.shape.length === 2 && slot.shape[1]! % QUANT_BLOCK === 0;
}

/** The storage dtype a parameter of this role gets when the model is loaded as `dtype`. */
export function storageDTypeFor(role: ParamRole, dtype: DType): DType {
  return role === 'matrix' ? dtype : 'f32';
}

export abstract class Module {
  readonly #params = new Map<string, ParamSlot>();
  readonly #children = new Map<string, Module>();
  #training = false;

  /** Declares a parameter; returns its slot. */
  protected param(name: string, shape: readonly number[], role: ParamRole, init: ParamInit = role === 'matrix' ? 'normal' : 'ones'): ParamSlot {
    const slot: ParamSlot = { shape: [...shape], role, init, tensor: null };
    this.#params.set(name, slot);
    return slot;
  }

  /** Declares a sub-module under `name` (its keys get the `name.` prefix). */
  protected child<M extends Module>(name: string, module: M): M {
    this.#children.set(name, module);
    return module;
  }

  /** Takes over a module's parameters as this module's own (no key prefix), e.g. a bare `nn.Linear` projector. */
  protected adopt<M extends Module>(module: M): M {
    for (const [name, slot] of module.namedParameters()) this.#params.set(name, slot);
    return module;
  }

  /** The tensor in a slot; throws if the model was built but never loaded. */
  protected static value(slot: ParamSlot, what = 'parameter'): Tensor {
    if (!slot.tensor && slot.quantized) throw new EveError(`${what} ${shapeStr(slot.shape)} is quantised (${slot.quantized.format}): only inference reads it`);
    if (!slot.tensor) throw new EveError(`${what} ${shapeStr(slot.shape)} has no value: load weights or call initParameters() first`);
    return slot.tensor;
  }

  /** Every parameter slot with its full dotted key, depth first in declaration order. */
  *namedParameters(prefix = ''): Generator<[string, ParamSlot]> {
    for (const [name, slot] of this.#params) yield [prefix + name, slot];
    for (const [name, child] of this.#children) yield* child.namedParameters(`${prefix}${name}.`);
  }

  /** The named sub-modules (direct children). */
  children(): ReadonlyMap<string, Module> {
    return this.#children;
  }

  /** Number of parameter elements. */
  numParameters(): number {
    let n = 0;
    for (const [, s] of this.namedParameters()) n += s.shape.reduce((a, b) => a * b, 1);
    return n;
  }

  /**
   * Puts `tensor` into the slot `key`; the shape must match. The module takes ownership and
   * disposes a previous value.
   */
  setParameter(key: string, tensor: Tensor): void {
    const slot = this.slotOf(key);
    if (!slot) throw new EveError(`setParameter: the model has no parameter ${key}`);
    if (tensor.shape.length !== slot.shape.length || tensor.shape.some((d, i) => d !== slot.shape[i])) {
      throw new ShapeError(`${key}: expected shape ${shapeStr(slot.shape)}, got ${shapeStr(tensor.shape)}`);
    }
    if (slot.tensor && slot.tensor !== tensor) slot.tensor.dispose();
    tensor.requiresGrad = slot.tensor?.requiresGrad ?? false;
    slot.tensor = tensor;
  }

  /**
   * Puts a block-quantised matrix into the slot `key` (a matrix parameter of the same shape). The
   * module takes ownership; the same matrix may fill two slots (tied embeddings).
   */
  setQuantized(key: string, q: QuantizedMatrix): void {
    const slot = this.slotOf(key);
    if (!slot) throw new EveError(`setQuantized: the model has no parameter ${key}`);
    if (slot.role !== 'matrix' || q.rows !== slot.shape[0] || q.cols !== slot.shape[1] || slot.shape.length !== 2) {
      throw new ShapeError(`${key}: ${shapeStr(slot.shape)} ${slot.role} cannot hold a quantised [${q.rows}, ${q.cols}] matrix`);
    }
    slot.tensor?.dispose();
    slot.tensor = null;
    if (slot.quantized && slot.quantized !== q) slot.quantized.dispose();
    slot.quantized = q;
  }

  /** The slot of a dotted key, or undefined. */
  slotOf(key: string): ParamSlot | undefined {
    for (const [k, s] of this.namedParameters()) if (k === key) return s;
    return undefined;
  }

  /**
   * Loads parameters from a name → tensor map (ownership passes to the module). With `strict`
   * (the default) a missing key is an error; keys the model does not have are returned.
   */
  loadStateDict(dict: Readonly<Record<string, Tensor>>, { strict = true } = {}): { unexpected: string[] } {
    const seen = new Set<string>();
    for (const [key, slot] of this.namedParameters()) {
      const t = dict[key];
      if (!t) {
        if (strict) throw new EveError(`loadStateDict: missing key ${key} ${shapeStr(slot.shape)}`);
        continue;
      }
      this.setParameter(key, t);
      seen.add(key);
    }
    return { unexpected: Object.keys(dict).filter((k) => !seen.has(k)) };
  }

  /** The parameters as a name → tensor map (the module keeps ownership). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [key, slot] of this.namedParameters()) if (slot.tensor) out[key] = slot.tensor;
    return out;
  }

  /**
   * Fills every parameter with seeded values (normal × std for matrices, ones/zeros as declared),
   * in `dtype` storage for matrices. For tests, benchmarks and training from scratch.
   */
  initParameters({ seed = 0, std = 0.02, dtype = 'f32' as DType, backend }: { seed?: number; std?: number; dtype?: DType; backend?: string } = {}): this {
    let i = 0;
    for (const [key, slot] of this.namedParameters()) {
      const opts = { dtype: storageDTypeFor(slot.role, dtype), ...(backend ? { backend } : {}) };
      const t =
        slot.init === 'normal'
          ? randn(slot.shape, { ...opts, seed: seed * 100_003 + i, std })
          : slot.init === 'ones'
            ? ones(slot.shape, opts)
            : zeros(slot.shape, opts);
      this.setParameter(key, t);
      i++;
    }
    return this;
  }

  get training(): boolean {
    return this.#training;
  }

  /** Training mode for this module and its children. */
  train(on = true): this {
    this.#training = on;
    for (const c of this.#children.values()) c.train(on);
    return this;
  }

  /** Inference mode. */
  eval(): this {
    return this.train(false);
  }

  /** Freezes (false) or unfreezes (true) every parameter of this module. */
  setRequiresGrad(requiresGrad: boolean): this {
    for (const [, slot] of this.namedParameters()) if (slot.tensor) slot.tensor.requiresGrad = requiresGrad;
    return this;
  }

  /** Trainable parameters (loaded and requiring grad). */
  trainableParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, s] of this.namedParameters()) if (s.tensor?.requiresGrad) out.push([k, s.tensor]);
    return out;
  }

  /** Releases every parameter tensor. */
  dispose(): void {
    for (const [, slot] of this.namedParameters()) {
      slot.tensor?.dispose();
      slot.tensor = null;
      if (slot.quantized && !slot.quantized.isDisposed) slot.quantized.dispose();
      slot.quantized = null;
    }
  }
}

/** An indexed list of modules (keys `0.*`, `1.*`, …), like `nn.ModuleList`. */
export class ModuleList extends Module {
  #n = 0;
  add<M extends Module>(m: M): M {
    return this.child(String(this.#n++), m);
  }
}

/** Named sub-modules added from outside (keys `<name>.*`), like `nn.ModuleDict`: path segments without layers of their own. */
export class ModuleDict extends Module {
  set<M extends Module>(name: string, m: M): M {
    return this.child(name, m);
  }
  /** Declares a vector-role parameter here (e.g. `position_embedding.weight`, kept f32). */
  declare(name: string, shape: readonly number[]): ParamSlot {
    return this.param(name, shape, 'vector', 'normal');
  }
}
