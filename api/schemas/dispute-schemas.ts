import { z } from 'zod';
import { disputePageLimitDefault, disputePageLimitMax } from '../../core/disputes/dispute-reader';
import { disputeCategories, disputeOutcomes, disputeStates, responseActions } from '../../core/disputes/dispute-events';
import { disputeIdPattern } from '../../core/disputes/dispute-service';
import { cursorText, freeText, pageLimit, positiveAmountText } from './common-schemas';
import { participantId } from './participant-schemas';
import { safeText } from './text';

/** Evidence is referenced, never uploaded: a kind, where it is kept, and optionally its digest. At most ten items. */
const evidenceItem = z.strictObject({
  type: safeText().min(1, 'an evidence type is not empty').max(40, 'an evidence type has at most 40 characters'),
  reference: safeText().min(1, 'an evidence reference is not empty').max(500, 'an evidence reference has at most 500 characters'),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'sha256 is 64 lower-case hexadecimal digits')
    .optional(),
});
const evidence = z.array(evidenceItem).max(10, 'at most 10 evidence items').optional();

export const openDisputeSchema = z
  .strictObject({
    transferId: safeText().min(1, 'transferId is not empty').max(64, 'a transfer id has at most 64 characters'),
    category: z.enum(disputeCategories),
    amount: positiveAmountText,
    description: freeText('a description').min(1, 'a description is not empty'),
    evidence,
  })
  .meta({ id: 'OpenDispute' });

export const respondDisputeSchema = z
  .strictObject({ action: z.enum(responseActions), note: freeText('a note').min(1, 'a note is not empty'), evidence })
  .meta({ id: 'RespondDispute' });

export const decideDisputeSchema = z
  .strictObject({ outcome: z.enum(['CLAIMANT', 'RESPONDENT']), note: freeText('a note').min(1, 'a note is not empty') })
  .meta({ id: 'DecideDispute' });

export const withdrawDisputeSchema = z.strictObject({ note: freeText('a note').optional() }).meta({ id: 'WithdrawDispute' });

/** Any id up to a bound: one that is not a dispute id is a dispute that does not exist (404). */
export const disputeIdParams = z.strictObject({ id: z.string().min(1).max(64) });

export const disputesQuery = z.strictObject({
  state: z.enum(disputeStates).optional(),
  category: z.enum(disputeCategories).optional(),
  participant: safeText().min(1).max(64).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  cursor: cursorText.optional(),
  limit: pageLimit(disputePageLimitMax, disputePageLimitDefault),
});

const isoInstant = z.iso.datetime({ offset: true, error: 'an ISO-8601 date-time such as 2026-11-28T10:00:00Z' });
/** `participant`: only that participant's line of the per participant table (the dashboard's filter); totals stay whole. */
export const disputeReportQuery = z.strictObject({ from: isoInstant, to: isoInstant, participant: participantId.optional() });

const instant = z.iso.datetime({ offset: true });
const evidenceView = z.array(z.strictObject({ type: z.string(), reference: z.string(), sha256: z.string().nullable() }));

export const disputeResponse = z
  .strictObject({
    id: z.string().regex(disputeIdPattern),
    transferId: z.string().meta({ description: 'The id the claimant knows the transfer by (its own id)' }),
    switchTransferId: z
      .string()
      .meta({ description: "The switch's id of the transfer: what a checkout session's transferId and the payee's credit carry" }),
    category: z.enum(disputeCategories),
    description: z.string(),
    evidence: evidenceView,
    amount: z.string(),
    currency: z.string(),
    state: z.enum(disputeStates),
    outcome: z.enum(disputeOutcomes).nullable(),
    claimant: z.string(),
    respondent: z.string(),
    merchantId: z.string().nullable(),
    respondBy: instant.nullable(),
    deadlineMissed: z.boolean(),
    createdAt: instant,
    resolvedAt: instant.nullable(),
    chargebackTransferId: z.string().nullable(),
    chargebackAmount: z.string().nullable(),
    timeline: z.array(
      z.strictObject({ at: instant, type: z.string(), actor: z.string(), note: z.string().nullable(), evidence: evidenceView }),
    ),
  })
  .meta({ id: 'Dispute' });

export const disputeListResponse = z
  .strictObject({ disputes: z.array(disputeResponse), nextCursor: z.string().nullable() })
  .meta({ id: 'DisputeList' });

const count = z.number().int().min(0);
export const disputeReportResponse = z
  .strictObject({
    totals: z.strictObject({
      opened: count,
      resolved: count,
      claimantWon: count,
      respondentWon: count,
      withdrawn: count,
      autoResolved: count,
      deadlineMissed: count,
    }),
    byParticipant: z.array(
      z.strictObject({
        participant: z.string(),
        asClaimant: count,
        asRespondent: count,
        answeredInTime: count,
        deadlineMissed: count,
        medianHoursToResolve: z.string().nullable(),
      }),
    ),
    byCategory: z.array(z.strictObject({ category: z.enum(disputeCategories), opened: count, claimantWon: count, respondentWon: count })),
  })
  .meta({ id: 'DisputeReport' });
