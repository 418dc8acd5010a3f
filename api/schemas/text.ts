import { z } from 'zod';

/**
 * Characters no text field of the API accepts: the C0 controls (U+0000 to U+001F, which include NUL, BEL, tab and
 * newlines), DEL and the C1 controls (U+007F to U+009F), Unicode's line and paragraph separators (U+2028, U+2029, which
 * viewers break lines at as at a newline), and the Unicode bidirectional controls (the embeddings and
 * overrides U+202A to U+202E, the isolates U+2066 to U+2069, and the marks U+200E, U+200F and U+061C). Text given
 * to the switch reaches logs, other parties' screens and camt.053 statements, where these would hide, reorder or
 * break what a reader sees.
 *
 * Written with explicit \u ranges, not \p{...} classes: the pattern is published in /openapi.json, and tools that
 * read it there (schemathesis, Python's `re`) understand these and not Unicode property classes.
 */
// The control characters are the point of this pattern: it refuses them.
// eslint-disable-next-line no-control-regex
export const unsafeTextPattern = /^[^\u0000-\u001f\u007f-\u009f\u200e\u200f\u061c\u2028\u2029\u202a-\u202e\u2066-\u2069]*$/;

const unsafeTextMessage =
  'must not contain control characters (U+0000 to U+001F, U+007F to U+009F), line or paragraph separators (U+2028, U+2029) or bidirectional controls (U+200E, U+200F, U+061C, U+202A to U+202E, U+2066 to U+2069)';

/**
 * A free-text string: every text field of every request body starts from this. The check runs before anything
 * chained after it (`.trim()`, `.min()`), so a forbidden character at either end is refused, not trimmed away.
 */
export function safeText(options: { error?: string } = {}): z.ZodString {
  const base = options.error === undefined ? z.string() : z.string({ error: options.error });
  return base.regex(unsafeTextPattern, unsafeTextMessage);
}
