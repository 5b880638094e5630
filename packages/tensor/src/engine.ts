/**
 * The engine: the one place that knows about backends, memory scopes, op dispatch and the
 * autograd graph. Ops call `runOp`; tensors call `track`/`release`; users reach it through
 * `tidy`, `noGrad`, `setBackend` and `memory` (see index.ts).
 *
 * Dispatch: an op's declaration infers output shapes, the backend's kernel computes. A backend
 * without a kernel for the op falls back to the CPU kernel — explicitly: it must be able to read
 * synchronously, and the fallback is logged once per (backend, op). In-place ops (`mutatesInput`,
 * writeSlice) write into their first input's storage instead of making outputs; they record no
 * graph, so they refuse inputs that require grad.
 *
 * Autograd: while gradients are enabled, every op with an input that requires grad records a
 * node (op, inputs, outputs, attrs). `backward()` visits the nodes reachable from the root in
 * reverse creation order, runs each op's gradient (written in other ops), accumulates into leaf
 * `.grad`, and then frees those nodes. Tensors a node needs outlive `dispose()` until then.
 */
import type { Backend } from './backend.js';
import { allocHostArray, type DType, type HostArray } from './dtype.js';
import { BackendError, DTypeError, ShapeError } from './errors.js';
import { getKernel, type KernelConfig, type OutputSpec, type TensorView } from './kernel-registry.js';
import type { OpDef } from './op.js';
import { shapesEqual, shapeStr, sizeOf } from './shape.js';
import { Storage } from './storage.js';
import { Tensor } from './tensor.js';

export interface GradNode {
  readonly id: number;
  readonly op: OpDef<unknown>;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: unknown;
}

/** Live memory, for leak tests and `eve env`. */
export interface MemoryInfo {
  /** Tensors created and not yet released. */
  numTensors: number;
  /** Storage allocations alive (views share one). */
  numStorages: number;
  /** Bytes held by live storage, all backends. */
  numBytes: number;
  /** Bytes held per backend. */
  bytesByBackend: Record<string, number>;
}

type BackendFactory = () => Backend | Promise<Backend>;

class Engine {
  readonly #factories = new Map<string, BackendFactory>();
  readonly #backends = new Map<string, Backend>();
  #defaultBackend = 'cpu';
  #scopes: Set<Tensor>[] = [];
  #gradEnabled = true;
  #nextNodeId = 1;
  #numTensors = 0;
  #numStorages = 0;
  readonly #bytesByBackend = new Map<string, number>();
  readonly #fallbackLogged = new Set<string>();
  /** Where fallback notices go; tests and apps may redirect it. */
  log: (message: string) => void = (m) => console.warn(m);

  // ---------------------------------------------------------------- backends

  /** Makes a backend known by name; it is created on first use (lazily, possibly async). */
  registerBackend(name: string, factory: BackendFactory): void {
    this.#factories.set(name, factory);
  }

  /** Adds an already created backend instance. */
  addBackend(backend: Backend): void {
    this.#backends.set(backend.name, backend);
  }

