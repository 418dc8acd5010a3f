import type { z } from 'zod';
import { DomainError, asFieldDetail, isDomainError, type DetailPath } from '../core/errors';
import { HttpError } from './http-error';

export type ValidationDetail = { path: (string | number)[]; message: string };

/**
 * Validates input with a zod schema; a failure is 400 VALIDATION_FAILED listing every problem with its path.
 * `where` prefixes paths ("body", "query", "path") so a client knows which part of its request is wrong.
 */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  where: 'body' | 'query' | 'path',
  /** Where `input` sits inside `where`, for a part validated on its own (e.g. ["endpoints"]). */
  pathPrefix: readonly string[] = [],
): z.output<Schema> {
  if (where === 'query') refuseRepeatedParameters(input);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details: ValidationDetail[] = result.error.issues.slice(0, 50).map((issue) => ({
    path: [where, ...pathPrefix, ...issue.path.map((part) => (typeof part === 'number' ? part : String(part)))],
    message: issue.message,
  }));
  const first = details[0];
  const summary = first ? `${first.path.join('.')}: ${first.message}` : 'the request is not valid';
  throw new HttpError('VALIDATION_FAILED', details.length > 1 ? `${summary} (and ${details.length - 1} more)` : summary, details);
}

/**
 * Runs a domain parse of one field's value (an amount) and reports its failure at that field's path, keeping the
 * domain's code (INVALID_AMOUNT, ...) so clients can tell the cases apart. A parse of a reference that names its
 * own fields (an alias, an account: its type and value) goes through refusalsAt instead, which keeps those fields.
 */
export function parseField<Result>(path: (string | number)[], parse: () => Result): Result {
  try {
    return parse();
  } catch (error) {
    if (!isDomainError(error)) throw error;
    throw refusedAtField(error, path);
  }
}

/** A domain refusal of one field's value, answered at that field's path with the domain's code. */
function refusedAtField(error: DomainError, path: (string | number)[]): HttpError {
  return new HttpError(error.code, `${path.join('.')}: ${error.message}`, [{ path, message: error.message }]);
}

/**
 * Runs a domain call on one part of the request (the body, a path's parameters, an item of a batch) and answers its
 * refusal at that part's place in the request: every detail path is prefixed with `prefix`, so that a client reads
 * it as it wrote its request (a payee's ['payee', 'value'] is ['body', 'payee', 'value']), as the validation errors
 * name their fields. Core names the fields of what it was given and knows nothing of requests; the code, and so the
 * status and any Retry-After, stay the domain's. A refusal that names no field passes as it is.
 */
export function refusalsAt<Result>(prefix: DetailPath, run: () => Result): Result {
  try {
    return run();
  } catch (error) {
    throw refusalAt(error, prefix);
  }
}

/** refusalsAt for a domain call that answers later. */
export async function refusalsAtAsync<Result>(prefix: DetailPath, run: () => Promise<Result>): Promise<Result> {
  try {
    return await run();
  } catch (error) {
    throw refusalAt(error, prefix);
  }
}

/**
 * Runs work that reads an amount inside a service (against a currency only the service knows, or to see what it
 * converts to) and reports the service's INVALID_AMOUNT at the amount's field, as parseField does; other errors
 * pass as they are.
 */
export async function amountRefusedAt<Result>(path: (string | number)[], work: () => Promise<Result>): Promise<Result> {
  try {
    return await work();
  } catch (error) {
    if (!isDomainError(error) || error.code !== 'INVALID_AMOUNT') throw error;
    throw refusedAtField(error, path);
  }
}

/**
 * The refusal with its field paths under `prefix` and, when it names one field, its message led by that field's
 * path as a validation error's is (`body.payee.value: a MSISDN alias is ...`); anything else unchanged.
 */
export function refusalAt(error: unknown, prefix: DetailPath): unknown {
  if (!isDomainError(error)) return error;
  const fieldPaths: DetailPath[] = [];
  const details = error.details.map((detail) => {
    const field = asFieldDetail(detail);
    if (field === null) return detail;
    const path = [...prefix, ...field.path];
    fieldPaths.push(path);
    // Every detail of a validation error carries its message; a domain detail that has none is given the refusal's.
    return { message: error.message, ...field, path };
  });
  const [only, ...others] = fieldPaths;
  if (only === undefined) return error;
  return new DomainError(error.code, others.length === 0 ? `${only.join('.')}: ${error.message}` : error.message, details);
}

/**
 * The query parser gives a parameter written twice (`?limit=1&limit=2`) as an array. No parameter of the API is a
 * list, so a repeat is refused here, once for every route, with the parameter's name rather than a type error.
 */
function refuseRepeatedParameters(query: unknown): void {
  if (typeof query !== 'object' || query === null) return;
  const repeated = Object.entries(query)
    .filter(([, value]) => Array.isArray(value))
    .map(([name]) => name);
  if (repeated.length === 0) return;
  const details: ValidationDetail[] = repeated.map((name) => ({ path: ['query', name], message: 'give this parameter once' }));
  throw new HttpError('VALIDATION_FAILED', `query.${repeated.join(', query.')}: give each query parameter once`, details);
}
