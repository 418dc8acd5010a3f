import { sessionStatusAt, type PresentSession } from '../../core/gateway/checkout-session-decider';
import type { SessionStatus } from '../../core/gateway/checkout-session-profile';
import { formatAmount } from '../../core/money';

/** A checkout session as the API shows it (issue 11's fixed shape). */
export type CheckoutSessionView = {
  id: string;
  merchantId: string;
  status: SessionStatus;
  amount: string;
  currency: string;
  orderId: string;
  description: string | null;
  payUrl: string;
  qr: string;
  expiresAt: string;
  createdAt: string;
  completedAt: string | null;
  transferId: string | null;
};

/** `now`: a session past its expiry reads EXPIRED at once; `publicUrl`: HISAAB_PUBLIC_URL or its default. */
export function checkoutSessionView(session: PresentSession, now: Date, publicUrl: string): CheckoutSessionView {
  const created = session.created;
  return {
    id: created.sessionId,
    merchantId: created.merchantId,
    status: sessionStatusAt(session, now),
    amount: formatAmount(BigInt(created.amountMinor), created.currency),
    currency: created.currency,
    orderId: created.orderId,
    description: created.description,
    payUrl: `${publicUrl}/pay/${created.sessionId}`,
    qr: created.qr,
    expiresAt: created.expiresAt,
    createdAt: created.at,
    completedAt: session.completedAt,
    transferId: session.transferId,
  };
}
