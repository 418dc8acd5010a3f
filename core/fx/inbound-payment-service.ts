import { assert } from '../assert';
import { DomainError } from '../errors';
import { handleStreamCommand, loadStream, type CommandContext } from '../eventstore/decider-stream';
import type { EventStore } from '../eventstore/event-store';
import type { MerchantReader } from '../gateway/merchant-reader';
import { formatAmount } from '../money';
import { isTaxNumber } from '../gateway/merchant-tax-number';
import type { LedgerCommand } from '../ledger/commands';
import type { LedgerEngine } from '../ledger/ledger-engine';
import type { LedgerResultCode } from '../ledger/result-codes';
import { KeyedSerializer } from '../participants/keyed-serializer';
import { positionAccountId } from '../participants/participant-accounts';
import type { ParticipantReader, ParticipantRecord } from '../participants/participant-reader';
import type { WebhookPublisher } from '../webhooks/webhook-publisher';
import { convertHalfEven, splitRetained } from './fx-conversion';
import { fxQuoteDecider, fxQuoteStreamName } from './fx-quote-decider';
import { inboundTargetCurrency, requireInboundPsp, type FxService } from './fx-service';
import {
  conflict,
  inboundPaymentDecider,
  inboundPaymentStreamName,
  sameRequest,
  type InboundPaymentFound,
  type InboundPaymentRecord,
  type InboundPaymentRequest,
  type InboundPaymentState,
} from './inbound-payment-decider';
import { inboundPaymentSummary } from './inbound-payment-summary';
import { homeCountry } from './payer-country';
import { purposeCode } from './purpose-codes';

export type InboundPaymentServiceDependencies = {
  store: EventStore;
  ledgers: (currency: string) => LedgerEngine | undefined;
  participants: ParticipantReader;
  merchants: MerchantReader;
  fx: FxService;
  publisher: Pick<WebhookPublisher, 'publish'>;
  enabledCurrencies: readonly string[];
};

/**
 * How long the legs stay reserved between the reservation and the post: long enough for the two appends in between
 * under any load the switch admits, short enough that a crash in between frees the money soon.
 */
export const inboundReservationTimeoutMs = 5 * 60 * 1000;

/** What a payment request is answered with: the payment once final, and whether it was a replay of one recorded before. */
export type InboundPaymentAnswer = { payment: InboundPaymentFound; position: bigint | null; replayed: boolean };

/** The most dealers a payment without a quote tries, best rate first, before it is refused. */
export const inboundDealerAttemptsMax = 5;

type Conversion = { rate: string; providerId: string };

type CheckedParties = {
  psp: ParticipantRecord;
  acquirer: ParticipantRecord;
  merchantName: string;
  merchantCity: string;
  merchantTaxNumber: string | null;
  retentionShare: string;
};

/** A leg a ledger refused to reserve, and its answer. */
type LegFailure = { leg: Leg | undefined; result: LedgerResultCode | undefined };
type DealerRefusal = LegFailure & { providerId: string };

/** One leg of a conversion: which ledger, which accounts, how much (minor units of that ledger's currency). */
type Leg = {
  role: 'retained' | 'foreign' | 'rupees';
  currency: string;
  debitAccountId: string;
  creditAccountId: string;
  amountMinor: bigint;
};

/**
 * In-bound foreign-currency payments (issue 17). A payment is three legs in two ledgers: in the foreign ledger the
 * PSP pays the acquirer the retained share and the FX provider the rest; in the rupee ledger the provider pays the
 * acquirer the converted rupees. No engine can apply a chain across two ledgers, so the legs are first reserved
 * (pending, the foreign ones as one linked chain), then the payment is recorded, then every leg is posted: a leg
 * that cannot be reserved voids the others and nothing is recorded; a recorded payment is answered only once every
 * leg is posted. A retry of the same payment re-posts its legs (idempotent by transfer id) and answers as before.
 */
export class InboundPaymentService {
  private readonly serializer = new KeyedSerializer();

  constructor(private readonly dependencies: InboundPaymentServiceDependencies) {}

  pay(request: InboundPaymentRequest, context: CommandContext): Promise<InboundPaymentAnswer> {
    // One attempt per payment at a time, and one per quote: two payments must not both pass the quote's check.
    return this.serializer.run(`payment:${request.paymentId}`, () =>
      this.serializer.run(`quote:${request.quoteId ?? request.paymentId}`, () => this.payOnce(request, context)),
    );
  }

