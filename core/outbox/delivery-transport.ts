import type { Delivery } from './delivery';

/**
 * What one delivery attempt came to. `delivered` means the receiver acknowledged it (HTTP 2xx, an ISO 8583
 * 0430): the delivery is done. A failure says how wide it is:
 * - `destination`: the receiver did not answer usefully (refused, timed out, 5xx): every delivery to it waits
 *   for the backoff, and only one probes until it answers again;
 * - `delivery`: the receiver answered but refused this message (a 4xx): only this delivery backs off.
 */
export type DeliveryAttemptResult =
  { outcome: 'delivered'; detail: string } | { outcome: 'failed'; scope: 'destination' | 'delivery'; detail: string };

export type DeliveryAttemptOptions = {
  /** The attempt must settle within this; the outbox stops waiting shortly after it anyway. */
  deadlineMs: number;
};

/** The port a channel's adapter implements: wallet-http for wallets, the ISO 8583 reversal sender for banks. */
export interface DeliveryTransport {
  /** Makes one attempt. Reports failures as results; a throw is treated as a destination failure. */
  deliver(delivery: Delivery, options: DeliveryAttemptOptions): Promise<DeliveryAttemptResult>;
}
