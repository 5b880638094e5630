/**
 * A small reader for the protobuf wire format: enough to walk a SentencePiece ModelProto
 * (varints, 32/64-bit fixed fields and length-delimited fields). It is not a general protobuf
 * library: there is no schema, no packed-field helper and no writer. Malformed input throws
 * {@link ProtobufError} with the byte offset; callers wrap it in a `FormatError` naming the file.
 */

/** A wire-format problem at a byte offset. */
export class ProtobufError extends Error {
  override name = 'ProtobufError';
}

/** Wire types of the protobuf encoding. */
export const WireType = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

/** One decoded field header. */
export interface ProtobufField {
  readonly field: number;
  readonly wireType: number;
}

/** Sequential reader over one message's bytes. */
export class ProtobufReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Whether every byte has been consumed. */
  get isDone(): boolean {
    return this.offset >= this.bytes.length;
  }

  /** Reads the next field header. */
  readField(): ProtobufField {
    const at = this.offset;
    const key = this.readVarint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0) throw new ProtobufError(`field number 0 at byte ${at}`);
    return { field, wireType };
  }

  /** Reads an unsigned varint (up to 64 bits) as a bigint. */
  readVarint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.bytes.length) throw new ProtobufError(`truncated varint at byte ${this.offset}`);
      const b = this.bytes[this.offset++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result & 0xffffffffffffffffn;
      shift += 7n;
    }
    throw new ProtobufError(`varint longer than 10 bytes at byte ${this.offset}`);
  }

  /** Reads an int32 varint (negative values are 10-byte two's complement). */
  readInt32(): number {
    return Number(BigInt.asIntN(32, this.readVarint()));
  }

  /** Reads a bool varint. */
  readBool(): boolean {
    return this.readVarint() !== 0n;
  }

  /** Reads a little-endian float32 (wire type 5). */
  readFloat(): number {
    this.need(4);
    const v = this.view.getFloat32(this.offset, true);
    this.offset += 4;
    return v;
  }

  /** Reads a length-delimited field's bytes (a view, not a copy). */
  readBytes(): Uint8Array {
    const length = this.readVarint();
    if (length > BigInt(this.bytes.length - this.offset)) {
      throw new ProtobufError(`length ${length} at byte ${this.offset} runs past the end (${this.bytes.length} bytes)`);
    }
    const n = Number(length);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** Reads a length-delimited UTF-8 string (invalid UTF-8 is an error). */
  readString(): string {
    const bytes = this.readBytes();
    try {
      return utf8Fatal.decode(bytes);
    } catch {
      throw new ProtobufError(`invalid UTF-8 string ending at byte ${this.offset}`);
    }
  }

  /** Skips a field's value of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.varint:
        this.readVarint();
        return;
      case WireType.fixed64:
        this.need(8);
        this.offset += 8;
        return;
      case WireType.bytes:
        this.readBytes();
        return;
      case WireType.fixed32:
        this.need(4);
        this.offset += 4;
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wireType} at byte ${this.offset}`);
    }
  }

  /** Throws unless the field has the expected wire type. */
  expect(f: ProtobufField, wireType: number): void {
    if (f.wireType !== wireType) {
      throw new ProtobufError(`field ${f.field} has wire type ${f.wireType}, expected ${wireType} (byte ${this.offset})`);
    }
  }

  private need(n: number): void {
    if (this.offset + n > this.bytes.length) throw new ProtobufError(`truncated field at byte ${this.offset}`);
  }
}

// ignoreBOM: a piece may be U+FEFF itself (Llama's id 30143), which TextDecoder would drop.
const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
