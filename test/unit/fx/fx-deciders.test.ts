import { bestLiveRate, fxRatesDecider, type FxRateEvent } from '../../../core/fx/fx-rate-decider';
import { fxQuoteDecider, type FxQuoteEvent, type GivenQuote } from '../../../core/fx/fx-quote-decider';
import { inboundPaymentDecider, type InboundPaymentRecord } from '../../../core/fx/inbound-payment-decider';
import { deciderSpec } from '../../support/decider-spec';

const at = new Date('2026-12-03T09:00:00.000Z');
const later = (seconds: number): Date => new Date(at.getTime() + seconds * 1000);

describe('FX rates', () => {
  const posted = (providerId: string, rate: string, validForSeconds: number): FxRateEvent =>
    fxRatesDecider.decide(
      { type: 'PostFxRate', data: { providerId, from: 'USD', to: 'PKR', rate, validForSeconds }, now: at },
      fxRatesDecider.initialState,
    )[0] as FxRateEvent;
  const fold = (events: FxRateEvent[]) => events.reduce((state, event) => fxRatesDecider.evolve(state, event), fxRatesDecider.initialState);

  it('quotes the best live rate: the most rupees per dollar, and never a stale one', () => {
    const state = fold([posted('ALLIED', '278.4500', 300), posted('HABIB', '278.90', 60), posted('MEEZAN', '278.455', 300)]);
    expect(bestLiveRate(state, later(10))?.providerId).toBe('HABIB');
    // HABIB's rate held for 60 s: past it, the next best live one.
    expect(bestLiveRate(state, later(60))?.providerId).toBe('MEEZAN');
    expect(bestLiveRate(state, later(300))).toBeNull();
  });

  it("keeps only a provider's newest rate", () => {
    const state = fold([posted('ALLIED', '290.00', 300), posted('ALLIED', '270.00', 300)]);
    expect(bestLiveRate(state, later(1))?.rate).toBe('270.00');
  });

  it('refuses a validity beyond an hour', () => {
    deciderSpec(fxRatesDecider)
      .given([])
      .when({ type: 'PostFxRate', data: { providerId: 'ALLIED', from: 'USD', to: 'PKR', rate: '278.45', validForSeconds: 3601 }, now: at })
      .thenThrows('VALIDATION_FAILED');
  });
});

describe('FX quotes', () => {
  const quote: GivenQuote = {
    quoteId: 'fxq_000000000000000000000001',
    pspId: 'REMITLY',
    providerId: 'ALLIED',
    from: 'USD',
    to: 'PKR',
    rate: '278.4500',
    fromAmountMinor: '10000',
    toAmountMinor: '2784500',
    expiresAt: later(60).toISOString(),
  };
  const given: FxQuoteEvent = { type: 'FxQuoteGiven', data: { ...quote, at: at.toISOString() } };
  const use = (paymentId: string, seconds: number, fromAmountMinor = 10_000n) => ({
    type: 'UseQuote' as const,
    data: { quoteId: quote.quoteId, pspId: 'REMITLY', paymentId, from: 'USD', to: 'PKR', fromAmountMinor },
    now: later(seconds),
  });
  const spec = deciderSpec(fxQuoteDecider);

  it('is used once, by one payment', () =>
    spec
      .given([given])
      .when(use('p-1', 59))
      .then([{ type: 'FxQuoteUsed', data: { quoteId: quote.quoteId, paymentId: 'p-1', at: later(59).toISOString() } }]));
  it('refuses a second payment: the quote is spent', () =>
    spec
      .given([given, { type: 'FxQuoteUsed', data: { quoteId: quote.quoteId, paymentId: 'p-1', at: at.toISOString() } }])
      .when(use('p-2', 1))
      .thenThrows('FX_QUOTE_USED'));
  it('lets the payment that used it present it again, even after the expiry (a retry)', () =>
    spec
      .given([given, { type: 'FxQuoteUsed', data: { quoteId: quote.quoteId, paymentId: 'p-1', at: at.toISOString() } }])
      .when(use('p-1', 600))
      .then([]));
  it('refuses it at its expiry', () => spec.given([given]).when(use('p-1', 60)).thenThrows('FX_QUOTE_EXPIRED'));
  it('refuses it for another amount', () =>
    spec
      .given([given])
      .when(use('p-1', 1, 10_001n))
      .thenThrows('FX_QUOTE_MISMATCH'));
  it("does not reveal another PSP's quote", () =>
    spec
      .given([given])
      .when({ ...use('p-1', 1), data: { ...use('p-1', 1).data, pspId: 'OTHER' } })
      .thenThrows('FX_QUOTE_NOT_FOUND'));
});