  registeredBackends(): string[] {
    return [...new Set([...this.#factories.keys(), ...this.#backends.keys()])];
  }

  /** Creates (once) and returns a backend. Throws a BackendError saying why it cannot start. */
  async initBackend(name: string): Promise<Backend> {
    const ready = this.#backends.get(name);
    if (ready) return ready;
    const factory = this.#factories.get(name);
    if (!factory) {
      throw new BackendError(`unknown backend "${name}"; known: ${this.registeredBackends().join(', ')}`);
    }
    const backend = await factory();
    this.#backends.set(name, backend);
    return backend;
  }

  /** Returns a backend that is already initialised. */
  backend(name = this.#defaultBackend): Backend {
    const b = this.#backends.get(name);
    if (!b) {
      throw new BackendError(
        this.#factories.has(name)
          ? `backend "${name}" is not initialised yet: await setBackend("${name}") or initBackend first`
          : `unknown backend "${name}"`,
      );
    }
    return b;
  }

  get defaultBackend(): string {
    return this.#defaultBackend;
  }

  async setBackend(name: string): Promise<Backend> {
    const b = await this.initBackend(name);
    this.#defaultBackend = name;
    return b;
  }

  /** Forgets a backend instance (after disposing it), e.g. when a device is lost. */
  removeBackend(name: string): void {
    this.#backends.get(name)?.dispose?.();
    this.#backends.delete(name);
    if (this.#defaultBackend === name) this.#defaultBackend = 'cpu';
  }

  // ---------------------------------------------------------------- memory

  /** @internal every new tensor reports here. */
  track(t: Tensor): void {
    this.#numTensors++;
    if (t.storage.refs === 1) {
      this.#numStorages++;
      const name = t.storage.backend.name;
      this.#bytesByBackend.set(name, (this.#bytesByBackend.get(name) ?? 0) + t.storage.byteLength);
    }
    const scope = this.#scopes[this.#scopes.length - 1];
    scope?.add(t);
  }

  /** @internal a tensor gives up its storage. */
  release(t: Tensor): void {
    this.#numTensors--;
    const s = t.storage;
    s.refs--;
    if (s.refs === 0) {
      this.#numStorages--;
      const name = s.backend.name;
      this.#bytesByBackend.set(name, (this.#bytesByBackend.get(name) ?? 0) - s.byteLength);
      s.backend.free(s.handle);
    }
    for (const scope of this.#scopes) scope.delete(t);
  }

  memory(): MemoryInfo {
    let numBytes = 0;
    const bytesByBackend: Record<string, number> = {};
    for (const [k, v] of this.#bytesByBackend) {
      bytesByBackend[k] = v;
      numBytes += v;
    }
    return { numTensors: this.#numTensors, numStorages: this.#numStorages, numBytes, bytesByBackend };
  }

  /** Runs `fn` in a scope: tensors it creates are disposed at the end unless returned or kept. */
  tidy<T>(fn: () => T): T {
    const scope = new Set<Tensor>();
    this.#scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      // A throwing function must not leak what it made before it threw.
      this.#scopes.pop();
      for (const t of scope) t.dispose();
      throw e;
    }
    this.#scopes.pop();
    if (result instanceof Promise) {
      for (const t of scope) t.dispose();
      throw new BackendError('tidy: the function must be synchronous (await outside the scope)');
    }
    const kept = new Set<Tensor>();
    collectTensors(result, kept);
    for (const t of scope) if (!kept.has(t)) t.dispose();
    const parent = this.#scopes[this.#scopes.length - 1];
    if (parent) for (const t of kept) if (scope.has(t)) parent.add(t);
    return result;
  }

  /** Removes a tensor from every open scope so that `tidy` does not dispose it. */
  keep<T extends Tensor>(t: T): T {
    for (const scope of this.#scopes) scope.delete(t);
    return t;
  }

  // ---------------------------------------------------------------- creation and transfer

  /** Wraps new storage made from host values into a tensor on a backend. */
  fromHost(data: HostArray, shape: readonly number[], dtype: DType, backendName?: string): Tensor {
    const backend = this.backend(backendName);
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(`${data.length} values cannot fill shape ${shapeStr(shape)}`);
    }
    const storage = new Storage(backend, backend.upload(dtype, data), dtype, data.length);
    return new Tensor(storage, shape, dtype);
  }

  /** @internal a contiguous copy of a view, on the same backend. */
  contiguousCopy(t: Tensor): Tensor {
    return this.#runKernel(contiguousOp, [t], {}, [{ shape: t.shape, dtype: t.dtype }])[0]!;
  }

  /**
   * Makes `target` hold `value`'s values from now on, keeping `target`'s identity (a parameter, an
   * optimizer moment). The storage is rebound, not copied: `value` must be a dense tensor of the
   * same shape, dtype and backend (a copy is made first otherwise). `target` must be a dense leaf
   * that no recorded graph still needs.
   */
  assign(target: Tensor, value: Tensor): void {
    target.assertAlive('assign');
    value.assertAlive('assign');
    if (!shapesEqual(target.shape, value.shape) || target.dtype !== value.dtype) {
      throw new ShapeError(`assign: ${shapeStr(value.shape)} ${value.dtype} into ${shapeStr(target.shape)} ${target.dtype}`);
    }
    if (target.storage.backend !== value.storage.backend) throw new BackendError('assign: tensors live on different backends');
    if (!target.isContiguous || target.offset !== 0 || target.size !== target.storage.size) {
      throw new ShapeError('assign: the target must be a dense tensor that owns its whole storage');
    }
    if (target.graphRefs > 0) throw new ShapeError('assign: the autograd graph still needs the target; call backward() or detach first');
    const dense = value.isContiguous && value.offset === 0 && value.size === value.storage.size;
    const src = dense ? value : this.contiguousCopy(value);
    const old = target.storage;
    src.storage.refs++;
    target.storage = src.storage;
    old.refs--;
    if (old.refs === 0) {
      this.#numStorages--;
      this.#bytesByBackend.set(old.backend.name, (this.#bytesByBackend.get(old.backend.name) ?? 0) - old.byteLength);
      old.backend.free(old.handle);
    }
    if (src !== value) src.dispose();
  }

  async transfer(t: Tensor, backendName: string): Promise<Tensor> {
    if (t.backend === backendName) return this.view(t, t.shape, t.strides, t.offset);
    const raw = await t.rawData();
    const target = await this.initBackend(backendName);
    return this.fromHost(raw, t.shape, t.dtype, target.name);
  }

  /** @internal a new tensor sharing `t`'s storage with another view. */
  view(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
    t.assertAlive('view');
    return new Tensor(t.storage, shape, t.dtype, strides, offset);
  }

  // ---------------------------------------------------------------- dispatch

  get isGradEnabled(): boolean {
    return this.#gradEnabled;
  }

  /** Runs `fn` without recording the autograd graph. */
  noGrad<T>(fn: () => T): T {
    const prev = this.#gradEnabled;
    this.#gradEnabled = false;
    try {
      return fn();
    } finally {
      this.#gradEnabled = prev;
    }
  }

  /** Runs a declared op: infers outputs, dispatches the kernel or view, records the graph. */
  runOp<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor[] {
    for (const t of inputs) t.assertAlive(op.name);
    const specs = op.infer(inputs, attrs);
    if (op.mutatesInput) {
      this.#runInPlace(op, inputs, attrs);
      return [];
    }
    let outputs: Tensor[];
    if (op.view) {
      const v = op.view(inputs[0]!, attrs);
      outputs = [this.view(inputs[0]!, v.shape, v.strides, v.offset)];
    } else {
      outputs = this.#runKernel(op, inputs, attrs, specs);
    }
    if (this.#gradEnabled && op.grad && inputs.some((t) => t.requiresGrad)) {
      const node: GradNode = { id: this.#nextNodeId++, op: op as OpDef<unknown>, inputs, outputs, attrs };
      for (const t of inputs) t.graphRefs++;
      for (const t of outputs) {
        t.graphRefs++;
        t.creator = node;
        t.requiresGrad = true;
      }
    }
    return outputs;
  }

  #runKernel<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A, specs: readonly OutputSpec[]): Tensor[] {
    const backend = this.#backendOf(op.name, inputs);
    let kernel = getKernel(backend.name, op.name);
    let runOn = backend;
    let viaCpu = false;
    if (!kernel) {
      kernel = this.#cpuFallback(backend, op.name);
      runOn = this.backend('cpu');
      viaCpu = true;
    }
    const temps: Tensor[] = [];
    const views: TensorView[] = inputs.map((t, i) => {
      let src = t;
      if (viaCpu) {
        src = this.fromHost(t.rawDataSync(), t.shape, t.dtype, 'cpu');
        temps.push(src);
      } else if (!op.stridedInputs && !t.isContiguous && !op.acceptsView?.(t, i, attrs)) {
        src = this.contiguousCopy(t);
        temps.push(src);
      }
      return viewOf(src);
    });
    let handles: unknown[];
    try {
      handles = kernel.run({ inputs: views, attrs, outputs: specs, backend: runOn });
    } finally {
      for (const t of temps) t.dispose();
    }
    return specs.map((spec, i) => {
      let storage = new Storage(runOn, handles[i], spec.dtype, sizeOf(spec.shape));
      if (viaCpu) {
        const raw = runOn.readSync!(handles[i], spec.dtype, sizeOf(spec.shape));
        runOn.free(handles[i]);
        storage = new Storage(backend, backend.upload(spec.dtype, raw), spec.dtype, raw.length);
      }
      return new Tensor(storage, spec.shape, spec.dtype);
    });
  }

  /**
   * Runs an in-place op (`mutatesInput`): input 0's storage is written, nothing is returned. A
   * backend without a kernel for it gets the CPU kernel on a host copy of the whole storage, which
   * is then uploaded as the storage's new handle: correct for every view, but O(storage) per call.
   */
  #runInPlace<A>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): void {
    const dst = inputs[0]!;
    inputs.forEach((t, i) => {
      if (t.requiresGrad) {
        throw new ShapeError(
          `${op.name}: ${i === 0 ? 'the target' : `input ${i}`} ${shapeStr(t.shape)} requires grad; in-place writes are not differentiable (run under noGrad, or detach)`,
        );
      }
    });
    if (dst.graphRefs > 0) throw new ShapeError(`${op.name}: the autograd graph still needs the target; call backward() or detach first`);
    if (inputs.slice(1).some((t) => t.storage === dst.storage)) {
      throw new ShapeError(`${op.name}: an input views the target's own storage; copy it first (contiguous) so reads and writes cannot overlap`);
    }
    if (dst.shape.some((d, i) => d > 1 && dst.strides[i] === 0)) {
      throw new ShapeError(`${op.name}: the target ${shapeStr(dst.shape)} is a broadcast view (stride 0); its elements alias`);
    }
    const storage = dst.storage;
    const backend = this.#backendOf(op.name, inputs);
    const kernel = getKernel(backend.name, op.name);
    let handle: unknown;
    if (kernel) {
      handle = kernel.run({ inputs: inputs.map((t) => viewOf(t)), attrs, outputs: [], backend })[0];
    } else {
      const cpuKernel = this.#cpuFallback(backend, op.name);
      const host = backend.readSync!(storage.handle, storage.dtype, storage.size);
      const temps = inputs.slice(1).map((t) => this.fromHost(t.rawDataSync(), t.shape, t.dtype, 'cpu'));
      try {
        const views = [viewOf(dst, host), ...temps.map((t) => viewOf(t))];
        cpuKernel.run({ inputs: views, attrs, outputs: [], backend: this.backend('cpu') });
      } finally {
        for (const t of temps) t.dispose();
      }
      handle = backend.upload(storage.dtype, host);
    }
    if (handle !== storage.handle) {
      const old = storage.handle;
      storage.handle = handle;
      backend.free(old);
    }
  }

  /**
   * The CPU kernel that stands in for a backend's missing one: it needs the backend to read
   * synchronously (inputs go to the host), and the fallback is logged once per (backend, op).
   */
  #cpuFallback(backend: Backend, op: string): KernelConfig {
    const kernel = getKernel('cpu', op);
    if (!kernel) throw new BackendError(`${op}: no kernel on ${backend.name} and none on cpu`);
    if (!backend.readSync) {
      throw new BackendError(`${op}: the ${backend.name} backend has no kernel for it and cannot read synchronously for a CPU fallback`);
    }
    const k = `${backend.name}/${op}`;
    if (!this.#fallbackLogged.has(k)) {
      this.#fallbackLogged.add(k);
      this.log(`evejs: ${op} has no ${backend.name} kernel; running it on the cpu backend (copies data)`);
    }
    return kernel;
  }

  #backendOf(op: string, inputs: readonly Tensor[]): Backend {
    if (inputs.length === 0) return this.backend();
    const first = inputs[0]!.storage.backend;
    for (const t of inputs) {
      if (t.storage.backend !== first) {
        throw new BackendError(`${op}: inputs live on different backends (${first.name}, ${t.backend}); move them with await t.to(...)`);
      }
    }
    return first;
  }

  // ---------------------------------------------------------------- autograd

  backward(root: Tensor, seed?: Tensor): void {
    root.assertAlive('backward');
    if (!root.requiresGrad) throw new ShapeError('backward: the tensor does not require grad (no recorded graph)');
    if (!seed && root.size !== 1) {
      throw new ShapeError(`backward: a non-scalar root ${shapeStr(root.shape)} needs an explicit gradient`);
    }
    // Nodes reachable from the root, in reverse creation order.
    const nodes = new Map<number, GradNode>();
    const stack: Tensor[] = [root];
    while (stack.length) {
      const node = stack.pop()!.creator;
      if (!node || nodes.has(node.id)) continue;
      nodes.set(node.id, node);
      stack.push(...node.inputs);
    }
    const order = [...nodes.values()].sort((a, b) => b.id - a.id);

    const grads = new Map<Tensor, Tensor>();
    this.noGrad(() => {
      const first = seed ? this.#ownedCopy(seed) : this.fromHost(onesLike(root.dtype), [], root.dtype, root.backend);
      grads.set(root, root.size === 1 && first.rank !== root.rank ? reshapeTo(this, first, root.shape) : first);
      for (const node of order) {
        const dys = node.outputs.map((o) => grads.get(o) ?? null);
        if (dys.every((d) => d === null)) continue;
        const dxs = this.tidy(() => node.op.grad!({ inputs: node.inputs, outputs: node.outputs, attrs: node.attrs, dys }));
        // A gradient may come back as the very tensor it was given (add and contiguous pass dy
        // through) or as one tensor for several inputs, so each input takes its own view of its
        // dx (shared storage, no copy) and the originals and the output grads are released after.
        node.inputs.forEach((x, i) => {
          const dx = dxs[i];
          if (!dx || !x.requiresGrad) return;
          if (!shapesEqual(dx.shape, x.shape)) {
            throw new ShapeError(`${node.op.name} gradient has shape ${shapeStr(dx.shape)}, input has ${shapeStr(x.shape)}`);
          }
          const owned = this.#ownedCopy(dx);
          const prev = grads.get(x);
          if (prev) {
            grads.set(x, addOp(this, prev, owned));
            prev.dispose();
            owned.dispose();
          } else grads.set(x, owned);
        });
        for (const o of node.outputs) {
          const g = grads.get(o);
          if (g && !o.isLeaf) {
            grads.delete(o);
            g.dispose();
          }
        }
        for (const dx of dxs) {
          if (dx && !node.inputs.includes(dx) && !node.outputs.includes(dx)) dx.dispose();
        }
      }
      for (const [t, g] of grads) {
        if (!t.isLeaf) {
          g.dispose();
          continue;
        }
        this.keep(g);
        if (t.grad) {
          const sum = addOp(this, t.grad, g);
          t.grad.dispose();
          g.dispose();
          t.grad = this.keep(sum);
        } else t.grad = g;
      }
    });
    for (const node of order) this.#freeNode(node);
  }

  #ownedCopy(t: Tensor): Tensor {
    return this.view(t, t.shape, t.strides, t.offset);
  }

  #freeNode(node: GradNode): void {
    for (const t of [...node.inputs, ...node.outputs]) {
      t.graphRefs--;
      if (node.outputs.includes(t) && t.creator === node) t.creator = null;
      t.finishPendingDispose();
    }
  }