  /** The payment as recorded and how far it got, or null when there is none. */
  async find(paymentId: string): Promise<InboundPaymentFound | null> {
    const { state } = await loadStream(this.dependencies.store, inboundPaymentStreamName(paymentId), inboundPaymentDecider);
    return state.status === 'absent' ? null : state;
  }

  /**
   * Finishes a payment that was recorded and not yet posted, exactly as the request that recorded it would have:
   * the start-up and periodic sweep call this for payments a crash left in between, so each becomes COMPLETED (and
   * its merchant is told) or FAILED without the PSP having to retry. A payment already final is left as it is.
   */
  finishRecorded(paymentId: string, context: CommandContext): Promise<InboundPaymentFound | null> {
    return this.serializer.run(`payment:${paymentId}`, async () => {
      const found = await this.find(paymentId);
      if (found === null || found.status !== 'recorded') return found;
      return (await this.finish(found.payment, context)).state;
    });
  }

  private async payOnce(request: InboundPaymentRequest, context: CommandContext): Promise<InboundPaymentAnswer> {
    const existing = await this.find(request.paymentId);
    if (existing !== null) {
      if (!sameRequest(existing.payment, request)) throw conflict(request.paymentId);
      const final = existing.status === 'recorded' ? (await this.finish(existing.payment, context)).state : existing;
      return answerOf(final, null, true);
    }
    const parties = this.checkParties(request);
    const refused: DealerRefusal[] = [];
    for (const conversion of await this.conversions(request, context)) {
      refuseInactive([parties.acquirer, participants(this.dependencies, conversion.providerId)]);
      const payment = paymentRecord(request, parties, conversion, context);
      const legs = legsOf(payment);
      payment.transferIds = legs.map((leg) => legTransferId(payment.paymentId, leg.role));
      const failure = await this.reserveLegs(legs, payment.paymentId);
      if (failure === null) return this.recordAndFinish(request, payment, legs, context);
      refused.push({ ...failure, providerId: conversion.providerId });
      // Only the dealer's own rupee leg can go better with another dealer; and since it is reserved first, a refusal
      // there has reserved nothing, so the next dealer's legs take the same transfer ids.
      if (failure.leg?.role !== 'rupees' || failure.result === 'overloaded') break;
    }
    throw refusal(refused);
  }

  private async recordAndFinish(
    request: InboundPaymentRequest,
    payment: InboundPaymentRecord,
    legs: readonly Leg[],
    context: CommandContext,
  ): Promise<InboundPaymentAnswer> {
    try {
      if (request.quoteId !== null) await this.useQuote(request, context);
      await handleStreamCommand(
        this.dependencies.store,
        inboundPaymentStreamName(payment.paymentId),
        inboundPaymentDecider,
        { type: 'RecordInboundPayment', data: payment },
        context,
      );
    } catch (error) {
      await this.voidLegs(legs, payment.paymentId);
      throw error;
    }
    // From here the payment is decided: a crash before finish() completes is finished by the sweep the same way.
    const { state, position } = await this.finish(payment, context);
    return answerOf(state, position, false);
  }

  /**
   * Posts every leg of a recorded payment, tells the merchant, and marks it posted; when a ledger's reservations
   * ran out first (the switch was down past their timeout), releases what is still reserved, reverses what was
   * posted, and marks it failed. The webhook is published before the Posted mark, so a crash in between publishes
   * again on the sweep, which the publisher recognises as the same event: the merchant hears of it exactly once.
   */
  private async finish(
    payment: InboundPaymentRecord,
    context: CommandContext,
  ): Promise<{ state: InboundPaymentFound; position: bigint | null }> {
    const { posted, released } = await this.postOrRelease(legsOf(payment), payment.paymentId);
    const stream = inboundPaymentStreamName(payment.paymentId);
    const { store, publisher } = this.dependencies;
    if (released.length === 0) {
      await publisher.publish({
        merchantId: payment.merchantId,
        type: 'inbound_payment.completed',
        object: inboundPaymentSummary({ status: 'posted', payment, postedAt: payment.completedAt }),
        sourceId: payment.paymentId,
        createdAt: new Date(payment.completedAt),
      });
      const marked = await handleStreamCommand(
        store,
        stream,
        inboundPaymentDecider,
        { type: 'MarkInboundPaymentPosted', data: { paymentId: payment.paymentId, postedAt: context.now.toISOString() } },
        context,
      );
      return { state: finalState(marked.state), position: marked.position };
    }
    const reversedTransferIds = await this.reverseLegs(posted, payment.paymentId);
    const marked = await handleStreamCommand(
      store,
      stream,
      inboundPaymentDecider,
      {
        type: 'MarkInboundPaymentFailed',
        data: { paymentId: payment.paymentId, reason: 'RESERVATION_EXPIRED', reversedTransferIds, failedAt: context.now.toISOString() },
      },
      context,
    );
    return { state: finalState(marked.state), position: marked.position };
  }

