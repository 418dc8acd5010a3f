import { createHash } from 'node:crypto';
import type { JsonValue } from '../eventstore/event';

/** A payment request as the payer's participant sends it (REST body, or mapped from an ISO 8583 0200). */
export type TransferRequest = {
  id: string;
  payer: { type: string; value: string; name?: string };
  payee: { type: string; value: string };
  /** Decimal string in the currency's major unit: "1500.00". */
  amount: string;
  currency: string;
  purpose: string;
  note?: string;
  /** The checkout session a P2M transfer pays (from the request to pay, or the QR's tag 62-05). */
  checkoutSessionId?: string;
};

/** Purposes the switch carries; P2M is a payment to a merchant, the rest move between people and accounts. */
export const transferPurposes = ['P2P', 'P2M', 'BILL', 'SALARY', 'OTHER'] as const;

/**
 * The purpose of a refund's transfer (acquirer to the payer's participant). Only the gateway's refunds use it: a
 * participant cannot send it, since it is not among `transferPurposes`.
 */
export const refundPurpose = 'REFUND';

/**
 * Digest of what makes a request that request: a retry with the same id must carry the same fields. Keys
 * are sorted so that the order a client writes them in does not matter.
 */
export function requestDigest(request: TransferRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] as JsonValue)}`).join(',')}}`;
}
