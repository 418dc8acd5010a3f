import type { ErrorCodeTable } from '../errors';

/** Codes of settlement: windows, their states, and the close schedule. */
export const settlementErrors = {
  WINDOW_NOT_FOUND: { status: 404, meaning: 'There is no settlement window with this id.' },
  NO_OPEN_WINDOW: { status: 409, meaning: 'No settlement window is open for this currency yet, so there is none to close.' },
  TOO_MANY_UNSETTLED_WINDOWS: {
    status: 409,
    meaning: 'So many closed windows of this currency await settlement that no more may close; settle them first.',
  },
  WINDOW_SEQUENCE_EXHAUSTED: { status: 409, meaning: 'This currency has used every settlement window number.' },
  WINDOW_NOT_CLOSED: { status: 409, meaning: 'The window is still open; close it before settling it.' },
  WINDOW_ALREADY_SETTLED: { status: 409, meaning: 'The window is settled already.' },
  INVALID_SETTLEMENT_SCHEDULE: {
    status: 500,
    meaning: 'The configured close schedule (cron, interval or time zone) is not valid; the switch refuses to start with it.',
  },
} as const satisfies ErrorCodeTable;
