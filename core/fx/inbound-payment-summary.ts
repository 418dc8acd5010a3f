import { formatAmount } from '../money';
import type { InboundFailureReason, InboundPaymentFound } from './inbound-payment-decider';

/** An in-bound payment as the API, the webhook and the certificate show it: amounts as decimal strings. */
export type InboundPaymentSummary = {
  id: string;
  /** PROCESSING between the decision and the posting of its legs (a moment, or until the sweep after a crash). */
  status: 'PROCESSING' | 'COMPLETED' | 'FAILED';
  failureReason: InboundFailureReason | null;
  merchantId: string;
  amount: string;
  currency: string;
  retained: { amount: string; currency: string };
  converted: {
    fromAmount: string;
    toAmount: string;
    fromCurrency: string;
    toCurrency: string;
    rate: string;
    provider: string;
    quoteId: string | null;
  };
  purposeCode: string;
  payer: { type: 'PERSON' | 'BUSINESS'; name: string; country: string; taxId: string | null };
  invoiceNumber: string | null;
  description: string | null;
  transferIds: string[];
  completedAt: string;
};

const statuses: Record<InboundPaymentFound['status'], InboundPaymentSummary['status']> = {
  recorded: 'PROCESSING',
  posted: 'COMPLETED',
  failed: 'FAILED',
};

export function inboundPaymentSummary(found: InboundPaymentFound): InboundPaymentSummary {
  const payment = found.payment;
  return {
    id: payment.paymentId,
    status: statuses[found.status],
    failureReason: found.status === 'failed' ? found.reason : null,
    merchantId: payment.merchantId,
    amount: formatAmount(BigInt(payment.amountMinor), payment.currency),
    currency: payment.currency,
    retained: { amount: formatAmount(BigInt(payment.retainedMinor), payment.currency), currency: payment.currency },
    converted: {
      fromAmount: formatAmount(BigInt(payment.convertedFromMinor), payment.currency),
      toAmount: formatAmount(BigInt(payment.convertedToMinor), payment.toCurrency),
      fromCurrency: payment.currency,
      toCurrency: payment.toCurrency,
      rate: payment.rate,
      provider: payment.providerId,
      quoteId: payment.quoteId,
    },
    purposeCode: payment.purposeCode,
    payer: { ...payment.payer },
    invoiceNumber: payment.invoiceNumber,
    description: payment.description,
    transferIds: [...payment.transferIds],
    completedAt: payment.completedAt,
  };
}
