/**
 * Where a `GPU` object comes from: `navigator.gpu` in browsers (and Deno), otherwise the optional
 * `webgpu` package (Dawn) in Node. This file only finds the entry point; it does not request
 * adapters or devices (webgpu-backend.ts does) and never falls back to anything else.
 */
import type * as NodeFs from 'node:fs';
import { nodeBuiltin } from '@evejs/tensor';

/** A `GPU` entry point and how it was found, or why none could be. */
export type GpuSource = { gpu: GPU; via: 'navigator.gpu' | 'webgpu package' } | { gpu: null; reason: string };

interface DawnModule {
  create(options: string[]): GPU;
  globals: Record<string, unknown>;
}

/** Finds `navigator.gpu`, or loads the `webgpu` package in Node. */
export async function findGpu(): Promise<GpuSource> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, via: 'navigator.gpu' };
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  if (!isNode) return { gpu: null, reason: 'navigator.gpu is missing: this browser has no WebGPU (or it is disabled)' };
  let dawn: DawnModule;
  try {
    // A variable specifier keeps bundlers from trying to include the native module in browser builds.
    const specifier = 'webgpu';
    dawn = (await import(/* @vite-ignore */ specifier)) as DawnModule;
  } catch (e) {
    return { gpu: null, reason: `the optional "webgpu" package is missing or failed to load (${(e as Error).message}); install it with: pnpm add webgpu` };
  }
  // Dawn's enums (GPUBufferUsage, GPUMapMode, …) live on `globals`; install only those missing.
  for (const [k, v] of Object.entries(dawn.globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  return { gpu: dawn.create([]), via: 'webgpu package' };
}

/** A hint for a missing adapter on Linux: is there a Vulkan ICD at all? */
export async function vulkanIcdHint(): Promise<string> {
  if (typeof process === 'undefined' || process.platform !== 'linux') return '';
  try {
    const fs = nodeBuiltin<typeof NodeFs>('node:fs');
    const forced = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
    if (forced) {
      const missing = forced.split(':').filter((f) => f && !fs.existsSync(f));
      if (missing.length) return `; VK_DRIVER_FILES names missing files: ${missing.join(', ')}`;
      return `; VK_DRIVER_FILES=${forced}`;
    }
    const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];
    const icds = dirs.flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d) : []));
    if (icds.length === 0) {
      return '; no Vulkan ICD is installed (on Debian: apt-get install -t bookworm-backports mesa-vulkan-drivers for lavapipe)';
    }
    return `; Vulkan ICDs present: ${icds.join(', ')} (try VK_DRIVER_FILES=/usr/share/vulkan/icd.d/lvp_icd.json)`;
  } catch {
    return '';
  }
}
