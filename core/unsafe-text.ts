/**
 * Characters no text the switch keeps from outside may hold: the C0 controls (U+0000 to U+001F, which include NUL,
 * BEL, tab and newlines), DEL and the C1 controls (U+007F to U+009F), Unicode's line and paragraph separators
 * (U+2028, U+2029, which viewers break lines at as at a newline), and the Unicode bidirectional controls (the
 * embeddings and overrides U+202A to U+202E, the isolates U+2066 to U+2069, and the marks U+200E, U+200F and
 * U+061C). Such text reaches logs, the event log, other parties' screens and camt.053 statements, where these
 * would hide, reorder or break what a reader sees.
 *
 * Written with explicit \u ranges, not \p{...} classes: the API publishes a pattern built from it in
 * /openapi.json, and tools that read it there (schemathesis, Python's `re`) understand these and not Unicode
 * property classes.
 */
export const unsafeCharacterClass = '\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u061c\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';

const unsafeCharacters = new RegExp(`[${unsafeCharacterClass}]`, 'g');

/**
 * Text another party chose, made safe to keep: each unsafe character becomes U+FFFD, so that what was there still
 * shows. For text the switch cannot refuse (a wallet's answer); request bodies refuse such text instead.
 */
export function replaceUnsafeCharacters(text: string): string {
  return text.replace(unsafeCharacters, '\uFFFD');
}
