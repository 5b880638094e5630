/**
 * Kernels keyed by (backend, op). A backend registers one kernel config per op it implements;
 * registering the same pair twice is a bug and throws. The engine looks kernels up here and falls
 * back to the CPU kernel when a backend lacks one.
 */
import type { Backend } from './backend.js';
import type { DType } from './dtype.js';
import { BackendError } from './errors.js';
import type { Shape } from './shape.js';

/** A tensor as a kernel sees it: raw storage plus the view that reads it. */
export interface TensorView {
  readonly storage: unknown;
  readonly dtype: DType;
  readonly shape: Shape;
  /** Element strides; 0 on broadcast dimensions. Contiguous unless the op accepts strided inputs. */
  readonly strides: readonly number[];
  /** Offset of element [0, …, 0] in the storage, in elements. */
  readonly offset: number;
}

export interface OutputSpec {
  readonly shape: Shape;
  readonly dtype: DType;
}

export interface KernelArgs<A = unknown, B extends Backend = Backend> {
  readonly inputs: readonly TensorView[];
  readonly attrs: A;
  readonly outputs: readonly OutputSpec[];
  readonly backend: B;
}

/** Runs an op on a backend and returns one new storage handle per output. */
export type KernelFn<A = unknown, B extends Backend = Backend> = (args: KernelArgs<A, B>) => unknown[];

export interface KernelConfig<A = unknown, B extends Backend = Backend> {
  readonly op: string;
  readonly backend: string;
  readonly run: KernelFn<A, B>;
}

const kernels = new Map<string, KernelConfig<never, never>>();
const key = (backend: string, op: string): string => `${backend}/${op}`;

/** Registers a kernel; throws if one is already registered for the same backend and op. */
export function registerKernel<A, B extends Backend>(config: KernelConfig<A, B>): void {
  const k = key(config.backend, config.op);
  if (kernels.has(k)) throw new BackendError(`kernel ${k} is registered twice`);
  kernels.set(k, config as unknown as KernelConfig<never, never>);
}

export function getKernel(backend: string, op: string): KernelConfig | undefined {
  return kernels.get(key(backend, op)) as KernelConfig | undefined;
}

/** The op names a backend has kernels for (for conformance reports and `eve env`). */
export function kernelsFor(backend: string): string[] {
  const out: string[] = [];
  for (const cfg of kernels.values()) if (cfg.backend === backend) out.push(cfg.op);
  return out.sort();
}

/** Removes all kernels of a backend (used when a backend is unregistered in tests). */
export function unregisterKernels(backend: string): void {
  for (const [k, cfg] of kernels) if (cfg.backend === backend) kernels.delete(k);
}
