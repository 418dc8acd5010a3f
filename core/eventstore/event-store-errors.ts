import { DomainError, type ErrorCodeTable } from '../errors';

/** Codes of the event store and the projection runner that keeps the read models behind it. */
export const eventStoreErrors = {
  CONCURRENT_UPDATE: {
    status: 409,
    meaning: 'Other writers kept changing the same record while this request was decided; nothing was written, so retry it.',
  },
  EVENT_STORE_OVERLOADED: { status: 503, meaning: 'The event store has as many appends waiting for a commit as it holds; retry shortly.' },
  STORE_UNAVAILABLE: {
    status: 503,
    meaning:
      'The event store cannot be reached (its primary is gone or failing over); nothing was acknowledged, so retry the same request, with the same ids, shortly.',
  },
  NOT_WRITER: {
    status: 503,
    meaning: 'This switch process is a standby (or was fenced off by another writer) and appends nothing; send writes to the writer.',
  },
  PROJECTION_WAIT_TIMEOUT: {
    status: 503,
    meaning: 'The write is durable, but the read model did not catch up with it in time; read it again shortly.',
  },
  PROJECTION_WAITERS_FULL: { status: 503, meaning: 'Too many requests are waiting for the read model at once; retry shortly.' },
  PROJECTION_RUNNER_FAILED: {
    status: 503,
    meaning: 'A projection or the read-model store failed, so the read models stopped advancing until the switch restarts.',
  },
  PROJECTION_RUNNER_STOPPED: {
    status: 503,
    meaning: 'The projection runner is stopping with the switch (or never started), so the read models will not advance.',
  },
  UNKNOWN_PROJECTION: { status: 500, meaning: 'A rebuild or a wait named a projection the runner does not run (a defect in the caller).' },
  PROJECTION_INVALID_ARGUMENT: {
    status: 500,
    meaning: 'A projection runner argument is outside its limits, such as a negative timeout (a defect in the caller).',
  },
} as const satisfies ErrorCodeTable;

export type EventStoreErrorCode = keyof typeof eventStoreErrors;

/**
 * A store that is failing over (STORE_UNAVAILABLE) or has fenced this process off (NOT_WRITER) says so itself:
 * callers pass that answer on to the client instead of wrapping it in their own failure.
 */
export function isStoreRefusal(error: unknown): error is DomainError {
  return error instanceof DomainError && (error.code === 'STORE_UNAVAILABLE' || error.code === 'NOT_WRITER');
}
