/**
 * The WebGPU backend: one GPUBuffer per tensor (pooled by size class), kernels recorded into one
 * command encoder and submitted in batches, readback only in `read()`.
 *
 * Work is queued without waiting: each kernel records a dispatch into the open compute pass; the
 * encoder is submitted by `flush()`, by `read()`, or when its uniform arena is full (one 256-byte
 * slot per dispatch, `maxDispatchesPerSubmit`). Uploads are copies from a mapped staging buffer
 * recorded in the same stream, so they are ordered with the kernels around them.
 *
 * Errors never hang: a lost device, an out-of-memory allocation or a validation error is recorded
 * when WebGPU reports it and thrown as a BackendError by the next kernel, `flush()` or `read()`.
 * There is no `readSync`: WebGPU cannot read synchronously, so every op needs a kernel here.
 */
import { BackendError, type DType, type HostArray } from '@evejs/tensor';
import type { Backend, BackendInfo } from '@evejs/tensor/backend';
import { BufferPool, type PoolStats } from './buffer-pool.js';
import { fromGpuBytes, gpuByteLength, toGpuBytes } from './storage-layout.js';

/** A tensor's storage on the GPU. */
export class GpuStorage {
  constructor(
    readonly buffer: GPUBuffer,
    readonly dtype: DType,
    /** Elements. */
    readonly size: number,
  ) {}
}

/** A buffer (or a byte range of one) a dispatch binds. */
export interface Binding {
  buffer: GPUBuffer;
  /** Bound read-only (inputs) or read-write (outputs). */
  readOnly: boolean;
  offset?: number;
  size?: number;
}

/** One kernel launch: a cached pipeline, its uniforms (u32 words), buffers and grid. */
export interface Dispatch {
  /** Identifies the WGSL and binding layout; the pipeline is built once per key. */
  key: string;
  /** The WGSL source (called only when the key is new). */
  code: () => string;
  /** Uniform words (≤ 64), bound at binding 0; null for none. */
  uniforms: Uint32Array | null;
  /** Storage buffers at bindings 1, 2, …. */
  bindings: readonly Binding[];
  /** Workgroup counts (x, y, z); each ≤ 65535. */
  workgroups: readonly [number, number?, number?];
}

export interface WebGpuBackendOptions {
  /** Dispatches recorded before the encoder is submitted on its own (default 256, max 256). */
  maxDispatchesPerSubmit?: number;
  /** Bytes of freed buffers kept for reuse (default 512 MiB). */
  maxPooledBytes?: number;
  /** Use shader-f16 when the adapter has it (default true). */
  useShaderF16?: boolean;
  /** Adapter preference passed to requestAdapter. */
  powerPreference?: GPUPowerPreference;
}

