/**
 * An operating error the domain reports to its caller: a stable machine-readable code and a sentence
 * a person can act on. The edge (api/, adapters/) maps codes to statuses and response codes.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly details: readonly unknown[];

  constructor(code: string, message: string, details: readonly unknown[] = []) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
