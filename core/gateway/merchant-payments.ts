import { DomainError } from '../errors';
import { newId } from '../ids';
import type { NewEvent } from '../eventstore/event';
import type { CompanionAppend } from '../ledger/ledger-engine-contract';
import { parseAmount } from '../money';
import type { FeeLeg, MerchantPaymentAdmission, MerchantPaymentFields, MerchantPaymentPort } from '../transfers/merchant-payment-port';
import { positionAccountId } from '../participants/participant-accounts';
import { paymentFees, switchParticipantId } from './merchant-fees';
import type { TransferInitiated } from '../transfers/transfer-events';
import type { TransferRequest } from '../transfers/transfer-request';
import { sessionStatusAt } from './checkout-session-decider';
import type { CheckoutSessionEvent } from './checkout-session-events';
import { checkoutStreamName } from './checkout-session-profile';
import type { CheckoutService, LoadedSession } from './checkout-service';
import type { MerchantReader } from './merchant-reader';
import { BoundedMemory } from '../bounded-memory';

/** Sessions read by `check` and not yet taken by `admit`, at most: payments in flight at once are far fewer. */
const checkedSessionsMax = 1_000;

/**
 * The gateway's side of a payment to a merchant (issue 11), the collaborator the transfer service is given: the
 * session rules, the claim that lets exactly one of racing transfers pay a session, and the completion that rides
 * in the commit's durable write.
 */
export class MerchantPayments implements MerchantPaymentPort {
  /**
   * Sessions as `check` read them, for the admission that follows it moments later (`admit`), so that a payment
   * reads its session once: the claim is appended at the revision read, and a session that changed in between makes
   * that append fail and the admission read it afresh (submitAdmitted's retry). Each is taken once; bounded.
   */
  private readonly checkedSessions = new BoundedMemory<string, LoadedSession>(checkedSessionsMax);

  constructor(private readonly dependencies: { checkout: CheckoutService; merchants: MerchantReader; now: () => Date }) {}

  async check(request: TransferRequest): Promise<MerchantPaymentFields | null> {
    if (request.payee.type !== 'MERCHANT') {
      if (request.checkoutSessionId !== undefined) {
        throw new DomainError(
          'SESSION_MERCHANT_MISMATCH',
          'a checkout session is paid to its merchant: the payee must be {"type":"MERCHANT"}',
        );
      }
      return null;
    }
    const merchant = this.dependencies.merchants.findMerchant(request.payee.value);
    // A MERCHANT alias a participant registered by hand, with no merchant behind it, is paid like any alias.
    if (merchant === null) return null;
    if (!merchant.active) throw new DomainError('MERCHANT_INACTIVE', `merchant ${merchant.id} is deactivated and cannot be paid`);
    const amountMinor = parseAmount(request.amount, request.currency);
    const fees = paymentFees(amountMinor, merchant.fees);
    const fields: MerchantPaymentFields = {
      merchant: {
        id: merchant.id,
        settlementAccount: merchant.settlementAccount,
        interchangeMinor: fees.interchangeMinor.toString(),
        switchFeeMinor: fees.switchFeeMinor.toString(),
        mdrMinor: fees.mdrMinor.toString(),
      },
    };
    if (request.checkoutSessionId === undefined) return fields;
    const loaded = await this.dependencies.checkout.findLoaded(request.checkoutSessionId);
    if (loaded === null) throw new DomainError('SESSION_NOT_FOUND', `checkout session ${request.checkoutSessionId} does not exist`);
    const session = loaded.session;
    if (session.created.merchantId !== merchant.id) {
      throw new DomainError('SESSION_MERCHANT_MISMATCH', `checkout session ${request.checkoutSessionId} belongs to another merchant`);
    }
    if (session.created.currency !== request.currency || BigInt(session.created.amountMinor) !== amountMinor) {
      throw new DomainError(
        'SESSION_AMOUNT_MISMATCH',
        `checkout session ${request.checkoutSessionId} is for a different amount or currency than this transfer`,
      );
    }
    if (loaded.revision !== null) {
      this.checkedSessions.remember(session.created.sessionId, loaded);
    }
    return { ...fields, checkoutSessionId: session.created.sessionId };
  }

