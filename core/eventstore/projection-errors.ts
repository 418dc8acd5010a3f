import { DomainError } from '../errors';

export type ProjectionErrorCode =
  /** waitForPosition gave up: the read model has not reached the position in the time allowed. */
  | 'PROJECTION_WAIT_TIMEOUT'
  /** rebuild (or a wait) named a projection the runner does not run. */
  | 'UNKNOWN_PROJECTION'
  /** A projection or the read-model store failed; the runner stopped and applies nothing more. */
  | 'PROJECTION_RUNNER_FAILED'
  /** The runner was stopped (or never started) while the caller waited for it. */
  | 'PROJECTION_RUNNER_STOPPED'
  /** Too many callers are waiting for positions at once. */
  | 'PROJECTION_WAITERS_FULL'
  /** An argument is outside its limits (a negative timeout, a batch size of 0, ...). */
  | 'PROJECTION_INVALID_ARGUMENT';

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
