import { z } from 'zod';
import { unsafeCharacterClass } from '../../core/unsafe-text';

/**
 * Text of a request body holds none of the characters core/unsafe-text.ts names (controls, line and paragraph
 * separators, bidirectional controls): a field holding one is refused with the field's path.
 */
export const unsafeTextPattern = new RegExp(`^[^${unsafeCharacterClass}]*$`);

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
