import type { LibraryFieldFormat } from 'iso_8583';

/**
 * Hisaab's ISO 8583:1987 profile for bank hosts (docs/ARCHITECTURE.md section 9): ASCII MTI, binary bitmaps, ASCII data
 * elements and ASCII LL/LLL length prefixes. Every field the profile carries is listed here, explicitly, with
 * the same format the `iso_8583` library uses by default, so that messages cross between the two unchanged.
 * A field that is not listed is not part of the profile: a message that carries one is a format error.
 */

/** Character classes, exactly as the `iso_8583` library checks them (lib/types.js), so that anything we accept it can pack. */
export type ContentType = 'n' | 'an' | 'anp' | 'ans';
export type LengthType = 'fixed' | 'llvar' | 'lllvar';

export type FieldSpecification = {
  readonly field: number;
  readonly label: string;
  readonly contentType: ContentType;
  readonly lengthType: LengthType;
  /** For a fixed field its exact length; for a variable one the most characters it may hold. */
  readonly lengthMax: number;
};

const contentPatterns: Record<ContentType, RegExp> = {
  n: /^[0-9]*$/,
  an: /^[0-9A-Za-z]*$/,
  // The library's "p" (pad) admits space, '*' and '#'.
  anp: /^[0-9A-Za-z*# ]*$/,
  // Printable ASCII without '@', '#' and '\': the library's "s" class leaves those out.
  ans: /^[0-9A-Za-z\-!$%^&*()_+|~=`{}[\]:";'<>?,./ ]*$/,
};

export function matchesContentType(contentType: ContentType, value: string): boolean {
  return contentPatterns[contentType].test(value);
}

function fixed(field: number, contentType: ContentType, length: number, label: string): FieldSpecification {
  return { field, label, contentType, lengthType: 'fixed', lengthMax: length };
}

function variable(
  field: number,
  lengthType: 'llvar' | 'lllvar',
  contentType: ContentType,
  lengthMax: number,
  label: string,
): FieldSpecification {
  return { field, label, contentType, lengthType, lengthMax };
}

const profileFields: readonly FieldSpecification[] = [
  fixed(3, 'n', 6, 'Processing code'),
  fixed(4, 'n', 12, 'Amount, transaction (minor units)'),
  fixed(7, 'n', 10, 'Transmission date and time (MMDDhhmmss, UTC)'),
  fixed(11, 'n', 6, 'System trace audit number'),
  fixed(12, 'n', 6, 'Time, local transaction (hhmmss)'),
  fixed(13, 'n', 4, 'Date, local transaction (MMDD)'),
  variable(32, 'llvar', 'n', 11, 'Acquiring institution identification code'),
  fixed(37, 'anp', 12, 'Retrieval reference number'),
  fixed(38, 'anp', 6, 'Authorization identification response'),
  fixed(39, 'an', 2, 'Response code'),
  fixed(41, 'ans', 8, 'Card acceptor terminal identification'),
  fixed(42, 'ans', 15, 'Card acceptor identification code'),
  variable(48, 'lllvar', 'ans', 999, 'Additional data - private'),
  fixed(49, 'n', 3, 'Currency code, transaction'),
  fixed(70, 'n', 3, 'Network management information code'),
  fixed(90, 'n', 42, 'Original data elements'),
  variable(102, 'llvar', 'ans', 28, 'Account identification 1 (payer)'),
  variable(103, 'llvar', 'ans', 28, 'Account identification 2 (payee account or alias)'),
];

export const fieldSpecifications: ReadonlyMap<number, FieldSpecification> = new Map(
  profileFields.map((specification) => [specification.field, specification]),
);

/** Bits 1 and 65 announce the next bitmap; the profile never uses a third one. */
export const SECONDARY_BITMAP_BIT = 1;
export const FIELD_NUMBER_MAX = 128;

export function lengthPrefixDigits(lengthType: LengthType): number {
  switch (lengthType) {
    case 'fixed':
      return 0;
    case 'llvar':
      return 2;
    case 'lllvar':
      return 3;
  }
}

/** The profile in the library's own format, passed to it as custom formats so that it never falls back to a default. */
export function libraryFormats(): Record<string, LibraryFieldFormat> {
  const formats: Record<string, LibraryFieldFormat> = {
    '0': { ContentType: 'n', Label: 'Message type indicator', LenType: 'fixed', MaxLen: 4 },
    '1': { ContentType: 'b', Label: 'Bitmap', LenType: 'fixed', MaxLen: 8 },
  };
  for (const specification of fieldSpecifications.values()) {
    formats[String(specification.field)] = {
      ContentType: specification.contentType,
      Label: specification.label,
      LenType: specification.lengthType,
      MaxLen: specification.lengthMax,
    };
  }
  return formats;
}
