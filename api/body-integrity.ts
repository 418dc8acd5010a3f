import { isUtf8 } from 'node:buffer';

/**
 * What a JSON body must be beyond parsing, so that every reader of the same bytes reads the same request: a proxy, a
 * log, the Hisaab-JWS check over the raw bytes, and the switch itself. JSON.parse alone allows three readings of
 * one body that differ: another charset (`utf-7` turns `+ADI-` into `2`), a field given twice (JSON.parse keeps the
 * last, many other parsers the first), and text that is not Unicode (bytes that are not UTF-8, decoded as U+FFFD;
 * a lone surrogate escape such as `\ud800`). Each is refused instead.
 */

/**
 * Whether the JSON parser decodes a body as UTF-8. Asked of the encoding the parser itself took from the
 * Content-Type (body-parser hands it to its `verify` hook), not of a second reading of the header: a header that
 * two parsers read differently (`x="; charset=utf-8"; charset=utf-7`) must not pass one check and be decoded by the
 * other rule.
 */
export function decodesAsUtf8(encoding: string | null): boolean {
  return encoding === null || encoding === 'utf-8' || encoding === 'utf8';
}

/** The error the JSON parser's `verify` hook throws for another charset; its `type` names the answer (415). */
export class UnsupportedCharsetError extends Error {
  readonly type = 'charset.unsupported';
  constructor(encoding: string) {
    super(`request bodies are UTF-8: send Content-Type: application/json, with no other charset (not ${encoding})`);
  }
}

/** Whether the raw bytes are well-formed UTF-8 (no invalid or overlong sequence, no encoded surrogate). */
export function isWellFormedUtf8(raw: Buffer): boolean {
  return isUtf8(raw);
}

type Frame = { kind: 'object'; keys: Set<string>; key: string | null; expectKey: boolean } | { kind: 'array'; index: number };

/**
 * The path of the first field named twice in one object of a JSON text (the text must already have parsed), or
 * null. Keys compare as JSON.parse decodes them, so `"amount"` and `"am\u006funt"` are the same field. One pass over
 * the text; its depth is bounded by the body's own nesting limit, checked before.
 */
export function firstDuplicateKey(json: string): (string | number)[] | null {
  const stack: Frame[] = [];
  let position = 0;
  while (position < json.length) {
    const character = json[position];
    switch (character) {
      case '{':
        stack.push({ kind: 'object', keys: new Set(), key: null, expectKey: true });
        break;
      case '[':
        stack.push({ kind: 'array', index: 0 });
        break;
      case '}':
      case ']':
        stack.pop();
        break;
      case ',': {
        const top = stack[stack.length - 1];
        if (top?.kind === 'object') top.expectKey = true;
        else if (top?.kind === 'array') top.index += 1;
        break;
      }
      case '"': {
        const end = endOfString(json, position);
        const top = stack[stack.length - 1];
        if (top?.kind === 'object' && top.expectKey) {
          const token = json.slice(position, end + 1);
          const key = token.includes('\\') ? (JSON.parse(token) as string) : token.slice(1, -1);
          if (top.keys.has(key)) return [...pathOf(stack.slice(0, -1)), key];
          top.keys.add(key);
          top.key = key;
          top.expectKey = false;
        }
        position = end;
        break;
      }
      default:
        break;
    }
    position += 1;
  }
  return null;
}

/** The index of the quote that closes the string opening at `start`. */
function endOfString(json: string, start: number): number {
  let position = start + 1;
  for (;;) {
    const quote = json.indexOf('"', position);
    if (quote === -1) throw new Error('a JSON text that parsed has no unclosed string');
    let backslashes = 0;
    while (json[quote - 1 - backslashes] === '\\') backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    position = quote + 1;
  }
}

function pathOf(frames: readonly Frame[]): (string | number)[] {
  return frames.map((frame) => (frame.kind === 'array' ? frame.index : (frame.key ?? '')));
}

/**
 * Whether a JSON text may hold a lone surrogate: only an escape (`\ud800`) can put one there, since its bytes are
 * UTF-8, which has none. A text without one needs no walk (an escaped backslash before `ud8…` is a false alarm, which
 * the walk then clears).
 */
export function mayHoldSurrogateEscape(json: string): boolean {
  return /\\u[dD][89a-fA-F]/.test(json);
}

/**
 * The path of the first string (a value or a key) of a parsed body that is not well-formed Unicode (a lone
 * surrogate), or null. Recursion is bounded by the body's nesting limit, checked before.
 */
export function firstIllFormedString(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (typeof value === 'string') return isWellFormedText(value) ? null : path;
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = firstIllFormedString(value[index] as unknown, [...path, index]);
      if (found !== null) return found;
    }
    return null;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!isWellFormedText(key)) return [...path, key];
    const found = firstIllFormedString(record[key], [...path, key]);
    if (found !== null) return found;
  }
  return null;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isWellFormedText(text: string): boolean {
  return !loneSurrogate.test(text);
}
