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

/** Sequential reader over one message's bytes (a window of a shared buffer). */
export class ProtobufReader {
  private offset: number;
  private readonly end: number;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
    view?: DataView,
  ) {
    this.offset = start;
    this.end = end;
    this.view = view ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Whether every byte has been consumed. */
  get isDone(): boolean {
    return this.offset >= this.end;
  }

  /** Reads the next field header. */
  readField(): ProtobufField {
    const at = this.offset;
    const key = this.readVarint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) throw new ProtobufError(`field number 0 at byte ${at}`);
    return { field, wireType };
  }

  /**
   * Reads an unsigned varint. Values above 2^53 lose precision (only lengths, tags and int32
   * fields matter here); the low 32 bits are kept exactly in {@link lastLow32}.
   */
  readVarint(): number {
    let value = 0;
    let low = 0;
    for (let i = 0, scale = 1; i < 10; i++, scale *= 128) {
      if (this.offset >= this.end) throw new ProtobufError(`truncated varint at byte ${this.offset}`);
      const b = this.bytes[this.offset++]!;
      value += (b & 0x7f) * scale;
      if (i < 5) low |= (b & 0x7f) << (7 * i);
      if (b < 0x80) {
        this.lastLow32 = low;
        return value;
      }
    }
    throw new ProtobufError(`varint longer than 10 bytes at byte ${this.offset}`);
  }

  /** Low 32 bits of the last varint read. */
  private lastLow32 = 0;

  /** Reads an int32 varint (negative values are 10-byte two's complement). */
  readInt32(): number {
    this.readVarint();
    return this.lastLow32 | 0;
  }

  /** Reads a bool varint. */
  readBool(): boolean {
    return this.readVarint() !== 0;
  }

  /** Reads a little-endian float32 (wire type 5). */
  readFloat(): number {
    this.need(4);
    const v = this.view.getFloat32(this.offset, true);
    this.offset += 4;
    return v;
  }

  /** Reads a length-delimited field's length and returns [start, end) of its bytes. */
  private readRange(): [number, number] {
    const length = this.readVarint();
    if (length > this.end - this.offset) {
      throw new ProtobufError(`length ${length} at byte ${this.offset} runs past the end (${this.end} bytes)`);
    }
    const start = this.offset;
    this.offset += length;
    return [start, this.offset];
  }

  /** Reads a length-delimited field's bytes (a view, not a copy). */
  readBytes(): Uint8Array {
    const [start, end] = this.readRange();
    return this.bytes.subarray(start, end);
  }

  /** Reads a length-delimited embedded message as a reader over the same buffer. */
  readMessage(): ProtobufReader {
    const [start, end] = this.readRange();
    return new ProtobufReader(this.bytes, start, end, this.view);
  }

  /** Reads a length-delimited UTF-8 string (invalid UTF-8 is an error). */
  readString(): string {
    const bytes = this.readBytes();
    // Short ASCII strings (most vocabulary pieces) skip TextDecoder's per-call overhead.
    if (bytes.length <= 32) {
      let ascii = '';
      let i = 0;
      for (; i < bytes.length && bytes[i]! < 0x80; i++) ascii += String.fromCharCode(bytes[i]!);
      if (i === bytes.length) return ascii;
    }
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
        this.readRange();
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
    if (this.offset + n > this.end) throw new ProtobufError(`truncated field at byte ${this.offset}`);
  }
}

// ignoreBOM: a piece may be U+FEFF itself (Llama's id 30143), which TextDecoder would drop.
const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
