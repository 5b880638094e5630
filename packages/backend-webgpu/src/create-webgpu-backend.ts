/**
 * Starting the WebGPU backend: find a GPU (gpu-source.ts), request an adapter and a device with
 * the limits large models need, and probe whether any of that can work. Registration with the
 * engine lives in register.ts.
 */
import { BackendError } from '@evejs/tensor';
import { findGpu, vulkanIcdHint } from './gpu-source.js';
import { WebGpuBackend, type WebGpuBackendOptions } from './webgpu-backend.js';

/**
 * Requests an adapter and a device and returns a backend on it. Asks for `shader-f16` when the
 * adapter has it, and raises maxStorageBufferBindingSize, maxBufferSize and the workgroup-storage
 * and storage-buffer counts to the adapter's limits (the defaults, 128 MiB bindings and 256 MiB
 * buffers, are too small for a 7B model's weights).
 * @throws BackendError saying why WebGPU cannot start.
 * @example const backend = await createWebGpuBackend(); engine.addBackend(backend);
 */
export async function createWebGpuBackend(opts: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const source = await findGpu();
  if (!source.gpu) throw new BackendError(`webgpu: ${source.reason}`);
  const adapter = await source.gpu.requestAdapter(opts.powerPreference ? { powerPreference: opts.powerPreference } : undefined);
  if (!adapter) throw new BackendError(`webgpu: no adapter available via ${source.via}${await vulkanIcdHint()}`);
  const want = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxStorageBuffersPerShaderStage', 'maxComputeInvocationsPerWorkgroup'] as const;
  const requiredLimits: Record<string, number> = {};
  for (const k of want) requiredLimits[k] = adapter.limits[k];
  const requiredFeatures: GPUFeatureName[] = (opts.useShaderF16 ?? true) && adapter.features.has('shader-f16') ? ['shader-f16'] : [];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  } catch (e) {
    throw new BackendError(`webgpu: requestDevice failed: ${(e as Error).message}`);
  }
  return new WebGpuBackend(device, adapter.info, opts, [source.gpu, adapter]);
}

/** What `probeWebGpu` found. */
export interface WebGpuProbe {
  ok: boolean;
  /** Why WebGPU cannot start (no navigator.gpu, the webgpu package missing, no adapter, no Vulkan ICD). */
  reason?: string;
  /** The adapter's description when one was found. */
  adapter?: string;
}

/** Checks whether WebGPU can start here, without creating a device. */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  const source = await findGpu();
  if (!source.gpu) return { ok: false, reason: source.reason };
  let adapter: GPUAdapter | null;
  try {
    adapter = await source.gpu.requestAdapter();
  } catch (e) {
    return { ok: false, reason: `requestAdapter failed: ${(e as Error).message}` };
  }
  if (!adapter) return { ok: false, reason: `no WebGPU adapter via ${source.via}${await vulkanIcdHint()}` };
  const i = adapter.info;
  return { ok: true, adapter: [i.description, i.vendor, i.architecture].filter(Boolean).join(' / ') || 'unknown adapter' };
}
