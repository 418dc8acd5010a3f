import type { ErrorCodeTable } from '../errors';

/** Codes of the ledgers: which currencies the switch carries, and a ledger engine that cannot take work now. */
export const ledgerErrors = {
  CURRENCY_NOT_SUPPORTED: {
    status: 422,
    meaning: 'The switch runs no ledger for this currency, or the participant does not settle in it.',
  },
  LEDGER_NOT_STARTED: { status: 503, meaning: 'The ledger engine of this currency is still starting; retry shortly.' },
  LEDGER_UNAVAILABLE: {
    status: 503,
    meaning: 'The ledger engine of this currency could not rebuild its state and takes no work until the switch restarts.',
  },
  LEDGER_STOPPED: { status: 503, meaning: 'The ledger engine of this currency is stopping with the switch and takes no more work.' },
  LEDGER_WRITE_FAILED: {
    status: 503,
    meaning: 'The ledger could not write its batch to the event store, so nothing of the batch was applied.',
  },
  LEDGER_ALREADY_STARTED: {
    status: 500,
    meaning: 'The switch started a ledger engine twice (a defect in the switch, not in the request).',
  },
  INVALID_BATCH: { status: 500, meaning: 'The switch submitted something other than a list of ledger commands (a defect in the switch).' },
  BATCH_TOO_LARGE: {
    status: 500,
    meaning: 'The switch submitted more ledger commands at once than the engine takes (a defect in the switch).',
  },
} as const satisfies ErrorCodeTable;