  /** Everything that refuses a payment before any money is touched; nothing is recorded when one of these throws. */
  private checkParties(request: InboundPaymentRequest): CheckedParties {
    const { participants, merchants, enabledCurrencies } = this.dependencies;
    const psp = requireInboundPsp(participants.findParticipant(request.pspId), request.pspId);
    if (!enabledCurrencies.includes(request.currency) || request.currency === inboundTargetCurrency) {
      throw new DomainError(
        'CURRENCY_NOT_SUPPORTED',
        `in-bound payments are taken in the enabled foreign currencies, not ${request.currency.slice(0, 8)}`,
      );
    }
    if (request.payer.country === homeCountry) {
      throw new DomainError('PAYER_NOT_ABROAD', `payer.country: an in-bound payment's payer is abroad, not in ${homeCountry}`);
    }
    const catalogued = purposeCode(request.purposeCode);
    if (catalogued === undefined)
      throw new DomainError('PURPOSE_CODE_UNKNOWN', `purpose code ${request.purposeCode.slice(0, 8)} is not in the SBP catalogue`);
    const merchant = merchants.findMerchant(request.merchantId);
    if (merchant === null) throw new DomainError('MERCHANT_NOT_FOUND', `merchant ${request.merchantId} does not exist`);
    if (merchant.inbound === null || !merchant.inbound.enabled) {
      throw new DomainError('MERCHANT_NOT_INBOUND', `merchant ${merchant.id} is not enabled for in-bound payments`);
    }
    if (!merchant.inbound.purposeCodes.includes(catalogued.code)) {
      throw new DomainError('PURPOSE_CODE_NOT_ALLOWED', `merchant ${merchant.id} is not enabled for purpose code ${catalogued.code}`);
    }
    if (!merchant.active) throw new DomainError('MERCHANT_INACTIVE', `merchant ${merchant.id} is inactive`);
    const acquirer = participants.findParticipant(merchant.acquirerId);
    assert(acquirer !== null, 'a merchant is onboarded under an existing acquirer');
    return {
      psp,
      acquirer,
      merchantName: merchant.name,
      merchantCity: merchant.city,
      // A CNIC erased since it was set reads `[erased]`: the payment then records no tax number, not that text.
      merchantTaxNumber: merchant.taxNumber !== null && isTaxNumber(merchant.taxNumber) ? merchant.taxNumber : null,
      retentionShare: merchant.inbound.retentionShare,
    };
  }

  /**
   * The quote's locked rate (checked: not used by another payment, for this amount, not expired), or without a quote
   * the live rates now, best first: the payment takes the first dealer whose legs can post.
   */
  private async conversions(request: InboundPaymentRequest, context: CommandContext): Promise<Conversion[]> {
    if (request.quoteId === null) {
      const rates = await this.dependencies.fx.liveRates(request.currency, inboundTargetCurrency, inboundDealerAttemptsMax);
      return rates.map((rate) => ({ rate: rate.rate, providerId: rate.providerId }));
    }
    const { state } = await loadStream(this.dependencies.store, fxQuoteStreamName(request.quoteId), fxQuoteDecider);
    // Deciding without appending: the refusals (expired, used, mismatch) surface here, before any leg is reserved.
    fxQuoteDecider.decide({ type: 'UseQuote', data: this.useData(request), now: context.now }, state);
    assert(state.status === 'given', 'a quote that passed its checks was given');
    return [{ rate: state.quote.rate, providerId: state.quote.providerId }];
  }

  private async useQuote(request: InboundPaymentRequest, context: CommandContext): Promise<void> {
    assert(request.quoteId !== null, 'only a payment with a quote uses one');
    await handleStreamCommand(
      this.dependencies.store,
      fxQuoteStreamName(request.quoteId),
      fxQuoteDecider,
      { type: 'UseQuote', data: this.useData(request), now: context.now },
      context,
    );
  }