describe('in-bound payments', () => {
  const record: InboundPaymentRecord = {
    paymentId: 'p-1',
    pspId: 'REMITLY',
    merchantId: 'KARACHI_SOFT',
    amountMinor: '10000',
    currency: 'USD',
    quoteId: null,
    purposeCode: '9184',
    payer: { type: 'PERSON', name: 'Jane Doe', country: 'GB', taxId: null },
    invoiceNumber: null,
    description: null,
    acquirerId: 'MARGALLA',
    merchantName: 'Karachi Soft',
    merchantCity: 'Karachi',
    retainedMinor: '3500',
    convertedFromMinor: '6500',
    convertedToMinor: '1809925',
    toCurrency: 'PKR',
    rate: '278.4500',
    providerId: 'ALLIED',
    transferIds: ['inbound:p-1:retained', 'inbound:p-1:foreign', 'inbound:p-1:rupees'],
    completedAt: at.toISOString(),
  };
  const spec = deciderSpec(inboundPaymentDecider);
  const recorded = { type: 'InboundPaymentCompleted' as const, data: record };

  it('records a payment once', () => spec.given([]).when({ type: 'RecordInboundPayment', data: record }).then([recorded]));
  it('answers a replay with nothing new', () =>
    spec
      .given([recorded])
      .when({ type: 'RecordInboundPayment', data: { ...record, completedAt: later(5).toISOString() } })
      .then([]));
  it('refuses the same id with other details', () =>
    spec
      .given([recorded])
      .when({ type: 'RecordInboundPayment', data: { ...record, invoiceNumber: 'INV-2' } })
      .thenThrows('INBOUND_PAYMENT_CONFLICT'));
  const posted = { type: 'InboundPaymentPosted' as const, data: { paymentId: 'p-1', postedAt: later(1).toISOString() } };
  const failed = {
    type: 'InboundPaymentFailed' as const,
    data: { paymentId: 'p-1', reason: 'RESERVATION_EXPIRED' as const, reversedTransferIds: [], failedAt: later(400).toISOString() },
  };
  it('marks a recorded payment posted once: a second mark (the sweep after the request) adds nothing', () => {
    spec.given([recorded]).when({ type: 'MarkInboundPaymentPosted', data: posted.data }).then([posted]);
    spec.given([recorded, posted]).when({ type: 'MarkInboundPaymentPosted', data: posted.data }).then([]);
  });
  it('marks a recorded payment failed once, and a failed payment is still the same id for a replay', () => {
    spec.given([recorded]).when({ type: 'MarkInboundPaymentFailed', data: failed.data }).then([failed]);
    spec.given([recorded, failed]).when({ type: 'MarkInboundPaymentFailed', data: failed.data }).then([]);
    spec.given([recorded, failed]).when({ type: 'RecordInboundPayment', data: record }).then([]);
  });
  it('never posts a failed payment nor fails a posted one: that would be a programmer error', () => {
    expect(() =>
      inboundPaymentDecider.decide(
        { type: 'MarkInboundPaymentPosted', data: posted.data },
        { status: 'failed', payment: record, reason: 'RESERVATION_EXPIRED', failedAt: '' },
      ),
    ).toThrow();
    expect(() =>
      inboundPaymentDecider.decide(
        { type: 'MarkInboundPaymentFailed', data: failed.data },
        { status: 'posted', payment: record, postedAt: '' },
      ),
    ).toThrow();
    expect(() =>
      inboundPaymentDecider.decide({ type: 'MarkInboundPaymentPosted', data: posted.data }, inboundPaymentDecider.initialState),
    ).toThrow();
  });
});
