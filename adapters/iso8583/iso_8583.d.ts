/**
 * The slice of the untyped npm library `iso_8583` (2.6.7) that this adapter uses, typed from its source
 * (lib/8583.js). The library reports failures as `{ error: string }` objects instead of throwing.
 */
declare module 'iso_8583' {
  export type LibraryFieldFormat = {
    ContentType: string;
    Label: string;
    LenType: string;
    MaxLen: number;
    MinLen?: number;
  };
  export type LibraryFailure = { error: string };
  export type LibraryMessage = Record<string, string>;

  class Iso8583Library {
    constructor(message?: LibraryMessage, customFormats?: Record<string, LibraryFieldFormat>, requiredFieldsSchema?: string);
    /** MTI, binary bitmap (always primary and secondary) and fields, without a length header. */
    getRawMessage(): Buffer | LibraryFailure;
    /** A 2-byte big-endian length header followed by getRawMessage(). */
    getBufferMessage(): Buffer | LibraryFailure;
    /** Parses a message; expects a 2-byte length header unless `config.lenHeader` is false. */
    getIsoJSON(buffer: Buffer, config?: { lenHeader?: boolean; bitmapEncoding?: string }): LibraryMessage | LibraryFailure;
  }
  export = Iso8583Library;
}