  private useData(request: InboundPaymentRequest): {
    quoteId: string;
    pspId: string;
    paymentId: string;
    from: string;
    to: string;
    fromAmountMinor: bigint;
  } {
    assert(request.quoteId !== null, 'only a payment with a quote uses one');
    return {
      quoteId: request.quoteId,
      pspId: request.pspId,
      paymentId: request.paymentId,
      from: request.currency,
      to: inboundTargetCurrency,
      fromAmountMinor: BigInt(request.amountMinor),
    };
  }

  /**
   * Reserves every leg, each ledger's legs as one linked chain, the rupee leg first; a refusal voids what was
   * reserved and says which leg was refused and why (null: all reserved).
   */
  private async reserveLegs(legs: readonly Leg[], paymentId: string): Promise<LegFailure | null> {
    const reserved: Leg[] = [];
    for (const [currency, ledgerLegs] of byCurrency(rupeesFirst(legs))) {
      const commands = ledgerLegs.map((leg, index): LedgerCommand => ({
        type: 'pending_transfer',
        id: legTransferId(paymentId, leg.role),
        ledger: currency as LedgerEngine['ledger'],
        debitAccountId: leg.debitAccountId,
        creditAccountId: leg.creditAccountId,
        amountMinor: leg.amountMinor,
        code: 'INBOUND',
        timeoutMs: inboundReservationTimeoutMs,
        userData: { inboundPaymentId: paymentId, leg: leg.role },
        linked: index < ledgerLegs.length - 1,
      }));
      const { results } = await this.ledger(currency).submit(commands);
      const failedIndex = results.findIndex((result) => result !== 'ok' && result !== 'exists');
      if (failedIndex >= 0) {
        await this.voidLegs(reserved, paymentId);
        const failed =
          results.find((result) => result !== 'ok' && result !== 'exists' && result !== 'linked_event_failed') ?? results[failedIndex];
        const leg = ledgerLegs[results.indexOf(failed as LedgerResultCode)] ?? ledgerLegs[failedIndex];
        return { leg, result: failed };
      }
      reserved.push(...ledgerLegs);
    }
    return null;
  }

  private async voidLegs(legs: readonly Leg[], paymentId: string): Promise<void> {
    for (const [currency, ledgerLegs] of byCurrency(legs)) {
      await this.ledger(currency).submit(
        ledgerLegs.map((leg): LedgerCommand => ({
          type: 'void_pending',
          id: `${legTransferId(paymentId, leg.role)}:void`,
          pendingId: legTransferId(paymentId, leg.role),
        })),
      );
    }
  }

  /**
   * Posts each ledger's legs (one linked chain per ledger) until a ledger answers that its reservations ran out;
   * from then on it voids the remaining ledgers' legs instead, so no ledger posts after another lapsed. Says which
   * legs ended posted (some may have been posted before a crash) and which ended released.
   */
  private async postOrRelease(legs: readonly Leg[], paymentId: string): Promise<{ posted: Leg[]; released: Leg[] }> {
    const posted: Leg[] = [];
    const released: Leg[] = [];
    for (const [currency, ledgerLegs] of byCurrency(legs)) {
      const action = released.length === 0 ? 'post' : 'void';
      const { results } = await this.ledger(currency).submit(
        ledgerLegs.map((leg, index): LedgerCommand => {
          const pendingId = legTransferId(paymentId, leg.role);
          const linked = index < ledgerLegs.length - 1;
          return action === 'post'
            ? { type: 'post_pending', id: `${pendingId}:post`, pendingId, linked }
            : { type: 'void_pending', id: `${pendingId}:void`, pendingId, linked };
        }),
      );
      if (results.includes('overloaded'))
        throw new DomainError('OVERLOADED', `the ${currency} ledger is busy; retry the payment with the same id`);
      const outcome = legOutcome(action, results);
      if (outcome === null) {
        throw new Error(`in-bound payment ${paymentId}: its ${currency} legs answered ${results.join(', ')} to a ${action}`);
      }
      (outcome === 'posted' ? posted : released).push(...ledgerLegs);
    }
    return { posted, released };
  }

