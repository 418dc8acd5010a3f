import { readFileSync } from 'node:fs';
import { errorCatalogue, errorTables, HttpError, statusOf, toErrorAnswer, type ErrorCode } from '../../api/http-error';
import { buildOpenApiDocument } from '../../api/openapi';
import { domainErrorTables, mergeErrorTables, type DomainErrorCode } from '../../core/error-catalogue';
import { DomainError } from '../../core/errors';
import {
  errorCodesEndMarker,
  errorCodesStartMarker,
  readmePath,
  renderErrorCodeTable,
  withErrorCodeTable,
} from '../../scripts/error-codes';

/** The error catalogue: one status per code everywhere, one sentence of meaning each, and a README that matches. */

describe('error catalogue', () => {
  const codes = Object.keys(errorCatalogue) as ErrorCode[];

  it('lists the README block exactly as the catalogue generates it (run `npm run docs:errors` after changing a code)', () => {
    const readme = readFileSync(readmePath, 'utf8');
    expect(withErrorCodeTable(readme, renderErrorCodeTable())).toBe(readme);
    expect(readme).toContain(errorCodesStartMarker);
    expect(readme).toContain(errorCodesEndMarker);
  });

  it('names every code in the README table with its status', () => {
    const table = renderErrorCodeTable();
    for (const code of codes) expect(table).toContain(`| \`${code}\` | ${statusOf(code)} |`);
  });

  it('spells every code in capitals and explains it in one sentence', () => {
    for (const code of codes) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      const { meaning } = errorCatalogue[code];
      expect({ code, oneSentence: /^[A-Z"`].*[^.]\.$/.test(meaning) && !/[.;?!] +[A-Z]/.test(meaning.replaceAll('e.g. ', '')) }).toEqual({
        code,
        oneSentence: true,
      });
      expect(meaning.length).toBeLessThanOrEqual(200);
    }
  });

  it('answers one status for a code on every path: CURRENCY_NOT_SUPPORTED is 422 as a domain error and at the edge', () => {
    const fromDomain = toErrorAnswer(new DomainError('CURRENCY_NOT_SUPPORTED', 'the switch does not carry EUR'));
    const fromEdge = toErrorAnswer(new HttpError('CURRENCY_NOT_SUPPORTED', 'the switch does not carry EUR'));
    expect(fromDomain?.status).toBe(422);
    expect(fromEdge?.status).toBe(422);
  });

  it('answers each domain code with its catalogued status, and a 503 with Retry-After', () => {
    for (const code of Object.values(domainErrorTables).flatMap((table) => Object.keys(table)) as DomainErrorCode[]) {
      const answer = toErrorAnswer(new DomainError(code, 'refused'));
      expect({ code, status: answer?.status }).toEqual({ code, status: errorCatalogue[code].status });
      expect(answer?.headers['Retry-After']).toBe(answer?.status === 503 ? '1' : undefined);
      expect(answer?.body).toEqual({ error: { code, message: 'refused', details: [] } });
    }
  });

  it('keeps the statuses clients rely on', () => {
    const expected: Partial<Record<ErrorCode, number>> = {
      VALIDATION_FAILED: 400,
      INVALID_AMOUNT: 400,
      UNKNOWN_CURRENCY: 400,
      UNAUTHENTICATED: 401,
      FORBIDDEN: 403,
      PARTICIPANT_INACTIVE: 403,
      ROUTE_NOT_FOUND: 404,
      PARTICIPANT_NOT_FOUND: 404,
      TRANSFER_NOT_FOUND: 404,
      WINDOW_NOT_FOUND: 404,
      IDEMPOTENCY_CONFLICT: 409,
      WINDOW_NOT_CLOSED: 409,
      TOO_MANY_UNSETTLED_WINDOWS: 409,
      PAYLOAD_TOO_LARGE: 413,
      UNSUPPORTED_MEDIA_TYPE: 415,
      INSUFFICIENT_LIQUIDITY: 422,
      PAYEE_IS_PAYER: 422,
      ACCOUNT_NOT_AT_PARTICIPANT: 422,
      INTERNAL: 500,
      OVERLOADED: 503,
      TRANSFER_IN_FLIGHT: 503,
      PROJECTION_WAIT_TIMEOUT: 503,
    };
    for (const [code, status] of Object.entries(expected)) expect({ code, status: statusOf(code as ErrorCode) }).toEqual({ code, status });
  });

  it('answers 500 for a code only the switch itself can cause (a 4xx would blame the client, and be stored for its retries)', () => {
    for (const code of [
      'DELIVERY_CONFLICT',
      'DELIVERY_NOT_PENDING',
      'INVALID_DELIVERY',
      'BATCH_TOO_LARGE',
      'LEDGER_ALREADY_STARTED',
    ] as const) {
      expect({ code, status: statusOf(code) }).toEqual({ code, status: 500 });
    }
  });

  it('lists every code, and only those, as the OpenAPI error code enum', () => {
    const document = buildOpenApiDocument() as {
      components: { schemas: { Error: { properties: { error: { properties: { code: { enum: string[] } } } } } } };
    };
    expect([...document.components.schemas.Error.properties.error.properties.code.enum].sort()).toEqual([...codes].sort());
  });

  it('refuses a code declared by two modules, naming it', () => {
    const twice = { ...errorTables, extra: { TRANSFER_EXISTS: { status: 409, meaning: 'Again.' } } } as const;
    expect(() => mergeErrorTables(twice)).toThrow('error code TRANSFER_EXISTS is declared twice (again in extra)');
  });

  it('refuses to rewrite a README without the marked block', () => {
    expect(() => withErrorCodeTable('# no block here\n', renderErrorCodeTable())).toThrow(errorCodesStartMarker);
  });
});
