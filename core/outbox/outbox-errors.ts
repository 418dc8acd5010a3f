import type { ErrorCodeTable } from '../errors';

/** Codes of the outboxes that deliver callbacks, credits and reversals to participants, and of routing to them. */
export const outboxErrors = {
  CHANNEL_UNAVAILABLE: { status: 503, meaning: 'The switch runs no outbox for the channel the payee is reached by.' },
  OUTBOX_FULL: { status: 503, meaning: 'The outbox towards this destination holds as many pending deliveries as allowed; retry shortly.' },
  OUTBOX_STOPPED: { status: 503, meaning: 'The outbox is stopping with the switch and takes no more deliveries.' },
  OUTBOX_UNAVAILABLE: {
    status: 503,
    meaning: 'The outbox could not read its stream back after a failed write and takes no work until the switch restarts.',
  },
  // The switch builds and attempts every delivery itself, so these two are its own faults, never the client's.
  DELIVERY_CONFLICT: {
    status: 500,
    meaning: 'The switch queued a delivery with an id it had used for a different kind, destination or payload (a defect in the switch).',
  },
  DELIVERY_NOT_PENDING: {
    status: 500,
    meaning: 'The switch attempted a delivery that is not pending: not queued, or delivered or given up already (a defect in the switch).',
  },
  INVALID_DELIVERY: {
    status: 500,
    meaning: 'The switch built a delivery that breaks the outbox limits on kind, destination or payload (a defect in the switch).',
  },
} as const satisfies ErrorCodeTable;