  /** Moves posted legs back with REVERSAL transfers, which no limit refuses: money that moved can always move back. */
  private async reverseLegs(legs: readonly Leg[], paymentId: string): Promise<string[]> {
    const reversedTransferIds: string[] = [];
    for (const [currency, ledgerLegs] of byCurrency(legs)) {
      const commands = ledgerLegs.map((leg, index): LedgerCommand => ({
        type: 'transfer',
        id: `${legTransferId(paymentId, leg.role)}:reversal`,
        ledger: currency as LedgerEngine['ledger'],
        debitAccountId: leg.creditAccountId,
        creditAccountId: leg.debitAccountId,
        amountMinor: leg.amountMinor,
        code: 'REVERSAL',
        userData: { inboundPaymentId: paymentId, leg: leg.role },
        linked: index < ledgerLegs.length - 1,
      }));
      const { results } = await this.ledger(currency).submit(commands);
      if (!results.every((result) => result === 'ok' || result === 'exists')) {
        throw new Error(`in-bound payment ${paymentId}: its ${currency} legs could not be reversed: ${results.join(', ')}`);
      }
      reversedTransferIds.push(...commands.map((command) => (command.type === 'transfer' ? command.id : '')));
    }
    return reversedTransferIds;
  }

  private ledger(currency: string): LedgerEngine {
    const engine = this.dependencies.ledgers(currency);
    if (engine === undefined) throw new DomainError('CURRENCY_NOT_SUPPORTED', `the switch runs no ledger for ${currency.slice(0, 8)}`);
    return engine;
  }
}

/** The results of one ledger's post or void chain, as an outcome for its legs; null for anything a recorded payment cannot meet. */
function legOutcome(action: 'post' | 'void', results: readonly LedgerResultCode[]): 'posted' | 'released' | null {
  const lapsed: readonly LedgerResultCode[] = ['pending_expired', 'pending_already_voided', 'linked_event_failed'];
  const postedResults: readonly LedgerResultCode[] =
    action === 'post' ? ['ok', 'exists', 'pending_already_posted'] : ['pending_already_posted'];
  const releasedResults: readonly LedgerResultCode[] = action === 'post' ? lapsed : ['ok', 'exists', ...lapsed];
  if (results.every((result) => postedResults.includes(result))) return 'posted';
  // A linked chain refused as a whole answers linked_event_failed for every leg but the one that lapsed.
  if (results.every((result) => releasedResults.includes(result)) && results.some((result) => result !== 'linked_event_failed'))
    return 'released';
  return null;
}

/** A state just marked posted or failed. */
function finalState(state: InboundPaymentState): InboundPaymentFound {
  assert(state.status === 'posted' || state.status === 'failed', 'a finished payment is posted or failed');
  return state;
}

/** A final payment as the PSP's answer: a failed one is refused, saying why (the id stays used, as for a transfer). */
function answerOf(state: InboundPaymentFound, position: bigint | null, replayed: boolean): InboundPaymentAnswer {
  assert(state.status !== 'recorded', 'a payment is answered once it is final');
  if (state.status === 'failed') {
    throw new DomainError(
      'INBOUND_PAYMENT_FAILED',
      `in-bound payment ${state.payment.paymentId} was recorded but its reservations ran out before its legs could post: nothing stays moved`,
      [{ reason: state.reason, failedAt: state.failedAt }],
    );
  }
  return { payment: state, position, replayed };
}

/** The legs of a payment, in the order they are reserved: the foreign ledger's, then the rupees. Zero legs are left out. */
function legsOf(payment: InboundPaymentRecord): Leg[] {
  const legs: Leg[] = [
    {
      role: 'retained',
      currency: payment.currency,
      debitAccountId: positionAccountId(payment.pspId),
      creditAccountId: positionAccountId(payment.acquirerId),
      amountMinor: BigInt(payment.retainedMinor),
    },
    {
      role: 'foreign',
      currency: payment.currency,
      debitAccountId: positionAccountId(payment.pspId),
      creditAccountId: positionAccountId(payment.providerId),
      amountMinor: BigInt(payment.convertedFromMinor),
    },
    {
      role: 'rupees',
      currency: payment.toCurrency,
      debitAccountId: positionAccountId(payment.providerId),
      creditAccountId: positionAccountId(payment.acquirerId),
      amountMinor: BigInt(payment.convertedToMinor),
    },
  ];
  return legs.filter((leg) => leg.amountMinor > 0n);
}

