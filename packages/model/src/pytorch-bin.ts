/**
 * Reading PyTorch `.bin` checkpoints (`torch.save` of a state dict: a zip archive holding
 * `<archive>/data.pkl` and one `<archive>/data/<key>` entry per storage) without Python, so the
 * official EVE weights (`pytorch_model-0000N-of-0000M.bin` + `pytorch_model.bin.index.json`)
 * load directly. It implements the same `SafetensorsReader` surface the loader uses.
 *
 * The pickle reader is deliberately restricted: it executes no code. It knows the opcodes a
 * state dict uses (protocol 2–4: containers, ints, strings, memo, persistent ids, REDUCE, BUILD)
 * and exactly three callables — `collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`
 * and the `torch.*Storage` type names; anything else is an error naming it. Zip entries must be
 * stored (torch never compresses them); ZIP64 (shards over 4 GiB) is supported.
 */
import type * as NodeFsPromises from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type * as NodePath from 'node:path';
import {
  cast,
  type DType,
  EveError,
  FormatError,
  fromRaw,
  nodeBuiltin,
  type SafetensorsReader,
  type SafetensorsReadOptions,
  type SafetensorsTensorInfo,
  type Tensor,
} from '@evejs/tensor';

const nodeFs = nodeBuiltin<typeof NodeFsPromises>('node:fs/promises');
const nodePath = nodeBuiltin<typeof NodePath>('node:path');

// ------------------------------------------------------------------ zip (central directory only)

