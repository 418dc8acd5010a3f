// The library's plain index, not its Node entry: the codes table is all this needs, and the Node entry loads every
// one of its 80 name locales at start-up (about 60 ms) for names the switch never prints.
import { getAlpha2Codes } from 'i18n-iso-countries/index';

/** The country an in-bound payment arrives in: its payer must be elsewhere (issue 17, item 4). */
export const homeCountry = 'PK';

const alpha2Codes: ReadonlySet<string> = new Set(Object.keys(getAlpha2Codes()));

/** Whether `code` is an assigned ISO 3166-1 alpha-2 country code ("GB" is, "XX" and "gb" are not). */
export function isCountryCode(code: string): boolean {
  return alpha2Codes.has(code);
}
