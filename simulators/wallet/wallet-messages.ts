import { z } from 'zod';

/**
 * What the switch sends the wallet (issue 4), checked strictly: the simulator is also a test of the switch,
 * so a field the contract does not have is refused rather than ignored.
 */
const partySchema = z.strictObject({ type: z.string().min(1).max(16), value: z.string().min(1).max(64) });

const creditBodySchema = z.strictObject({
  transferId: z.string().min(1).max(64),
  amount: z.string().min(1).max(40),
  currency: z.string().length(3),
  payee: partySchema,
  payer: z.strictObject({ participant: z.string().min(1).max(16), name: z.string().max(140).optional() }),
  /** A payment to a merchant this wallet acquires (issue 11): credited to the merchant's settlement account. */
  merchant: z.strictObject({ id: z.string().min(1).max(32), settlementAccount: partySchema }).optional(),
});

/**
 * A credit request or advice. A dispute's chargeback credit to the claimant is an advice with `disputeId` besides
 * (README, "Chargebacks"); a wallet that refused it would leave the switch retrying it forever.
 */
export const creditMessageSchema = creditBodySchema.extend({
  disputeId: z
    .string()
    .regex(/^dp_[0-9a-f]{24}$/)
    .optional(),
});

export const reversalMessageSchema = creditBodySchema.extend({ reason: z.string().min(1).max(100) });

export type CreditMessage = z.infer<typeof creditMessageSchema>;
export type ReversalMessage = z.infer<typeof reversalMessageSchema>;

/** The two answers a wallet gives; the switch reads them with its own schema. */
export type WalletAnswer = { status: 'ACCEPTED' } | { status: 'REJECTED'; reason: string };
