import { z } from 'zod';
import type { PayeeCreditMessage } from '../../core/payee-port';

/**
 * The payload of a store-and-forward delivery to a bank: the credit message as core/payee-port.ts
 * `creditMessagePayload` writes it, plus a reason on reversals, or the dispute id on a chargeback credit
 * (core/disputes/dispute-service.ts `chargebackCreditDelivery`). It was written by the switch, but it has
 * travelled through the event store, so it is checked like any input before a message is made of it.
 */
const deliveryPayloadSchema = z.object({
  transferId: z.string().min(1).max(64),
  amount: z.string().min(1).max(40),
  currency: z.string().regex(/^[A-Z]{3}$/),
  payee: z.object({ type: z.string().min(1).max(16), value: z.string().min(1).max(64) }),
  payer: z.object({ participant: z.string().min(1).max(64), name: z.string().max(140).optional() }),
  reason: z.string().max(100).optional(),
  disputeId: z
    .string()
    .regex(/^dp_[0-9a-f]{24}$/)
    .optional(),
});

export type DeliveryPayload = {
  message: PayeeCreditMessage;
  /** Set on a dispute's chargeback credit, whose transferId is the chargeback's ledger id, not a transfer's. */
  disputeId: string | null;
};

export function parseDeliveryPayload(payload: unknown): ({ ok: true } & DeliveryPayload) | { ok: false; problem: string } {
  const parsed = deliveryPayloadSchema.safeParse(payload);
  if (!parsed.success)
    return { ok: false, problem: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') };
  const { transferId, amount, currency, payee, payer, disputeId } = parsed.data;
  const message: PayeeCreditMessage = { transferId, amount, currency, payee, payer: { participant: payer.participant } };
  if (payer.name !== undefined) message.payer.name = payer.name;
  return { ok: true, message, disputeId: disputeId ?? null };
}
