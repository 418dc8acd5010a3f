import type { ErrorCodeTable } from '../errors';

/** Codes of merchant webhooks: publishing an event, reading a merchant's events, queueing one again. */
export const webhookErrors = {
  INVALID_WEBHOOK_EVENT: {
    status: 500,
    meaning:
      'The switch built a webhook event with an unknown type, a source id or merchant id out of shape, or an object too large (a defect in the switch).',
  },
  WEBHOOK_EVENT_NOT_FOUND: { status: 404, meaning: 'No webhook event has this id, or it belongs to a merchant the caller may not read.' },
} as const satisfies ErrorCodeTable;
