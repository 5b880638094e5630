/**
 * JSON parsing that refuses duplicate object keys.
 *
 * `JSON.parse` silently keeps the last of two equal keys, so a header naming the same tensor
 * twice (or a tensor with two `dtype`s) would load whichever came last. Checkpoint headers and
 * index files are ambiguous in that case, so we parse with `JSON.parse` (the syntax check) and
 * then scan the text once for repeated keys. This is not a general JSON library.
 */

/** Why a text is not acceptable JSON: the syntax error, or the first duplicated key and where it is. */
export class StrictJsonError extends Error {
  override name = 'StrictJsonError';
}

/**
 * Parses `text` as JSON, throwing a StrictJsonError if it is not valid JSON or if any object in it
 * repeats a key. The error message names the duplicated key and the path of keys leading to it.
 */
export function parseStrictJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new StrictJsonError(`not valid JSON (${(e as Error).message})`);
  }
  const dup = findDuplicateKey(text);
  if (dup) {
    const where = dup.path.length === 0 ? 'at the top level' : `inside ${dup.path.map((k) => JSON.stringify(k)).join(' → ')}`;
    throw new StrictJsonError(`duplicate key ${JSON.stringify(dup.key)} ${where}`);
  }
  return value;
}

interface Frame {
  isObject: boolean;
  keys: Set<string>;
  expectKey: boolean;
  currentKey: string;
}

/** Scans already-validated JSON text for the first object key that appears twice in one object. */
function findDuplicateKey(text: string): { key: string; path: string[] } | null {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push({ isObject: c === 0x7b, keys: new Set(), expectKey: c === 0x7b, currentKey: '' });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.isObject) top.expectKey = true;
    } else if (c === 0x22 /* " */) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.isObject && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) {
          return { key, path: stack.slice(0, -1).map((f) => (f.isObject ? f.currentKey : '[]')) };
        }
        top.keys.add(key);
        top.currentKey = key;
        top.expectKey = false;
      }
      i = j;
    }
  }
  return null;
}