  async admit(initiated: TransferInitiated['data']): Promise<MerchantPaymentAdmission> {
    const sessionId = initiated.checkoutSessionId;
    if (sessionId === undefined) return { payable: true, claim: null };
    const checked = this.checkedSessions.get(sessionId);
    this.checkedSessions.forget(sessionId);
    const loaded =
      checked === undefined || checked.revision === null
        ? await this.dependencies.checkout.load(sessionId)
        : { session: checked.session, revision: checked.revision };
    const now = this.dependencies.now();
    const session = loaded.session;
    const status = sessionStatusAt(session, now);
    if (status !== 'OPEN') return { payable: false, detail: `the checkout session is ${status}` };
    if (session.payment !== null && session.payment.transferId !== initiated.transferId) {
      const other = await this.dependencies.checkout.paymentState(session.payment.transferId);
      if (other !== 'aborted') return { payable: false, detail: 'another transfer is paying the checkout session' };
    }
    const claim: CompanionAppend = {
      stream: checkoutStreamName(sessionId),
      expectedRevision: loaded.revision,
      placement: 'before_ledger',
      // Written when the reservation (the first command) is accepted; a refused payment claims nothing.
      acceptedWhen: ['ok', 'exists'],
      accepted: stamp(
        { type: 'SessionPaymentStarted', data: { sessionId, transferId: initiated.transferId, at: now.toISOString() } },
        initiated.transferId,
        now,
      ),
      refused: [],
    };
    return { payable: true, claim };
  }

  /** Interchange to the payer's participant and the switch fee to the switch, both paid by the acquirer (the payee). */
  feeLegs(initiated: TransferInitiated['data']): FeeLeg[] {
    const merchant = initiated.merchant;
    if (merchant === undefined) return [];
    const acquirer = positionAccountId(initiated.payeeParticipant);
    const legs: FeeLeg[] = [];
    const interchangeMinor = BigInt(merchant.interchangeMinor ?? '0');
    const switchFeeMinor = BigInt(merchant.switchFeeMinor ?? '0');
    if (interchangeMinor > 0n) {
      legs.push({
        id: `${initiated.transferId}:interchange`,
        debitAccountId: acquirer,
        creditAccountId: positionAccountId(initiated.payerParticipant),
        amountMinor: interchangeMinor,
        kind: 'INTERCHANGE',
      });
    }
    if (switchFeeMinor > 0n) {
      legs.push({
        id: `${initiated.transferId}:switch-fee`,
        debitAccountId: acquirer,
        creditAccountId: positionAccountId(switchParticipantId),
        amountMinor: switchFeeMinor,
        kind: 'SWITCH_FEE',
      });
    }
    return legs;
  }

  completion(initiated: TransferInitiated['data'], postIndex: number): CompanionAppend | null {
    const sessionId = initiated.checkoutSessionId;
    if (sessionId === undefined) return null;
    const now = this.dependencies.now();
    return {
      stream: checkoutStreamName(sessionId),
      // The claim made this transfer the only one that can complete the session; other writers (a provider's
      // decline, the expiry sweeper within its window) add nothing that a completion contradicts.
      expectedRevision: 'any',
      placement: 'after_ledger',
      // Written when the post (the command at postIndex) is accepted: the session completes with the money.
      resultIndex: postIndex,
      acceptedWhen: ['ok', 'exists'],
      accepted: stamp(
        { type: 'SessionCompleted', data: { sessionId, transferId: initiated.transferId, at: now.toISOString() } },
        initiated.transferId,
        now,
      ),
      refused: [],
    };
  }
}

function stamp(event: CheckoutSessionEvent, transferId: string, now: Date): NewEvent[] {
  return [
    {
      id: newId(),
      type: event.type,
      data: event.data,
      metadata: { actor: 'switch:transfers', correlationId: transferId, at: now.toISOString() },
    },
  ];
}