  /** Frees every graph node reachable from `t` without computing gradients. */
  releaseGraph(t: Tensor): void {
    const seen = new Set<GradNode>();
    const stack: Tensor[] = [t];
    while (stack.length) {
      const node = stack.pop()!.creator;
      if (!node || seen.has(node)) continue;
      seen.add(node);
      stack.push(...node.inputs);
    }
    for (const node of [...seen].sort((a, b) => b.id - a.id)) this.#freeNode(node);
  }
}

function onesLike(dtype: DType): HostArray {
  const a = allocHostArray(dtype, 1);
  if (dtype === 'f16') a[0] = 0x3c00;
  else if (dtype === 'bf16') a[0] = 0x3f80;
  else a[0] = 1;
  return a;
}

function reshapeTo(e: Engine, t: Tensor, shape: readonly number[]): Tensor {
  const v = e.view(t, shape, shape.map(() => 0), t.offset);
  t.dispose();
  return v;
}

function collectTensors(x: unknown, out: Set<Tensor>): void {
  if (x instanceof Tensor) out.add(x);
  else if (Array.isArray(x)) for (const v of x) collectTensors(v, out);
  else if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) collectTensors(v, out);
  } else if (x instanceof Map) for (const v of x.values()) collectTensors(v, out);
}

/** The engine singleton. */
export const engine = new Engine();

// Late-bound ops the engine itself needs (set by ops/index.ts to avoid an import cycle).
let contiguousOp: OpDef<Record<string, never>>;
let addImpl: ((a: Tensor, b: Tensor) => Tensor) | undefined;
/** @internal */
export function bindEngineOps(contiguous: OpDef<Record<string, never>>, add: (a: Tensor, b: Tensor) => Tensor): void {
  contiguousOp = contiguous;
  addImpl = add;
}
function addOp(_e: Engine, a: Tensor, b: Tensor): Tensor {
  if (!addImpl) throw new DTypeError('engine ops are not bound');
  return addImpl(a, b);
}

/** How a kernel sees a tensor: its storage's handle (or `storage` instead) with the tensor's view. */
function viewOf(t: Tensor, storage: unknown = t.storage.handle): TensorView {
  return { storage, dtype: t.dtype, shape: t.shape, strides: t.strides, offset: t.offset };
}
