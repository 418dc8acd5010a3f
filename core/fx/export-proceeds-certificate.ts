import { assert } from '../assert';
import { formatAmount } from '../money';
import type { InboundPaymentRecord } from './inbound-payment-decider';
import { purposeCode } from './purpose-codes';

/**
 * The facts of an export proceeds certificate (issue 17, item 6): what an exporter shows its bank, the tax office
 * or SBP to prove a receipt from abroad. Amounts are decimal strings in their currencies; the same facts are the
 * PDF's text and the `?format=json` answer, so a reader can compare one with the other.
 */
export type ExportProceedsCertificate = {
  /** The switch's reference for the receipt: the in-bound payment's id. */
  reference: string;
  /** When the receipt was completed (the payment was recorded): the certificate's date. */
  date: string;
  exporter: { merchantId: string; name: string; city: string; taxNumber: string | null; acquirer: string };
  payer: { name: string; type: 'PERSON' | 'BUSINESS'; country: string; taxId: string | null };
  foreign: { amount: string; currency: string };
  retained: { amount: string; currency: string };
  /** What was converted into rupees, at what rate, by which dealer; null when the exporter retained it all. */
  converted: { fromAmount: string; fromCurrency: string; toAmount: string; toCurrency: string; rate: string; provider: string } | null;
  purposeCode: { code: string; title: string; description: string };
  invoiceNumber: string | null;
  transferIds: string[];
};

/**
 * The certificate of a completed in-bound payment. The exporter is as the payment recorded it (name, city and tax
 * number then), so a certificate says the same whenever it is asked for; a payment recorded while the merchant had
 * no tax number on record (or before merchants had one) says so.
 */
export function exportProceedsCertificate(payment: InboundPaymentRecord): ExportProceedsCertificate {
  const catalogued = purposeCode(payment.purposeCode);
  // The payment was refused unless its code was in the catalogue, and the catalogue only grows.
  assert(catalogued !== undefined, `purpose code ${payment.purposeCode} of a recorded payment is in the catalogue`);
  return {
    reference: payment.paymentId,
    date: payment.completedAt,
    exporter: {
      merchantId: payment.merchantId,
      name: payment.merchantName,
      city: payment.merchantCity,
      taxNumber: payment.merchantTaxNumber ?? null,
      acquirer: payment.acquirerId,
    },
    payer: { name: payment.payer.name, type: payment.payer.type, country: payment.payer.country, taxId: payment.payer.taxId },
    foreign: { amount: formatAmount(BigInt(payment.amountMinor), payment.currency), currency: payment.currency },
    retained: { amount: formatAmount(BigInt(payment.retainedMinor), payment.currency), currency: payment.currency },
    // A payment retained whole (retentionShare 1) still records the dealer whose rate was looked up, but no money
    // moved through it: the certificate says there was no conversion rather than naming a dealer for 0.00.
    converted:
      payment.convertedFromMinor === '0'
        ? null
        : {
            fromAmount: formatAmount(BigInt(payment.convertedFromMinor), payment.currency),
            fromCurrency: payment.currency,
            toAmount: formatAmount(BigInt(payment.convertedToMinor), payment.toCurrency),
            toCurrency: payment.toCurrency,
            rate: payment.rate,
            provider: payment.providerId,
          },
    purposeCode: { code: catalogued.code, title: catalogued.title, description: catalogued.description },
    invoiceNumber: payment.invoiceNumber,
    transferIds: [...payment.transferIds],
  };
}

/** The certificate as label and value lines, in the order the PDF prints them. */
export function certificateLines(certificate: ExportProceedsCertificate): [label: string, value: string][] {
  const { exporter, payer, foreign, retained, converted } = certificate;
  const conversion: [label: string, value: string][] =
    converted === null
      ? [
          ['Converted', 'no conversion: the whole amount was retained in foreign currency'],
          ['Exchange rate', 'no conversion'],
          ['Rupee amount', 'no conversion'],
          ['Authorised dealer', 'no conversion'],
        ]
      : [
          ['Converted', `${converted.fromAmount} ${converted.fromCurrency}`],
          ['Exchange rate', `${converted.rate} ${converted.toCurrency} per ${converted.fromCurrency}`],
          ['Rupee amount', `${converted.toAmount} ${converted.toCurrency}`],
          ['Authorised dealer', converted.provider],
        ];
  return [
    ['Reference', certificate.reference],
    ['Date (UTC)', certificate.date],
    ['Exporter', `${exporter.name} (${exporter.merchantId}), ${exporter.city}`],
    ['Exporter tax number', exporter.taxNumber ?? 'not on record'],
    ['Acquirer', exporter.acquirer],
    ['Payer', `${payer.name} (${payer.type === 'BUSINESS' ? 'business' : 'person'}), ${payer.country}`],
    ['Payer tax id', payer.taxId ?? 'none given'],
    ['Amount received', `${foreign.amount} ${foreign.currency}`],
    ['Retained in foreign currency', `${retained.amount} ${retained.currency}`],
    ...conversion,
    ['Purpose code', `${certificate.purposeCode.code} ${certificate.purposeCode.title}`],
    ['Purpose', certificate.purposeCode.description],
    ['Invoice', certificate.invoiceNumber ?? 'none given'],
    ['Ledger transfers', certificate.transferIds.join(', ')],
  ];
}
