import { HttpError, type ErrorCode } from '../../api/http-error';
import { responseCodeForError } from '../../adapters/iso8583-switch/inbound-answers';
import { declaredOnce, type CodesDeclaredTwice } from '../../core/error-catalogue';
import { DomainError, type ErrorCodeTable } from '../../core/errors';

/**
 * What the compiler refuses (checked by `npm run typecheck`, which runs before jest): each `@ts-expect-error`
 * below fails the type check if the line after it ever compiles. The functions are never called.
 */

function refusedAtCompileTime(): void {
  // A code with a meaning and no status is not a catalogue entry.
  // @ts-expect-error status is missing
  const withoutStatus = { NEW_CODE: { meaning: 'A new code.' } } as const satisfies ErrorCodeTable;
  // A status outside the statuses the switch answers.
  // @ts-expect-error 418 is not an HttpStatus
  const oddStatus = { NEW_CODE: { status: 418, meaning: 'A new code.' } } as const satisfies ErrorCodeTable;
  // @ts-expect-error a code the catalogue does not hold cannot be thrown
  const uncatalogued = new DomainError('NOT_IN_THE_CATALOGUE', 'refused');
  // @ts-expect-error nor raised at the edge
  const uncataloguedAtEdge = new HttpError('NOT_IN_THE_CATALOGUE', 'refused');
  // @ts-expect-error the edge takes no status of its own: the code's status is the answer's
  const ownStatus = new HttpError(400, 'CURRENCY_NOT_SUPPORTED', 'refused');
  // Two modules declaring one code.
  // @ts-expect-error DUPLICATE is declared twice
  declaredOnce<CodesDeclaredTwice<{ first: { DUPLICATE: unknown }; second: { DUPLICATE: unknown } }>>(true);
  // @ts-expect-error the ISO 8583 answers are keyed by the domain's codes only
  const isoAnswer = responseCodeForError('ROUTE_NOT_FOUND' satisfies ErrorCode);
  void [withoutStatus, oddStatus, uncatalogued, uncataloguedAtEdge, ownStatus, isoAnswer];
}

describe('error catalogue types', () => {
  it('are checked by the type check (this file holds the expectations)', () => {
    declaredOnce<CodesDeclaredTwice<{ first: { ONE: unknown }; second: { TWO: unknown } }>>(true);
    expect(typeof refusedAtCompileTime).toBe('function');
  });
});
