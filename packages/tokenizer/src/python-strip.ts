/**
 * Python's `str.strip()`, `lstrip()` and `rstrip()` without arguments, which EVE's prompt code and
 * transformers use: they strip the characters of `str.isspace()`, a set that differs from JS's
 * `\s` (Python has U+001C..U+001F and U+0085 and lacks U+FEFF). Not a general string library.
 */

const PY_SPACE = '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING = new RegExp(`^[${PY_SPACE}]+`);
const TRAILING = new RegExp(`[${PY_SPACE}]+$`);

/** Python `s.lstrip()`. */
export function pyLstrip(s: string): string {
  return s.replace(LEADING, '');
}

/** Python `s.rstrip()`. */
export function pyRstrip(s: string): string {
  return s.replace(TRAILING, '');
}

/** Python `s.strip()`. */
export function pyStrip(s: string): string {
  return pyRstrip(pyLstrip(s));
}
