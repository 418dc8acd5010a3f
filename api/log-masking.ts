/**
 * Masking of what must not reach logs in clear: account numbers (IBANs, wallet and mobile numbers, CNICs) keep
 * their last 4 characters; API keys keep their public id; signing secrets and bearer values disappear.
 */
export function maskAccountNumber(value: string): string {
  if (value.length <= 4) return '****';
  return `${'*'.repeat(Math.min(value.length - 4, 12))}${value.slice(-4)}`;
}

const ibanPattern = /\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b/gi;
/** IBANs as people write them, in groups of four (parseIban accepts this form, so it reaches paths). */
const groupedIbanPattern = /\b[A-Z]{2}\d{2}(?: [A-Z0-9]{4}){2,7}\b/gi;
/** CNICs as printed on the card: 5, 7 and 1 digits joined by dashes. */
const dashedCnicPattern = /\b\d{5}-\d{7}-\d\b/g;
/**
 * Escapes of printable ASCII (%20 to %7E: %2B, %39...): how a URL can carry an account number past the patterns.
 * %7F (DEL) is a control character: it stays escaped, as the C0 escapes do, so no log line carries it raw.
 */
const asciiEscapePattern = /%([2-6][0-9A-F]|7[0-9A-E])/gi;
/** Runs of 8 or more digits: mobile numbers, CNICs, wallet and bank account numbers. */
const longDigitsPattern = /(?<![0-9A-Za-z-])\d{8,}(?![0-9A-Za-z-])/g;
const apiKeyPattern = /\bhk_([0-9a-f]{16})\.[A-Za-z0-9_-]+/g;
const signingSecretPattern = /\bwhsec_[A-Za-z0-9_-]+/g;
const bearerPattern = /\bBearer\s+\S+/gi;

/**
 * What every pattern above needs at least one of: a digit (account numbers, IBANs, CNICs), an escape, or the
 * prefix of a key, a secret or a bearer value. Most log text (messages, most paths) has none, and is let through
 * without running the eight replacements: the request log is written once per request.
 */
const mayHoldSensitivePattern = /[0-9%]|hk_|whsec_|bearer/i;

/** Masks every account number, key and secret found in a piece of text (a URL, a message). */
export function maskSensitiveText(text: string): string {
  if (!mayHoldSensitivePattern.test(text)) return text;
  return (
    text
      // Decoded first (one pass, so "%2539" stays "%39"): the log shows what the escapes said, masked.
      .replace(asciiEscapePattern, (_escape, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
      .replace(bearerPattern, 'Bearer [REDACTED]')
      .replace(apiKeyPattern, (_match, keyId: string) => `hk_${keyId}.[REDACTED]`)
      .replace(signingSecretPattern, 'whsec_[REDACTED]')
      .replace(groupedIbanPattern, (match) => maskAccountNumber(match))
      .replace(dashedCnicPattern, (match) => maskAccountNumber(match))
      .replace(ibanPattern, (match) => maskAccountNumber(match))
      .replace(longDigitsPattern, (match) => maskAccountNumber(match))
  );
}
