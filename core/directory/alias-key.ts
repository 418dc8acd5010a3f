import { DomainError } from '../errors';

/** The kinds of alias a participant can register in the directory (Raast-style proxies). */
export const aliasTypes = ['MSISDN', 'CNIC', 'MERCHANT'] as const;
export type AliasType = (typeof aliasTypes)[number];

/** An alias: its kind and its value, normalised (no spaces, no dashes, upper case where letters are allowed). */
export type AliasKey = { type: AliasType; value: string };

/**
 * What each alias kind looks like. MSISDN: a Pakistani mobile number in international form without the plus
 * (92 then 10 digits). CNIC: the 13 digits of a national identity card, without dashes. MERCHANT: the id a
 * merchant is known by, capital letters, digits, dash and underscore.
 */
export const aliasPatterns: Record<AliasType, { pattern: RegExp; description: string }> = {
  MSISDN: { pattern: /^92\d{10}$/, description: '92 followed by 10 digits, e.g. 923001234567' },
  CNIC: { pattern: /^\d{13}$/, description: '13 digits without dashes' },
  MERCHANT: {
    pattern: /^[A-Z0-9][A-Z0-9_-]{2,31}$/,
    description: '3 to 32 capital letters, digits, "-" or "_", starting with a letter or digit',
  },
};

export function isAliasType(value: string): value is AliasType {
  return (aliasTypes as readonly string[]).includes(value);
}

/** Checks an alias value against its kind; throws INVALID_ALIAS with the expected form otherwise. */
export function parseAliasKey(type: string, value: string): AliasKey {
  if (!isAliasType(type)) {
    throw new DomainError('INVALID_ALIAS', `alias type must be one of ${aliasTypes.join(', ')}`, [{ path: ['type'], value: type }]);
  }
  const rule = aliasPatterns[type];
  if (!rule.pattern.test(value)) {
    throw new DomainError('INVALID_ALIAS', `a ${type} alias is ${rule.description}`, [{ path: ['value'] }]);
  }
  return { type, value };
}

/** The stream that holds one alias's history, named by its value: merchants' aliases, and any alias of an older log. */
export function aliasStreamName(alias: AliasKey): string {
  return `alias-${alias.type}-${alias.value}`;
}

/**
 * How the switch names alias streams. With personal data sealed (core/personal-data), a person's alias (MSISDN,
 * CNIC) is named by its subject's keyed hash instead, so that no stream name carries the number.
 */
export type AliasStreamNaming = (alias: AliasKey) => string;