const UNIFORM_SLOT_BYTES = 256; // minUniformBufferOffsetAlignment's maximum allowed value
const UNIFORM_SLOT_WORDS = UNIFORM_SLOT_BYTES / 4;
const ARENA_SLOTS = 256;
/** Bytes reserved at the end of a staging read for the kernel error flag (error-flag.ts). */
const FLAG_BYTES = 16;

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  readonly hasShaderF16: boolean;
  readonly limits: { maxStorageBufferBindingSize: number; maxBufferSize: number; maxComputeWorkgroupsPerDimension: number };

  #device: GPUDevice | null;
  /**
   * The GPU entry point and adapter the device came from. Held for the backend's lifetime: with
   * Dawn in Node, a collected `GPU` object tears down the instance under a live device (hangs
   * and crashes in mapAsync). Dropped in dispose() so Node can exit.
   */
  /** @internal */
  keepAlive: unknown[];
  #adapterInfo: GPUAdapterInfo;
  #features: string[];
  readonly #pool: BufferPool;
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  readonly #layouts = new Map<string, GPUBindGroupLayout>();
  readonly #maxDispatches: number;

  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #arena: GPUBuffer;
  readonly #arenaHost = new Uint32Array(ARENA_SLOTS * UNIFORM_SLOT_WORDS);
  #slots = 0;
  #toDestroy: GPUBuffer[] = [];
  /** A 16-byte buffer kernels set when they meet bad input they cannot throw for (gather ids). */
  readonly errorFlag: GPUBuffer;
  #lost: string | null = null;
  readonly #errors: string[] = [];
  #dispatchCount = 0;

  constructor(device: GPUDevice, adapterInfo: GPUAdapterInfo, opts: WebGpuBackendOptions = {}, owners: unknown[] = []) {
    this.#device = device;
    this.keepAlive = owners;
    this.#adapterInfo = adapterInfo;
    this.#features = [...device.features].map(String).sort();
    this.hasShaderF16 = (opts.useShaderF16 ?? true) && device.features.has('shader-f16');
    this.limits = {
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxBufferSize: device.limits.maxBufferSize,
      maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
    };
    this.#maxDispatches = Math.min(ARENA_SLOTS, Math.max(1, opts.maxDispatchesPerSubmit ?? ARENA_SLOTS));
    this.#pool = new BufferPool((n) => this.#createBuffer(n, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST), opts.maxPooledBytes ?? 512 * 2 ** 20);
    this.#arena = device.createBuffer({ size: ARENA_SLOTS * UNIFORM_SLOT_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.errorFlag = device.createBuffer({ size: FLAG_BYTES, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    void device.lost.then((info) => {
      if (this.#device === device) this.#lost = `WebGPU device lost (${info.reason}): ${info.message || 'no message'}`;
    });
    device.onuncapturederror = (ev) => {
this.#errors.push((ev as GPUUncapturedErrorEvent).error.message);
    };
  }

  // ---------------------------------------------------------------- Backend

  allocate(dtype: DType, size: number): GpuStorage {
    return new GpuStorage(this.#acquire(gpuByteLength(dtype, size)), dtype, size);
  }

  upload(dtype: DType, data: HostArray): GpuStorage {
    const storage = this.allocate(dtype, data.length);
    const bytes = toGpuBytes(dtype, data);
    const staging = this.#createBuffer(bytes.byteLength, GPUBufferUsage.COPY_SRC, true);
    new Uint8Array(staging.getMappedRange()).set(bytes);
    staging.unmap();
    this.#copy(staging, 0, storage.buffer, 0, bytes.byteLength);
    this.#toDestroy.push(staging);
    return storage;
  }

  async read(storage: unknown, dtype: DType, size: number): Promise<HostArray> {
    const s = storage as GpuStorage;
    this.#check();
    const byteLength = gpuByteLength(dtype, size);
    const staging = this.#createBuffer(byteLength + FLAG_BYTES, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    this.#copy(s.buffer, 0, staging, 0, byteLength);
    this.#copy(this.errorFlag, 0, staging, byteLength, FLAG_BYTES);
    this.flush();
    try {
      await staging.mapAsync(GPUMapMode.READ);
    } catch (e) {
      staging.destroy();
      this.#check();
      throw new BackendError(`webgpu: reading a buffer back failed: ${(e as Error).message}`);
    }
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    staging.destroy();
    this.#check();
    const flag = new Int32Array(bytes, byteLength, 4);
    if (flag[0] !== 0) {
      const message = describeKernelError(flag[0]!, flag[1]!, flag[2]!);
      this.#device!.queue.writeBuffer(this.errorFlag, 0, new Uint32Array(4));
      throw new BackendError(message);
    }
    return fromGpuBytes(dtype, bytes, size);
  }

  free(storage: unknown): void {
    const s = storage as GpuStorage;
    if (this.#device) this.#pool.release(s.buffer);
  }

  /** Submits recorded work without waiting for it. */
  flush(): void {
    const device = this.#device;
    if (!device) return;
    if (this.#encoder) {
      this.#pass?.end();
      this.#pass = null;
      if (this.#slots > 0) device.queue.writeBuffer(this.#arena, 0, this.#arenaHost, 0, this.#slots * UNIFORM_SLOT_WORDS);
      device.queue.submit([this.#encoder.finish()]);
      this.#encoder = null;
      this.#slots = 0;
    }
    for (const b of this.#toDestroy) b.destroy();
    this.#toDestroy = [];
    this.#check();
  }

  info(): BackendInfo {
    const a = this.#adapterInfo;
    const device = [a.description, a.vendor, a.architecture].filter(Boolean).join(' / ') || 'unknown adapter';
    return {
      name: 'webgpu',
      device,
      details: {
        vendor: a.vendor,
        architecture: a.architecture,
        description: a.description,
        features: this.#features.join(' '),
        shaderF16: this.hasShaderF16,
        maxStorageBufferBindingSize: this.limits.maxStorageBufferBindingSize,
        maxBufferSize: this.limits.maxBufferSize,
      },
    };
  }

  dispose(): void {
    const device = this.#device;
    if (!device) return;
    this.#pass = null;
    this.#encoder = null;
    this.#pool.clear();
    this.#pipelines.clear();
    this.#layouts.clear();
    device.onuncapturederror = null;
    this.#device = null;
    device.destroy();
    this.keepAlive = [];
  }

  // ---------------------------------------------------------------- kernels' API

  /** Allocates output storage for a kernel. */
  output(dtype: DType, size: number): GpuStorage {
    return this.allocate(dtype, size);
  }

  /** Records one dispatch. */
  dispatch(d: Dispatch): void {
    const device = this.#live();
    const pipeline = this.#pipeline(d);
    const entries: GPUBindGroupEntry[] = [];
    if (this.#slots >= this.#maxDispatches) this.flush();
    // Every dispatch takes a slot, so the slot count is also the batch size.
    const slot = this.#slots++;
    if (d.uniforms) {
      if (d.uniforms.length > UNIFORM_SLOT_WORDS) throw new BackendError(`webgpu: ${d.key} has ${d.uniforms.length} uniform words (max ${UNIFORM_SLOT_WORDS})`);
      this.#arenaHost.fill(0, slot * UNIFORM_SLOT_WORDS, (slot + 1) * UNIFORM_SLOT_WORDS);
      this.#arenaHost.set(d.uniforms, slot * UNIFORM_SLOT_WORDS);
      entries.push({ binding: 0, resource: { buffer: this.#arena, offset: slot * UNIFORM_SLOT_BYTES, size: UNIFORM_SLOT_BYTES } });
    }
    d.bindings.forEach((b, i) => {
      const size = b.size ?? b.buffer.size - (b.offset ?? 0);
      if (size > this.limits.maxStorageBufferBindingSize) {
        throw new BackendError(
          `webgpu: ${d.key.split('|')[0]} needs to bind ${size} bytes, above this adapter's maxStorageBufferBindingSize (${this.limits.maxStorageBufferBindingSize} bytes)`,
        );
      }
      entries.push({ binding: i + 1, resource: { buffer: b.buffer, offset: b.offset ?? 0, size } });
    });
    const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const pass = this.#computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    const [x, y = 1, z = 1] = d.workgroups;
    if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
    this.#dispatchCount++;
    if (this.#slots >= this.#maxDispatches) this.flush();
  }

  /** Pool statistics and dispatch count, for tests and `eve env`. */
  stats(): PoolStats & { dispatches: number; pipelines: number } {
    return { ...this.#pool.stats(), dispatches: this.#dispatchCount, pipelines: this.#pipelines.size };
  }

  // ---------------------------------------------------------------- internals

  #live(): GPUDevice {
    this.#check();
    if (!this.#device) throw new BackendError('webgpu: the backend was disposed');
    return this.#device;
  }

  /** Throws the first recorded device loss or WebGPU error. */
  #check(): void {
    if (this.#lost) throw new BackendError(this.#lost);
    if (this.#errors.length) {
      const all = this.#errors.splice(0);
      throw new BackendError(`webgpu: ${all.length} error(s) reported by the device: ${all.join(' | ')}`);
    }
  }

  #acquire(byteLength: number): GPUBuffer {
    if (byteLength > this.limits.maxBufferSize) {
      throw new BackendError(`webgpu: a ${byteLength}-byte tensor exceeds this adapter's maxBufferSize (${this.limits.maxBufferSize} bytes)`);
    }
    this.#live();
    return this.#pool.acquire(byteLength);
  }

  #createBuffer(size: number, usage: GPUBufferUsageFlags, mappedAtCreation = false): GPUBuffer {
    const device = this.#live();
    device.pushErrorScope('out-of-memory');
    const buffer = device.createBuffer({ size, usage, mappedAtCreation });
    void device.popErrorScope().then((err) => {
      if (err) this.#errors.push(`out of GPU memory allocating ${size} bytes: ${err.message}`);
    });
    return buffer;
  }

  #encoderNow(): GPUCommandEncoder {
    return (this.#encoder ??= this.#live().createCommandEncoder());
  }

  #computePass(): GPUComputePassEncoder {
    return (this.#pass ??= this.#encoderNow().beginComputePass());
  }

  #copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    const encoder = this.#encoderNow();
    this.#pass?.end();
    this.#pass = null;
    encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, size);
  }

  #pipeline(d: Dispatch): GPUComputePipeline {
    let p = this.#pipelines.get(d.key);
    if (p) return p;
    const device = this.#live();
    const layoutKey = `${d.uniforms ? 'u' : ''}${d.bindings.map((b) => (b.readOnly ? 'r' : 'w')).join('')}`;
    let layout = this.#layouts.get(layoutKey);
    if (!layout) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      if (d.uniforms) entries.push({ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } });
      d.bindings.forEach((b, i) =>
        entries.push({ binding: i + 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.readOnly ? 'read-only-storage' : 'storage' } }),
      );
      layout = device.createBindGroupLayout({ entries });
      this.#layouts.set(layoutKey, layout);
    }
    const module = device.createShaderModule({ code: d.code(), label: d.key });
    p = device.createComputePipeline({
      label: d.key,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    });
    this.#pipelines.set(d.key, p);
    return p;
  }
}

/** Kernel error codes written to the error flag (word 0), with their arguments (words 1, 2). */
export const KERNEL_ERROR = { gatherIndex: 1, scatterAddIndex: 2 } as const;

function describeKernelError(code: number, a: number, b: number): string {
  switch (code) {
    case KERNEL_ERROR.gatherIndex:
      return `gather: index ${a} is outside [0, ${b})`;
    case KERNEL_ERROR.scatterAddIndex:
      return `scatterAdd: index ${a} is outside [0, ${b})`;
    default:
      return `webgpu: a kernel reported error code ${code}`;
  }
}