interface ZipEntry {
  name: string;
  method: number;
  size: number;
  localHeaderOffset: number;
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new EveError(`unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
  return buf;
}

async function readZipDirectory(path: string, fh: FileHandle): Promise<ZipEntry[]> {
  const { size } = await fh.stat();
  const tailLen = Math.min(size, 65_557 + 20);
  const tail = await readAt(fh, size - tailLen, tailLen);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FormatError(path, 'not a zip archive (no end-of-central-directory record); is it a legacy torch.save file?');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw new FormatError(path, 'ZIP64 locator missing');
    const z64 = await readAt(fh, Number(tail.readBigUInt64LE(loc + 8)), 56);
    if (z64.readUInt32LE(0) !== 0x06064b50) throw new FormatError(path, 'bad ZIP64 end-of-central-directory record');
    count = Number(z64.readBigUInt64LE(32));
    cdSize = Number(z64.readBigUInt64LE(40));
    cdOffset = Number(z64.readBigUInt64LE(48));
  }
  const cd = await readAt(fh, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (cd.readUInt32LE(p) !== 0x02014b50) throw new FormatError(path, `bad central directory entry ${i}`);
    const method = cd.readUInt16LE(p + 10);
    let compSize = cd.readUInt32LE(p + 20);
    let uncompSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let offset = cd.readUInt32LE(p + 42);
    const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
    // ZIP64 extended information: the 0xffffffff fields, in order, as u64
    let e = p + 46 + nameLen;
    const end = e + extraLen;
    while (e + 4 <= end) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (uncompSize === 0xffffffff) {
          uncompSize = Number(cd.readBigUInt64LE(q));
          q += 8;
        }
        if (compSize === 0xffffffff) {
          compSize = Number(cd.readBigUInt64LE(q));
          q += 8;
        }
        if (offset === 0xffffffff) offset = Number(cd.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    entries.push({ name, method, size: uncompSize, localHeaderOffset: offset });
    p = end + commentLen;
  }
  return entries;
}

async function entryDataOffset(path: string, fh: FileHandle, entry: ZipEntry): Promise<number> {
  const h = await readAt(fh, entry.localHeaderOffset, 30);
  if (h.readUInt32LE(0) !== 0x04034b50) throw new FormatError(path, `bad local header for ${entry.name}`);
  if (entry.method !== 0) throw new FormatError(path, `${entry.name} is compressed (method ${entry.method}); torch.save archives are stored`);
  return entry.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
}

// ------------------------------------------------------------------ restricted unpickler

/** A storage reference from a persistent id: ('storage', <type>, key, location, numel). */
interface StorageRef {
  kind: 'storage';
  fileDType: string;
  key: string;
  numel: number;
}

/** A tensor as `_rebuild_tensor_v2` describes it. */
interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

type PyValue = unknown;
const MARK = Symbol('mark');

const STORAGE_DTYPES: Record<string, string> = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
  DoubleStorage: 'F64',
};

class Global {
  constructor(readonly name: string) {}
}

/** Runs the opcodes of a state-dict pickle; returns the top object (a Map for an OrderedDict/dict). */
export function unpickleStateDict(bytes: Uint8Array, source = 'data.pkl'): Map<string, PyValue> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: PyValue[] = [];
  const memo = new Map<number, PyValue>();
  let p = 0;
  const fail = (msg: string): never => {
    throw new FormatError(source, `${msg} (at byte ${p})`);
  };
  const popMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail('MARK missing');
    return stack.splice(i).slice(1);
  };
  const line = (): string => {
    const end = buf.indexOf(10, p);
    const s = buf.toString('latin1', p, end);
    p = end + 1;
    return s;
  };
  const call = (fn: PyValue, args: PyValue[]): PyValue => {
    if (!(fn instanceof Global)) return fail('REDUCE on a non-callable');
    switch (fn.name) {
      case 'collections.OrderedDict':
        return new Map<string, PyValue>();
      case 'torch._utils._rebuild_tensor_v2': {
        const [storage, offset, shape, stride] = args as [StorageRef, number, number[], number[]];
        if (storage?.kind !== 'storage') return fail('_rebuild_tensor_v2 without a storage');
        return { kind: 'tensor', storage, offset, shape: [...shape], stride: [...stride] } satisfies TensorRef;
      }
      default:
        return fail(`refusing to call ${fn.name} (only OrderedDict and _rebuild_tensor_v2 are allowed)`);
    }
  };
  for (;;) {
    if (p >= buf.length) fail('no STOP');
    const op = buf[p++]!;
    switch (op) {
      case 0x80: p++; break; // PROTO
      case 0x95: p += 8; break; // FRAME
      case 0x2e: { // STOP
        const top = stack.pop();
        if (!(top instanceof Map)) return fail('the pickle is not a dict');
        return top as Map<string, PyValue>;
      }
      case 0x63: { // GLOBAL
        const mod = line();
        const name = line();
        const full = `${mod}.${name}`;
        if (mod === 'torch' && name in STORAGE_DTYPES) stack.push(new Global(full));
        else if (full === 'collections.OrderedDict' || full === 'torch._utils._rebuild_tensor_v2') stack.push(new Global(full));
        else fail(`refusing global ${full}`);
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = stack.pop() as string;
        const mod = stack.pop() as string;
        const full = `${mod}.${name}`;
        if ((mod === 'torch' && name in STORAGE_DTYPES) || full === 'collections.OrderedDict' || full === 'torch._utils._rebuild_tensor_v2') stack.push(new Global(full));
        else fail(`refusing global ${full}`);
        break;
      }
      case 0x71: memo.set(buf[p++]!, stack.at(-1)); break; // BINPUT
      case 0x72: memo.set(buf.readUInt32LE(p), stack.at(-1)); p += 4; break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, stack.at(-1)); break; // MEMOIZE
      case 0x68: stack.push(memo.get(buf[p++]!)); break; // BINGET
      case 0x6a: stack.push(memo.get(buf.readUInt32LE(p))); p += 4; break; // LONG_BINGET
      case 0x28: stack.push(MARK); break; // MARK
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x85: stack.push([stack.pop()]); break; // TUPLE1
      case 0x86: { const b = stack.pop(); const a = stack.pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = stack.pop(); const b = stack.pop(); const a = stack.pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const v = stack.pop(); (stack.at(-1) as PyValue[]).push(v); break; } // APPEND
      case 0x65: { const items = popMark(); (stack.at(-1) as PyValue[]).push(...items); break; } // APPENDS
      case 0x73: { const v = stack.pop(); const k = stack.pop(); (stack.at(-1) as Map<PyValue, PyValue>).set(k, v); break; } // SETITEM
      case 0x75: { // SETITEMS
        const items = popMark();
        const d = stack.at(-1) as Map<PyValue, PyValue>;
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      case 0x4b: stack.push(buf[p++]!); break; // BININT1
      case 0x4d: stack.push(buf.readUInt16LE(p)); p += 2; break; // BININT2
      case 0x4a: stack.push(buf.readInt32LE(p)); p += 4; break; // BININT
      case 0x8a: { // LONG1
        const n = buf[p++]!;
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[p + i]!);
        if (n > 0 && buf[p + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        p += n;
        stack.push(Number(v));
        break;
      }
      case 0x47: stack.push(buf.readDoubleBE(p)); p += 8; break; // BINFLOAT
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x58: { const n = buf.readUInt32LE(p); p += 4; stack.push(buf.toString('utf8', p, p + n)); p += n; break; } // BINUNICODE
      case 0x8c: { const n = buf[p++]!; stack.push(buf.toString('utf8', p, p + n)); p += n; break; } // SHORT_BINUNICODE
      case 0x55: { const n = buf[p++]!; stack.push(buf.toString('latin1', p, p + n)); p += n; break; } // SHORT_BINSTRING
      case 0x51: { // BINPERSID
        const pid = stack.pop() as PyValue[];
        const [tag, type, key, , numel] = pid as [string, Global, string, string, number];
        if (tag !== 'storage' || !(type instanceof Global)) return fail('unknown persistent id');
        const fileDType = STORAGE_DTYPES[type.name.slice('torch.'.length)];
        if (!fileDType) return fail(`unknown storage type ${type.name}`);
        stack.push({ kind: 'storage', fileDType, key: String(key), numel } satisfies StorageRef);
        break;
      }
      case 0x52: { const args = stack.pop() as PyValue[]; const fn = stack.pop(); stack.push(call(fn, args)); break; } // REDUCE
      case 0x62: stack.pop(); break; // BUILD: state of the OrderedDict (`_metadata`), not needed
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16)}`);
    }
  }
}

