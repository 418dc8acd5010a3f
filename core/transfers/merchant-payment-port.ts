import type { CompanionAppend } from '../ledger/ledger-engine-contract';
import type { TransferRequest } from './transfer-request';
import type { TransferInitiated } from './transfer-events';

/** What a payment to a merchant adds to its transfer's record: the merchant, and the checkout session it pays. */
export type MerchantPaymentFields = Pick<TransferInitiated['data'], 'merchant' | 'checkoutSessionId'>;

/**
 * A P2M transfer's session at the moment of reserving: either it may be paid, with the companion that claims it
 * in the reservation's durable write (so that of transfers racing for one session exactly one reserves it), or not
 * (paid, expired, cancelled, being paid), and the transfer is recorded ABORTED with SESSION_NOT_PAYABLE.
 */
export type MerchantPaymentAdmission = { payable: true; claim: CompanionAppend | null } | { payable: false; detail: string };

/**
 * The gateway's part in a payment to a merchant (core/gateway/merchant-payments.ts), kept out of the transfer
 * service's own logic: it checks the request against the checkout session before anything is recorded (throwing
 * SESSION_AMOUNT_MISMATCH or SESSION_MERCHANT_MISMATCH), admits or refuses the session at reservation, and rides
 * the session's completion in the commit's durable write.
 */
/** A fee the acquirer pays out of a payment to a merchant: a FEE leg linked with the payment's post. */
export type FeeLeg = {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amountMinor: bigint;
  kind: 'INTERCHANGE' | 'SWITCH_FEE';
};

export interface MerchantPaymentPort {
  /** The fee legs posted with the payment, all or nothing ([]: none). */
  feeLegs(initiated: TransferInitiated['data']): FeeLeg[];
  /** Null for a transfer that is not to a merchant; throws a DomainError for a request that must record nothing. */
  check(request: TransferRequest): Promise<MerchantPaymentFields | null>;
  admit(initiated: TransferInitiated['data']): Promise<MerchantPaymentAdmission>;
  /**
   * The companion that completes the session in the durable write that posts the payment (null: no session);
   * `postIndex` is the post's place among that write's commands.
   */
  completion(initiated: TransferInitiated['data'], postIndex: number): CompanionAppend | null;
}
