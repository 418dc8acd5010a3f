import { formatAmount } from '../../core/money';

/** A payer abroad: a business (B2B) or a person (B2C) paying a Pakistani exporter for IT work. */
export type ForeignBuyer = {
  name: string;
  country: string;
  type: 'BUSINESS' | 'PERSON';
  taxId: string | null;
  currency: 'USD' | 'EUR' | 'GBP';
};

/** One receipt the simulated PSP sends in: who pays, how much in which currency, for which invoice and purpose. */
export type InboundOrder = {
  buyer: ForeignBuyer;
  amount: string;
  purposeCode: string;
  invoiceNumber: string;
  description: string;
};

/** Buyers in the three currencies the issue names; fictional names, real ISO 3166 countries. */
export const foreignBuyers: readonly ForeignBuyer[] = [
  { name: 'Northwind Analytics Inc', country: 'US', type: 'BUSINESS', taxId: 'US12-3456789', currency: 'USD' },
  { name: 'Maria Gonzalez', country: 'US', type: 'PERSON', taxId: null, currency: 'USD' },
  { name: 'Rheinsoft GmbH', country: 'DE', type: 'BUSINESS', taxId: 'DE123456789', currency: 'EUR' },
  { name: 'Luc Martin', country: 'FR', type: 'PERSON', taxId: null, currency: 'EUR' },
  { name: 'Thames Digital Ltd', country: 'GB', type: 'BUSINESS', taxId: 'GB123456789', currency: 'GBP' },
  { name: 'Olivia Brown', country: 'GB', type: 'PERSON', taxId: null, currency: 'GBP' },
];

/** What an invoice is for, by purpose code: the words a buyer's remittance would carry. */
const descriptions: Record<string, string> = {
  '9102': 'Call centre services',
  '9181': 'Hardware consultancy',
  '9182': 'Software consultancy',
  '9183': 'Computer maintenance and repair',
  '9184': 'Custom software development',
  '9185': 'Other computer services',
};

/** Invoice amounts in minor units: 25.00 to 2,500.00, in whole cents so a run reads easily. */
const amountMinorMin = 2_500n;
const amountMinorSpan = 247_501n;

/**
 * The `index`-th order of a run: the buyers in turn (so any six orders cover the three currencies and both payer
 * types), an amount and one of the purpose codes the merchant accepts from a seeded generator. The same seed gives
 * the same orders, so a run can be replayed.
 */
export function inboundOrder(index: number, random: () => number, purposeCodes: readonly string[]): InboundOrder {
  const buyer = foreignBuyers[index % foreignBuyers.length];
  if (buyer === undefined) throw new Error('the buyer list is empty');
  const purposeCode = pick(purposeCodes, random);
  // The random draw picks a step in the span; the amount itself is a bigint from the start.
  const amountMinor = amountMinorMin + BigInt(Math.floor(random() * Number(amountMinorSpan)));
  return {
    buyer,
    amount: formatAmount(amountMinor, buyer.currency),
    purposeCode,
    invoiceNumber: `INV-${buyer.currency}-${String(index + 1).padStart(5, '0')}`,
    description: descriptions[purposeCode] ?? 'IT services',
  };
}

function pick<Item>(items: readonly Item[], random: () => number): Item {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
