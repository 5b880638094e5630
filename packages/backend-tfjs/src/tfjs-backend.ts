/**
 * The tfjs backend: storage is a flat 1-D tf.Tensor per allocation, kernels are compositions of
 * tfjs ops run inside `tf.tidy` so that no intermediate tf tensor outlives a kernel.
 *
 * dtypes: tfjs has float32, int32 and bool only. f32 → float32, i32 → int32, bool → bool,
 * u8 → int32 (values 0–255), and f16/bf16 → float32 holding the decoded values: they are decoded
 * at upload and re-encoded (exactly, since every stored value is representable) at read. This
 * doubles the memory of f16/bf16 weights but lets matmul and gather use them directly; `cast` to
 * f16/bf16 rounds through the host (see kernels/cast.ts).
 */
import { type Backend, type BackendInfo, convertHostArray, type DType, type HostArray, toFloat32Array } from '@evejs/tensor/backend';
import type { Tensor as TfTensor } from '@tensorflow/tfjs-core';
import type { LoadedTfjs, Tf, TfjsFlavor } from './tfjs-loader.js';

/** The tfjs dtype that stores each evejs dtype. */
export type TfDType = 'float32' | 'int32' | 'bool';

export function tfDType(dtype: DType): TfDType {
  switch (dtype) {
    case 'f32':
    case 'f16':
    case 'bf16':
      return 'float32';
    case 'i32':
    case 'u8':
      return 'int32';
    case 'bool':
      return 'bool';
  }
}

export class TfjsBackend implements Backend {
  readonly tf: Tf;
  readonly flavor: TfjsFlavor;
  readonly #device: string;
  readonly #reason: string;

  constructor(
    readonly name: string,
    loaded: LoadedTfjs,
  ) {
    this.tf = loaded.tf;
    this.flavor = loaded.flavor;
    this.#device = loaded.device;
    this.#reason = loaded.reason;
  }

  allocate(dtype: DType, size: number): TfTensor {
    return this.tf.zeros([size], tfDType(dtype));
  }

  upload(dtype: DType, data: HostArray): TfTensor {
    switch (dtype) {
      case 'f16':
      case 'bf16':
        return this.tf.tensor1d(toFloat32Array(data, dtype), 'float32');
      case 'u8':
        return this.tf.tensor1d(Int32Array.from(data), 'int32');
      default:
        return this.tf.tensor1d(data.slice() as Float32Array | Int32Array | Uint8Array, tfDType(dtype));
    }
  }

  async read(storage: unknown, dtype: DType, size: number): Promise<HostArray> {
    const values = await (storage as TfTensor).data();
    return fromTfValues(values as Float32Array | Int32Array | Uint8Array, dtype, size);
  }

  readSync(storage: unknown, dtype: DType, size: number): HostArray {
    return fromTfValues((storage as TfTensor).dataSync() as Float32Array | Int32Array | Uint8Array, dtype, size);
  }

  free(storage: unknown): void {
    (storage as TfTensor).dispose();
  }

  info(): BackendInfo {
    const mem = this.tf.memory();
    return {
      name: this.name,
      device: this.#device,
      details: {
        tfjsBackend: this.tf.getBackend(),
        tfjsVersion: this.tf.version_core,
        why: this.#reason,
        tfTensors: mem.numTensors,
      },
    };
  }

  /**
   * Runs a kernel body in `tf.tidy` and returns each output flattened to 1-D in its storage dtype.
   * Everything else the body creates is disposed.
   */
  run(outputs: readonly { dtype: DType }[], body: () => TfTensor | TfTensor[]): TfTensor[] {
    return this.tf.tidy(() => {
      const ys = body();
      return (Array.isArray(ys) ? ys : [ys]).map((y, i) => {
        const want = tfDType(outputs[i]!.dtype);
        const flat = this.tf.reshape(y, [-1]);
        return flat.dtype === want ? flat : this.tf.cast(flat, want);
      });
    });
  }
}

function fromTfValues(values: Float32Array | Int32Array | Uint8Array, dtype: DType, size: number): HostArray {
  const v = values.length === size ? values : values.subarray(0, size);
  switch (dtype) {
    case 'f32':
      return v instanceof Float32Array ? v.slice() : Float32Array.from(v);
    case 'f16':
    case 'bf16':
      return convertHostArray(Float32Array.from(v), 'f32', dtype);
    case 'i32':
      return v instanceof Int32Array ? v.slice() : Int32Array.from(v);
    case 'u8':
    case 'bool':
      return Uint8Array.from(v);
  }
}
