import { answer, errorAnswer, operation, type Operation } from './openapi-kit';
import {
  decideDisputeSchema,
  disputeIdParams,
  disputeListResponse,
  disputeReportQuery,
  disputeReportResponse,
  disputeResponse,
  disputesQuery,
  openDisputeSchema,
  respondDisputeSchema,
  withdrawDisputeSchema,
} from './schemas/dispute-schemas';

type Paths = Record<string, Record<string, Operation>>;

/** Online dispute resolution's paths (issue 12), kept beside the routes they describe. */
export function disputePaths(): Paths {
  const notFound = errorAnswer('DISPUTE_NOT_FOUND: no such dispute, or the caller is not a party to it');
  const state = errorAnswer('DISPUTE_STATE: the dispute is not in a state that takes this (the message names its state)');
  return {
    '/v1/disputes': {
      post: operation({
        summary:
          "Open a claim on a transfer the caller paid (the payer's participant); rules decide DEBITED_NOT_CREDITED on an aborted transfer and a DUPLICATE at once",
        roles: ['participant'],
        body: openDisputeSchema,
        idempotencyKey: 'required',
        responses: {
          '201': answer('the dispute: OPEN with respondBy, or RESOLVED by a rule', disputeResponse),
          '200': answer('the dispute this Idempotency-Key opened before, as it is now', disputeResponse),
          '400': errorAnswer('IDEMPOTENCY_KEY_REQUIRED, VALIDATION_FAILED or INVALID_AMOUNT'),
          '404': errorAnswer('TRANSFER_NOT_FOUND: the caller paid no such transfer'),
          '409': errorAnswer(
            'TRANSFER_NOT_COMMITTED (the transfer is in flight, or aborted and the claim is not debited-not-credited), DISPUTE_EXISTS or IDEMPOTENCY_CONFLICT',
          ),
          '422': errorAnswer('AMOUNT_EXCEEDS_TRANSFER, ABOVE_ODR_CAP or CLAIM_WINDOW_CLOSED'),
        },
      }),
      get: operation({
        summary: 'Disputes, oldest first; a participant sees those it is claimant or respondent in, a merchant its own',
        roles: ['operator', 'regulator', 'participant', 'merchant'],
        query: disputesQuery,
        responses: { '200': answer('a page of disputes', disputeListResponse), '400': errorAnswer('VALIDATION_FAILED or INVALID_CURSOR') },
      }),
    },
    '/v1/disputes/{id}': {
      get: operation({
        summary: 'One dispute with its whole timeline (claimant, respondent, merchant, operator, regulator)',
        roles: ['operator', 'regulator', 'participant', 'merchant'],
        path: disputeIdParams,
        responses: { '200': answer('the dispute', disputeResponse), '404': notFound },
      }),
    },
    '/v1/disputes/{id}/respond': {
      post: operation({
        summary: 'Answer before respondBy (the respondent, or the merchant of a P2M payment): ACCEPT, CONTEST or CREDIT_CONFIRMED',
        roles: ['participant', 'merchant'],
        path: disputeIdParams,
        body: respondDisputeSchema,
        responses: {
          '200': answer('the dispute after the answer', disputeResponse),
          '404': notFound,
          '409': state,
          '422': errorAnswer(
            'DISPUTE_ACTION_NOT_APPLICABLE: confirming a credit answers only a claim of a debit not credited on a committed transfer',
          ),
        },
      }),
    },
    '/v1/disputes/{id}/decision': {
      post: operation({
        summary: 'Decide a contested (RESPONDED) dispute',
        roles: ['operator'],
        path: disputeIdParams,
        body: decideDisputeSchema,
        responses: { '200': answer('the dispute, RESOLVED', disputeResponse), '404': notFound, '409': state },
      }),
    },
    '/v1/disputes/{id}/withdraw': {
      post: operation({
        summary: 'Withdraw a claim before it is resolved (the claimant)',
        roles: ['participant'],
        path: disputeIdParams,
        body: withdrawDisputeSchema,
        responses: { '200': answer('the dispute, RESOLVED WITHDRAWN', disputeResponse), '404': notFound, '409': state },
      }),
    },
    '/v1/reports/disputes': {
      get: operation({
        summary:
          'Dispute statistics over the disputes opened in [from, to): totals, per participant (participant: that line only), per category; with Accept: text/csv the per participant table under the header participant,asClaimant,asRespondent,answeredInTime,deadlineMissed,medianHoursToResolve',
        roles: ['operator', 'regulator'],
        query: disputeReportQuery,
        responses: { '200': answer('the statistics', disputeReportResponse), '400': errorAnswer('VALIDATION_FAILED') },
      }),
    },
  };
}
