/**
 * Uploaded image files (`POST /v1/files`), kept in memory so a chat request can name one by
 * `file_id` instead of inlining a data URL. Bounded by count and total bytes: the oldest files
 * are dropped first. Nothing touches the disk, and requests can never name a path.
 */
import { randomBytes } from 'node:crypto';

/** The OpenAI File object. */
export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
}

interface StoredFile {
  meta: FileObject;
  data: Uint8Array;
}

export class FileStore {
  readonly #files = new Map<string, StoredFile>();
  #totalBytes = 0;

  constructor(
    readonly maxFiles: number,
    readonly maxTotalBytes: number,
  ) {}

  /** Stores a file, dropping the oldest ones when over the limits. */
  add(data: Uint8Array, filename: string, purpose: string): FileObject {
    const meta: FileObject = { id: `file-${randomBytes(12).toString('hex')}`, object: 'file', bytes: data.byteLength, created_at: Math.floor(Date.now() / 1000), filename, purpose };
    this.#files.set(meta.id, { meta, data });
    this.#totalBytes += data.byteLength;
    for (const [id] of this.#files) {
      if (this.#files.size <= this.maxFiles && this.#totalBytes <= this.maxTotalBytes) break;
      if (id === meta.id) break;
      this.delete(id);
    }
    return meta;
  }

  get(id: string): StoredFile | undefined {
    return this.#files.get(id);
  }

  delete(id: string): boolean {
    const f = this.#files.get(id);
    if (!f) return false;
    this.#totalBytes -= f.data.byteLength;
    this.#files.delete(id);
    return true;
  }

  list(): FileObject[] {
    return [...this.#files.values()].map((f) => f.meta);
  }
}
