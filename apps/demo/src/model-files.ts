/**
 * Where in-browser mode gets a checkpoint's files: fetched from the demo routes
 * (`/models/<id>/<file>`, with byte progress), or picked from disk (a folder, or several files).
 * Only what the page needs is read: config, image processor config, tokenizer, safetensors.
 */

export interface ModelFiles {
  name: string;
  /** File name → bytes. */
  files: Map<string, Uint8Array>;
}

/** Files the page needs from a checkpoint folder. */
export function isNeededFile(name: string): boolean {
  return /^(config|preprocessor_config|tokenizer_config|special_tokens_map|tokenizer)\.json$|^tokenizer\.model$|\.safetensors$/.test(name) && name !== 'golden.safetensors';
}

/** Fetches the model's files with one progress callback over all bytes. */
export async function fetchModelFiles(baseUrl: string, id: string, names: readonly string[], onProgress: (loadedBytes: number, totalBytes: number) => void): Promise<ModelFiles> {
  const wanted = names.filter(isNeededFile);
  const responses = await Promise.all(
    wanted.map(async (n) => {
      const res = await fetch(new URL(`models/${encodeURIComponent(id)}/${encodeURIComponent(n)}`, baseUrl));
      if (!res.ok || !res.body) throw new Error(`GET /models/${id}/${n}: HTTP ${res.status}`);
      return [n, res] as const;
    }),
  );
  const total = responses.reduce((s, [, r]) => s + Number(r.headers.get('content-length') ?? 0), 0);
  let loaded = 0;
  const files = new Map<string, Uint8Array>();
  await Promise.all(
    responses.map(async ([n, res]) => {
      const parts: Uint8Array[] = [];
      const reader = res.body!.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parts.push(value);
        loaded += value.byteLength;
        onProgress(loaded, total);
      }
      files.set(n, concat(parts));
    }),
  );
  return { name: id, files };
}

/** Reads files picked with a file or folder input. */
export async function readPickedFiles(list: FileList, onProgress: (loadedBytes: number, totalBytes: number) => void): Promise<ModelFiles> {
  // Only files directly in the picked folder: a subfolder (e.g. the CLIP teacher's) has its own config.json.
  const depth = (f: File) => ((f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name).split('/').length;
  const top = Math.min(...[...list].map(depth));
  const picked = [...list].filter((f) => depth(f) === top && isNeededFile(f.name));
  if (picked.length === 0) throw new Error('none of the picked files is a checkpoint file (config.json, *.safetensors, tokenizer.*)');
  const total = picked.reduce((s, f) => s + f.size, 0);
  let loaded = 0;
  const files = new Map<string, Uint8Array>();
  for (const f of picked) {
    files.set(f.name, new Uint8Array(await f.arrayBuffer()));
    loaded += f.size;
    onProgress(loaded, total);
  }
  const folder = (picked[0] as File & { webkitRelativePath?: string }).webkitRelativePath?.split('/')[0];
  return { name: folder || 'picked model', files };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