// ------------------------------------------------------------------ the reader

const FILE_DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1, F64: 8 };
const FILE_TO_DTYPE: Record<string, DType | undefined> = { F32: 'f32', F16: 'f16', BF16: 'bf16', I32: 'i32', U8: 'u8', BOOL: 'bool' };

interface BinTensor {
  ref: TensorRef;
  file: number;
}

interface BinFile {
  path: string;
  fh: FileHandle;
  entries: Map<string, ZipEntry>;
  prefix: string;
}

/** One or more torch.save state-dict files read as one checkpoint (`SafetensorsReader` surface). */
export class PytorchCheckpoint implements SafetensorsReader {
  readonly metadata: Readonly<Record<string, string>> = {};
  readonly #files: BinFile[];
  readonly #tensors: Map<string, BinTensor>;
  #closed = false;

  private constructor(
    readonly path: string,
    files: BinFile[],
    tensors: Map<string, BinTensor>,
  ) {
    this.#files = files;
    this.#tensors = tensors;
  }

  /** Opens a `.bin` file, or a `pytorch_model.bin.index.json` and the shards it names. */
  static async open(path: string): Promise<PytorchCheckpoint> {
    let shardPaths = [path];
    if (path.endsWith('.json')) {
      const index = JSON.parse(await nodeFs.readFile(path, 'utf8')) as { weight_map?: Record<string, string> };
      if (!index.weight_map) throw new FormatError(path, 'no weight_map');
      shardPaths = [...new Set(Object.values(index.weight_map))].map((f) => nodePath.join(nodePath.dirname(path), f));
    }
    const files: BinFile[] = [];
    const tensors = new Map<string, BinTensor>();
    try {
      for (const shard of shardPaths) {
        const fh = await nodeFs.open(shard, 'r');
        const file: BinFile = { path: shard, fh, entries: new Map(), prefix: '' };
        files.push(file);
        for (const e of await readZipDirectory(shard, fh)) file.entries.set(e.name, e);
        const pkl = [...file.entries.keys()].find((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
        if (!pkl) throw new FormatError(shard, 'no data.pkl in the archive');
        file.prefix = pkl.slice(0, -'data.pkl'.length);
        const pe = file.entries.get(pkl)!;
        const bytes = await readAt(fh, await entryDataOffset(shard, fh, pe), pe.size);
        for (const [key, v] of unpickleStateDict(bytes, `${shard}:${pkl}`)) {
          const ref = v as TensorRef;
          if (ref?.kind !== 'tensor') continue; // non-tensor entries (none in HF state dicts)
          tensors.set(key, { ref, file: files.length - 1 });
        }
      }
    } catch (e) {
      for (const f of files) await f.fh.close();
      throw e;
    }
    return new PytorchCheckpoint(path, files, tensors);
  }

  keys(): string[] {
    return [...this.#tensors.keys()];
  }
  has(key: string): boolean {
    return this.#tensors.has(key);
  }
  #get(key: string): BinTensor {
    if (this.#closed) throw new EveError(`${this.path}: read after close()`);
    const t = this.#tensors.get(key);
    if (!t) throw new EveError(`${this.path}: no tensor named "${key}"`);
    return t;
  }
  info(key: string): SafetensorsTensorInfo {
    const { ref } = this.#get(key);
    const fileDType = ref.storage.fileDType;
    const dtype = FILE_TO_DTYPE[fileDType] ?? (fileDType === 'I64' ? 'i32' : 'f32');
    const n = ref.shape.reduce((a, b) => a * b, 1);
    return { dtype, fileDType, shape: [...ref.shape], byteLength: n * FILE_DTYPE_BYTES[fileDType]! };
  }

  /** The tensor's elements in row-major order, in the stored dtype (views and strides resolved). */
  async readRaw(key: string): Promise<Uint8Array> {
    const { ref, file } = this.#get(key);
    const f = this.#files[file]!;
    const entry = f.entries.get(`${f.prefix}data/${ref.storage.key}`);
    if (!entry) throw new FormatError(f.path, `storage ${ref.storage.key} of "${key}" is missing`);
    const es = FILE_DTYPE_BYTES[ref.storage.fileDType]!;
    const n = ref.shape.reduce((a, b) => a * b, 1);
    const base = await entryDataOffset(f.path, f.fh, entry);
    const contiguous = ref.shape.every((_, i) => ref.shape.slice(i + 1).reduce((a, b) => a * b, 1) === ref.stride[i] || ref.shape[i] === 1);
    if (contiguous) return new Uint8Array(await readAt(f.fh, base + ref.offset * es, n * es));
    // a strided view: read the span it covers and gather
    let span = 1;
    ref.shape.forEach((d, i) => (span += (d - 1) * ref.stride[i]!));
    const src = await readAt(f.fh, base + ref.offset * es, span * es);
    const out = new Uint8Array(n * es);
    const idx = new Array<number>(ref.shape.length).fill(0);
    for (let i = 0; i < n; i++) {
      let off = 0;
      for (let a = 0; a < idx.length; a++) off += idx[a]! * ref.stride[a]!;
      out.set(src.subarray(off * es, off * es + es), i * es);
      for (let a = idx.length - 1; a >= 0; a--) {
        if (++idx[a]! < ref.shape[a]!) break;
        idx[a] = 0;
      }
    }
    return out;
  }

  async read(key: string, opts: SafetensorsReadOptions = {}): Promise<Tensor> {
    const info = this.info(key);
    const native = FILE_TO_DTYPE[info.fileDType];
    if (!native) throw new EveError(`${this.path}: "${key}" has dtype ${info.fileDType}, which evejs cannot read`);
    const bytes = await this.readRaw(key);
    const aligned = new Uint8Array(bytes.byteLength);
    aligned.set(bytes);
    const data =
      native === 'f32' ? new Float32Array(aligned.buffer) : native === 'f16' || native === 'bf16' ? new Uint16Array(aligned.buffer) : native === 'i32' ? new Int32Array(aligned.buffer) : aligned;
    const t = fromRaw(data, info.shape, native, opts.backend);
    if (!opts.dtype || opts.dtype === native) return t;
    try {
      return cast(t, opts.dtype);
    } finally {
      t.dispose();
    }
  }

  async *tensors(opts: SafetensorsReadOptions = {}): AsyncGenerator<[string, Tensor]> {
    for (const key of this.keys()) yield [key, await this.read(key, opts)];
  }
  [Symbol.asyncIterator](): AsyncGenerator<[string, Tensor]> {
    return this.tensors();
  }
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const f of this.#files) await f.fh.close();
  }
}
