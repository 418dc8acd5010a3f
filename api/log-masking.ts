/**
 * Masking of what must not reach logs in clear: account numbers (IBANs, wallet and mobile numbers, CNICs) keep
 * their last 4 characters; API keys keep their public id; signing secrets and bearer values disappear.
 */
export function maskAccountNumber(value: string): string {
  if (value.length <= 4) return '****';
  return `${'*'.repeat(Math.min(value.length - 4, 12))}${value.slice(-4)}`;
}

const ibanPattern = /\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b/gi;
/** Runs of 8 or more digits: mobile numbers, CNICs, wallet and bank account numbers. */
const longDigitsPattern = /(?<![0-9A-Za-z-])\d{8,}(?![0-9A-Za-z-])/g;
const apiKeyPattern = /\bhk_([0-9a-f]{16})\.[A-Za-z0-9_-]+/g;
const signingSecretPattern = /\bwhsec_[A-Za-z0-9_-]+/g;
const bearerPattern = /\bBearer\s+\S+/gi;

/** Masks every account number, key and secret found in a piece of text (a URL, a message). */
export function maskSensitiveText(text: string): string {
  return text
    .replace(bearerPattern, 'Bearer [REDACTED]')
    .replace(apiKeyPattern, (_match, keyId: string) => `hk_${keyId}.[REDACTED]`)
    .replace(signingSecretPattern, 'whsec_[REDACTED]')
    .replace(ibanPattern, (match) => maskAccountNumber(match))
    .replace(longDigitsPattern, (match) => maskAccountNumber(match));
}
