import { assert } from '../assert';
import { abortReasons, type AbortReason } from '../transfers/transfer-events';

/**
 * Whether a declined transfer failed on a participant's or customer's side of the business, or because something
 * did not work. Regulators publish the two apart (issue 13, as NPCI does for UPI): a business decline is a refusal
 * the rules meant to give, a technical decline is a failure that the switch or a participant should fix.
 */
export const declineClasses = ['BUSINESS', 'TECHNICAL'] as const;
export type DeclineClass = (typeof declineClasses)[number];

/**
 * The one table that classifies every abort reason (core/transfers/transfer-events.ts is their source of truth).
 * A `Record` over `AbortReason` makes the compiler refuse a new reason that is missing here, and
 * test/unit/reports/decline-classes.test.ts checks the table at run time against the list of reasons as well.
 *
 * | reason                 | class     | why                                                                           |
 * | ---------------------- | --------- | ----------------------------------------------------------------------------- |
 * | NET_DEBIT_CAP_EXCEEDED | BUSINESS  | the payer's participant has used its cap: the rule worked as meant            |
 * | PAYEE_REJECTED         | BUSINESS  | the payee's provider answered no (unknown or closed account, its own limits)  |
 * | PAYEE_INACTIVE         | BUSINESS  | the payee's participant is suspended by the operator: a decision, not a fault |
 * | SESSION_NOT_PAYABLE    | BUSINESS  | the checkout session was already paid, expired or cancelled                   |
 * | PAYEE_TIMEOUT          | TECHNICAL | the payee did not answer in time                                              |
 * | PAYEE_UNAVAILABLE      | TECHNICAL | the payee could not be reached at all                                         |
 * | SWITCH_RESTARTED       | TECHNICAL | the switch restarted while it waited for the payee                            |
 * | PAYER_REVERSED         | TECHNICAL | the payer's bank gave up waiting: its 0420 follows its own timeout            |
 * | LEDGER_REFUSED         | TECHNICAL | the ledger was overloaded or full                                             |
 */
export const declineClassOfAbortReason: Readonly<Record<AbortReason, DeclineClass>> = {
  NET_DEBIT_CAP_EXCEEDED: 'BUSINESS',
  PAYEE_REJECTED: 'BUSINESS',
  PAYEE_INACTIVE: 'BUSINESS',
  SESSION_NOT_PAYABLE: 'BUSINESS',
  PAYEE_TIMEOUT: 'TECHNICAL',
  PAYEE_UNAVAILABLE: 'TECHNICAL',
  SWITCH_RESTARTED: 'TECHNICAL',
  PAYER_REVERSED: 'TECHNICAL',
  LEDGER_REFUSED: 'TECHNICAL',
};

/** The class of a recorded abort reason. Events are read as stored text, so an unknown reason is a broken invariant. */
export function declineClassOf(reason: string): DeclineClass {
  assert((abortReasons as readonly string[]).includes(reason), `"${reason}" is an abort reason of core/transfers/transfer-events.ts`);
  return declineClassOfAbortReason[reason as AbortReason];
}
