import type { Request, Response } from 'express';
import { HttpError } from './http-error';

/** A body that is absent (no content) validates as {} so that missing fields are reported one by one. */
export function bodyOf(request: Request): unknown {
  return request.body === undefined ? {} : request.body;
}

/**
 * Page cursors are opaque to clients: `<kind>:<position>` in base64url, the kind telling one list's cursors from
 * another's. Decoding answers null for anything the API did not hand out (another alphabet, another kind, a
 * position of the wrong shape), and every list refuses that with `invalidCursor()`.
 */
export function encodeCursor(kind: string, position: string): string {
  return Buffer.from(`${kind}:${position}`, 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string, positionPattern: RegExp): string | null {
  const decoded = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const prefix = `${kind}:`;
  if (!decoded.startsWith(prefix)) return null;
  const position = decoded.slice(prefix.length);
  return positionPattern.test(position) ? position : null;
}

/**
 * The refusal of a cursor the API did not hand out, one for every list: INVALID_CURSOR naming `query.cursor`. The
 * lists had answered it three ways (VALIDATION_FAILED on two, INVALID_CURSOR with no field named on the rest) until
 * an outside test compared them.
 */
export function invalidCursor(): HttpError {
  return new HttpError('INVALID_CURSOR', 'query.cursor: not a cursor this list returned; follow nextCursor as given', [
    { path: ['query', 'cursor'], message: 'not a cursor this list returned' },
  ]);
}

/** Log positions and row sequences are SQLite integers: a cursor past the largest was never handed out. */
const sequencePositionMax = (1n << 63n) - 1n;

/** A cursor over a list ordered by a log position or row sequence: null unless the API could have handed it out. */
export function decodeSequenceCursor(kind: string, cursor: string): bigint | null {
  const position = decodeCursor(kind, cursor, /^\d{1,19}$/);
  if (position === null) return null;
  const sequence = BigInt(position);
  return sequence > sequencePositionMax ? null : sequence;
}

/**
 * CSV when the client prefers it to JSON (`Accept: text/csv`); JSON otherwise, also for `*\/*` and `text/csv;q=0`.
 * The answer then depends on the Accept header, which `Vary: Accept` says (RFC 9110 section 12.5.5), so that no cache
 * between the switch and a client hands the CSV it kept to a client that asked for JSON, or the other way round.
 */
export function wantsCsv(request: Request, response: Response): boolean {
  response.vary('Accept');
  return request.accepts(['application/json', 'text/csv']) === 'text/csv';
}

export function sendCsv(response: Response, csv: string, filename: string): void {
  response.type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="${filename}"`).send(csv);
}

/**
 * Refuses a currency the switch does not run, at `where.currency`: the settlement windows and a merchant's balance
 * answer it alike, since zeros in a currency nobody can be paid in would read as a merchant paid nothing in it.
 */
export function requireCarriedCurrency(carried: readonly string[], currency: string, where: 'body' | 'query' = 'body'): void {
  if (carried.includes(currency)) return;
  throw new HttpError('VALIDATION_FAILED', `${where}.currency: the switch settles ${carried.join(', ')} only`, [
    { path: [where, 'currency'], message: `one of ${carried.join(', ')}` },
  ]);
}