function participants(dependencies: InboundPaymentServiceDependencies, participantId: string): ParticipantRecord | null {
  return dependencies.participants.findParticipant(participantId);
}

/** A suspended acquirer or provider cannot take part: refused like a leg that cannot post, before any is reserved. */
function refuseInactive(parties: readonly (ParticipantRecord | null)[]): void {
  for (const party of parties) {
    if (party === null || !party.active) {
      throw new DomainError('INBOUND_PAYMENT_REFUSED', `participant ${party?.id ?? 'unknown'} is inactive: nothing was posted`, [
        { leg: null, currency: null, reason: 'participant_inactive' },
      ]);
    }
  }
}

export function legTransferId(paymentId: string, role: Leg['role']): string {
  return `inbound:${paymentId}:${role}`;
}

function byCurrency(legs: readonly Leg[]): Map<string, Leg[]> {
  const grouped = new Map<string, Leg[]>();
  for (const leg of legs) grouped.set(leg.currency, [...(grouped.get(leg.currency) ?? []), leg]);
  return grouped;
}

const legNames: Record<Leg['role'], string> = {
  retained: 'the retained share to the acquirer',
  foreign: 'the foreign currency to the FX provider',
  rupees: "the rupees from the FX provider's position to the acquirer",
};

/** The answer when no dealer tried could carry the legs: each dealer's refused leg and why, in the order tried. */
function refusal(refused: readonly DealerRefusal[]): DomainError {
  assert(refused.length > 0, 'a refusal names at least one dealer tried');
  if (refused.some((failure) => failure.result === 'overloaded'))
    return new DomainError('OVERLOADED', 'a ledger is busy; retry the payment with the same id');
  const sentences = refused.map(({ leg, result, providerId }) => {
    const reason = result ?? 'unknown';
    const why =
      reason === 'exceeds_net_debit_cap'
        ? 'the paying side would pass its net debit cap'
        : reason === 'account_not_found'
          ? 'a party holds no position in that currency'
          : reason;
    return `${leg === undefined ? 'a leg' : legNames[leg.role]} could not post with dealer ${providerId} (${why})`;
  });
  return new DomainError(
    'INBOUND_PAYMENT_REFUSED',
    `${sentences.join('; ')}: nothing was posted`,
    refused.map(({ leg, result, providerId }) => ({
      leg: leg?.role ?? null,
      currency: leg?.currency ?? null,
      reason: result ?? 'unknown',
      provider: providerId,
    })),
  );
}

/** The rupee leg, the one that depends on the dealer's own position, reserved before the foreign chain. */
function rupeesFirst(legs: readonly Leg[]): Leg[] {
  return [...legs.filter((leg) => leg.role === 'rupees'), ...legs.filter((leg) => leg.role !== 'rupees')];
}

/**
 * The payment as it would be recorded with this dealer's rate: the retained share rounded down, the rest converted
 * half-even; refused when the converted part would round to no rupees (the dealer must not take money for nothing).
 */
function paymentRecord(
  request: InboundPaymentRequest,
  parties: CheckedParties,
  conversion: Conversion,
  context: CommandContext,
): InboundPaymentRecord {
  const { retainedMinor, convertedMinor } = splitRetained(BigInt(request.amountMinor), parties.retentionShare);
  const rupeesMinor = convertHalfEven(convertedMinor, request.currency, inboundTargetCurrency, conversion.rate);
  if (convertedMinor > 0n && rupeesMinor === 0n) {
    throw new DomainError(
      'INVALID_AMOUNT',
      `the converted part, ${formatAmount(convertedMinor, request.currency)} ${request.currency} at ${conversion.rate}, is too small to convert: it rounds to nothing in ${inboundTargetCurrency}`,
    );
  }
  assert(parties.psp.id === request.pspId, 'the PSP is the caller');
  return {
    ...request,
    acquirerId: parties.acquirer.id,
    merchantName: parties.merchantName,
    merchantCity: parties.merchantCity,
    merchantTaxNumber: parties.merchantTaxNumber,
    retainedMinor: retainedMinor.toString(),
    convertedFromMinor: convertedMinor.toString(),
    convertedToMinor: rupeesMinor.toString(),
    toCurrency: inboundTargetCurrency,
    rate: conversion.rate,
    providerId: conversion.providerId,
    transferIds: [],
    completedAt: context.now.toISOString(),
  };
}
