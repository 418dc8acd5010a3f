import type { Principal } from '../../core/auth/principal';
import type { MerchantReader } from '../../core/gateway/merchant-reader';
import {
  inboundCreditedMinor,
  merchantNetMinor,
  noInboundAmounts,
  type MerchantAmounts,
  type MerchantInboundAmounts,
  type MerchantPaymentRecord,
  type MerchantViewsReader,
} from '../../core/gateway/merchant-views-reader';
import { formatAmount } from '../../core/money';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import { decodeSequenceCursor, encodeCursor, invalidCursor, requireCarriedCurrency } from '../route-helpers';
import type { RouteModule } from '../route-kit';
import { merchantBalanceQuery, merchantPaymentsQuery } from '../schemas/merchant-view-schemas';
import { merchantEventsParams } from '../schemas/webhook-schemas';
import { parseInput } from '../validation';

export type MerchantViewRoutesDependencies = { views: MerchantViewsReader; merchantReader: MerchantReader };

/**
 * A merchant's payments and balance (issue 11), from the merchant-views projection: the operator and the regulator
 * read any merchant's, a merchant only its own (anyone else's answers 404, as if it did not exist).
 */
export function merchantViewRoutes(dependencies: MerchantViewRoutesDependencies): RouteModule {
  const { views, merchantReader } = dependencies;
  const readable = (principal: Principal, merchantId: string): void => {
    const visible = principal.role !== 'merchant' || principal.merchantId === merchantId;
    if (!visible || merchantReader.findMerchant(merchantId) === null)
      throw new HttpError('MERCHANT_NOT_FOUND', `there is no merchant ${merchantId}`);
  };
  return (router, kit) => {
    router.get('/v1/merchants/:id/payments', kit.allow('operator', 'regulator', 'merchant'), (request, response) => {
      const { id } = parseInput(merchantEventsParams, request.params, 'path');
      readable(principalOf(request), id);
      const query = parseInput(merchantPaymentsQuery, request.query, 'query');
      const afterPosition = query.cursor === undefined ? null : decodeSequenceCursor('p', query.cursor);
      if (query.cursor !== undefined && afterPosition === null) throw invalidCursor();
      const payments = views.listPayments({
        merchantId: id,
        // Paid-at instants are stored in UTC ("…Z"); a bound with another offset is compared as the same instant.
        from: query.from === undefined ? null : new Date(query.from).toISOString(),
        to: query.to === undefined ? null : new Date(query.to).toISOString(),
        afterPosition,
        limit: query.limit,
      });
      const last = payments[payments.length - 1];
      response.json({
        payments: payments.map(paymentView),
        nextCursor: payments.length === query.limit && last !== undefined ? encodeCursor('p', last.position.toString()) : null,
      });
    });

    router.get('/v1/merchants/:id/balance', kit.allow('operator', 'regulator', 'merchant'), (request, response) => {
      const { id } = parseInput(merchantEventsParams, request.params, 'path');
      readable(principalOf(request), id);
      const { currency } = parseInput(merchantBalanceQuery, request.query, 'query');
      requireCarriedCurrency(kit.dependencies.config.currencies, currency, 'query');
      const windows = views.windowTotals(id, currency);
      const total: MerchantAmounts = { collectedMinor: 0n, refundedMinor: 0n, chargedBackMinor: 0n, mdrMinor: 0n };
      const inboundTotal = noInboundAmounts();
      for (const window of windows) {
        total.collectedMinor += window.collectedMinor;
        total.refundedMinor += window.refundedMinor;
        total.chargedBackMinor += window.chargedBackMinor;
        total.mdrMinor += window.mdrMinor;
        addInbound(inboundTotal, window.inbound);
      }
      const amounts = (values: MerchantAmounts) => ({
        collected: formatAmount(values.collectedMinor, currency),
        refunded: formatAmount(values.refundedMinor, currency),
        chargedBack: formatAmount(values.chargedBackMinor, currency),
        mdr: formatAmount(values.mdrMinor, currency),
        net: formatAmount(merchantNetMinor(values), currency),
      });
      response.json({
        currency,
        ...amounts(total),
        inbound: inboundView(inboundTotal, currency),
        byWindow: windows.map((window) => ({
          windowId: window.windowId,
          ...amounts(window),
          inbound: inboundView(window.inbound, currency),
        })),
      });
    });
  };
}

function addInbound(total: MerchantInboundAmounts, window: MerchantInboundAmounts): void {
  total.received.count += window.received.count;
  total.received.amountMinor += window.received.amountMinor;
  total.received.retainedMinor += window.received.retainedMinor;
  total.received.convertedMinor += window.received.convertedMinor;
  total.conversions.count += window.conversions.count;
  total.conversions.amountMinor += window.conversions.amountMinor;
}

/** In-bound payments (issue 17) beside the checkout amounts, which they leave as they were: amounts in `currency`. */
function inboundView(amounts: MerchantInboundAmounts, currency: string) {
  return {
    received: {
      count: amounts.received.count,
      amount: formatAmount(amounts.received.amountMinor, currency),
      retained: formatAmount(amounts.received.retainedMinor, currency),
      converted: formatAmount(amounts.received.convertedMinor, currency),
    },
    conversions: { count: amounts.conversions.count, amount: formatAmount(amounts.conversions.amountMinor, currency) },
    credited: formatAmount(inboundCreditedMinor(amounts), currency),
  };
}

function paymentView(payment: MerchantPaymentRecord) {
  const currency = payment.currency;
  return {
    sessionId: payment.sessionId,
    orderId: payment.orderId,
    transferId: payment.transferId,
    amount: formatAmount(payment.amountMinor, currency),
    currency,
    paidAt: payment.paidAt,
    payerParticipant: payment.payerParticipant,
    refunded: formatAmount(payment.refundedMinor, currency),
    chargedBack: formatAmount(payment.chargedBackMinor, currency),
    mdr: formatAmount(payment.mdrMinor, currency),
    net: formatAmount(merchantNetMinor({ ...payment, collectedMinor: payment.amountMinor }), currency),
  };
}
