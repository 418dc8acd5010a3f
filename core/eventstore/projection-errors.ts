import { DomainError } from '../errors';
import type { EventStoreErrorCode } from './event-store-errors';

/** The projection runner's codes: the event store module's codes about projections (event-store-errors.ts). */
export type ProjectionErrorCode = Extract<EventStoreErrorCode, `PROJECTION_${string}` | 'UNKNOWN_PROJECTION'>;

/**
 * An operating error of the projection runner. It is a DomainError so that the edge maps it like any other:
 * a wait timeout is the read model lagging behind the log (retryable), not a client mistake.
 */
export class ProjectionError extends DomainError {
  declare readonly code: ProjectionErrorCode;

  /** The failure underneath, for logs: a projection's own error or the read-model store's. */
  override readonly cause: unknown;

  constructor(code: ProjectionErrorCode, message: string, details: readonly unknown[] = [], cause?: unknown) {
    super(code, message, details);
    this.name = 'ProjectionError';
    this.cause = cause;
  }
}

export function isProjectionError(error: unknown, code?: ProjectionErrorCode): error is ProjectionError {
  return error instanceof ProjectionError && (code === undefined || error.code === code);
}
