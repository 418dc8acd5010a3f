import { errorCatalogue, type ErrorCode } from '../../../api/http-error';
import { buildOpenApiDocument } from '../../../api/openapi';

type Answers = Record<string, { description?: string }>;

/** Every error code the document names, with the operation and the status it names it under. */
function namedCodes(): { where: string; status: string; code: string }[] {
  const document = buildOpenApiDocument() as { paths: Record<string, Record<string, { responses: Answers }>> };
  const named: { where: string; status: string; code: string }[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, answer] of Object.entries(operation.responses)) {
        // Codes are written in capitals with underscores; the descriptions hold no other such word.
        for (const code of (answer.description ?? '').match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g) ?? []) {
          named.push({ where: `${method.toUpperCase()} ${path}`, status, code });
        }
      }
    }
  }
  return named;
}

describe('the error codes the OpenAPI document names', () => {
  it('are codes of the catalogue, each under the status the catalogue gives it', () => {
    const named = namedCodes();
    expect(named.length).toBeGreaterThan(20);
    const wrong = named
      .filter(({ status, code }) => String(errorCatalogue[code as ErrorCode]?.status) !== status)
      .map(
        ({ where, status, code }) =>
          `${where} ${status}: ${code} (catalogue: ${errorCatalogue[code as ErrorCode]?.status ?? 'no such code'})`,
      );
    expect(wrong).toEqual([]);
  });
});
