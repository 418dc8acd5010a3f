import { z } from 'zod';
import { errorCatalogue } from '../http-error';
import { accountTypes } from '../../core/directory/account';
import { aliasTypes } from '../../core/directory/alias-key';
import { sessionStatuses } from '../../core/gateway/checkout-session-profile';
import { creditModes, participantTypes } from '../../core/participants/participant-profile';
import { settlementWindowStates } from '../../core/settlement/settlement-reader';
import { transferStates } from './transfer-schemas';
import { webhookEventTypes } from '../../core/webhooks/webhook-event';
import { webhookDeliveryStatuses, webhookReadLimits } from '../../core/webhooks/webhook-reader';

/**
 * What the routes answer. The OpenAPI document's response schemas are generated from these (api/openapi.ts),
 * and test/e2e/api-openapi.test.ts checks every route's real answers against them, so the two cannot drift.
 * Objects are strict: a field a route adds without documenting it fails that test.
 */

const instant = z.iso.datetime({ offset: true });
const decimal = z
  .string()
  .regex(/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/)
  .meta({ examples: ['1500.00'] });
const nullableText = z.string().nullable();

/** Every code the switch answers, from the error catalogue (the README's "Errors" lists each with its meaning). */
const errorCodes = Object.keys(errorCatalogue) as [string, ...string[]];

export const errorResponse = z
  .strictObject({
    error: z.strictObject({ code: z.enum(errorCodes), message: z.string(), details: z.array(z.unknown()) }),
  })
  .meta({ id: 'Error' });

const httpEndpointsView = z.strictObject({ creditUrl: z.string(), reversalUrl: z.string(), rtpUrl: nullableText });
const iso8583EndpointsView = z.strictObject({
  iso8583: z.string(),
  institutionId: z.string(),
  tls: z.strictObject({ ca: z.string() }).optional(),
});

export const participantResponse = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    type: z.enum(participantTypes),
    bankCode: z.string(),
    currency: z.string(),
    active: z.boolean(),
    creditMode: z.enum(creditModes),
    endpoints: z.union([httpEndpointsView, iso8583EndpointsView]),
    netDebitCap: decimal,
    position: decimal.meta({ description: 'Net obligation not yet settled; positive when the participant owes' }),
    reserved: decimal.meta({ description: 'What pending transfers hold against the net debit cap' }),
    liquidity: decimal.meta({ description: 'Collateral recorded through funds in/out' }),
    rateLimitPerSecond: z
      .int()
      .nullable()
      .meta({ description: "Requests per second per key and route class set by the operator; null: the switch's default" }),
    fxProvider: z.boolean().meta({ description: 'An authorised dealer that posts exchange rates (issue 17)' }),
    currencies: z
      .array(z.strictObject({ currency: z.string(), netDebitCap: decimal, position: decimal, reserved: decimal, liquidity: decimal }))
      .meta({ description: 'Every currency the participant holds, the first one first, each with its own cap and balances' }),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'Participant' });

export const participantPageResponse = z
  .strictObject({ participants: z.array(participantResponse), nextCursor: nullableText })
  .meta({ id: 'ParticipantPage' });

export const issuedKeyResponse = z
  .strictObject({
    keyId: z.string(),
    key: z.string(),
    signingSecret: z
      .string()
      .nullable()
      .meta({ description: "The participant's first signing secret, on its first key only; null on later keys" }),
  })
  .meta({ id: 'IssuedKey' });
const clientCertificateResponse = z
  .strictObject({
    fingerprint256: z.string(),
    subject: z.string().nullable().meta({ description: 'Known when the certificate itself was registered' }),
    notAfter: z.iso.datetime().nullable(),
    registeredAt: z.iso.datetime(),
  })
  .meta({ id: 'ClientCertificate' });
export const clientCertificateListResponse = z
  .strictObject({ clientCertificates: z.array(clientCertificateResponse) })
  .meta({ id: 'ClientCertificateList' });
export const registeredClientCertificateResponse = clientCertificateResponse;
export const rotatedSigningSecretResponse = z
  .strictObject({
    secretId: z.string(),
    signingSecret: z.string().meta({ description: 'Shown this once' }),
    previousSecretsRetireAt: z.iso.datetime().nullable().meta({ description: 'When the secrets that signed before stop signing' }),
  })
  .meta({ id: 'RotatedSigningSecret' });
export const issuedRegulatorKeyResponse = z
  .strictObject({ keyId: z.string(), key: z.string(), role: z.literal('REGULATOR'), name: z.string() })
  .meta({ id: 'IssuedRegulatorKey' });

export const aliasResponse = z
  .strictObject({
    type: z.enum(aliasTypes),
    value: z.string(),
    participant: z.string(),
    account: z.strictObject({ type: z.enum(accountTypes), value: z.string() }),
    name: z.string(),
  })
  .meta({ id: 'Alias' });

export const partyResponse = z
  .strictObject({
    participant: z.string(),
    account: z.strictObject({ type: z.enum(accountTypes) }),
    name: nullableText.meta({ description: 'Masked: first and last letter of each word, "A***a K***n"', examples: ['A***a K***n'] }),
  })
  .meta({ id: 'Party' });

export const transferResponse = z
  .strictObject({
    id: z.string().meta({ description: "The id the payer gave the transfer, unique among that payer's transfers" }),
    switchTransferId: z.string().meta({ description: 'The switch-wide id: what the payee is told, and what the ledger and reports carry' }),
    state: z.enum(transferStates),
    abortReason: nullableText.meta({
      examples: ['NET_DEBIT_CAP_EXCEEDED', 'PAYEE_REJECTED', 'PAYEE_TIMEOUT', 'PAYEE_UNAVAILABLE', 'PAYEE_INACTIVE'],
    }),
    payerParticipant: z.string(),
    payeeParticipant: z.string(),
    payer: z.strictObject({ type: z.string(), value: z.string(), name: z.string().optional() }),
    payee: z.strictObject({ type: z.string(), value: z.string() }),
    amount: decimal,
    currency: z.string(),
    purpose: z.string(),
    note: nullableText,
    reversed: z.boolean(),
    createdAt: instant,
    completedAt: instant.nullable(),
  })
  .meta({ id: 'Transfer' });

export const transferPageResponse = z
  .strictObject({ transfers: z.array(transferResponse), nextCursor: nullableText })
  .meta({ id: 'TransferPage' });

/**
 * One item of a batch answer: the transfer's outcome, or the error that stopped it. Each shape requires its own
 * fields (and `outcome` tells them apart), so that an item matches exactly one of them.
 */
export const batchResultResponse = z
  .discriminatedUnion('outcome', [
    z
      .strictObject({ outcome: z.literal('TRANSFER'), id: z.string(), state: z.enum(transferStates), abortReason: nullableText })
      .meta({ id: 'BatchTransferResult' }),
    z
      .strictObject({ outcome: z.literal('ERROR'), id: nullableText, error: z.strictObject({ code: z.string(), message: z.string() }) })
      .meta({ id: 'BatchErrorResult' }),
  ])
  .meta({
    id: 'BatchResult',
    discriminator: {
      propertyName: 'outcome',
      mapping: { TRANSFER: '#/components/schemas/BatchTransferResult', ERROR: '#/components/schemas/BatchErrorResult' },
    },
  });

export const batchResponse = z.strictObject({ results: z.array(batchResultResponse) }).meta({ id: 'BatchResults' });

export const settlementWindowResponse = z
  .strictObject({
    id: z.string().meta({ examples: ['PKR-000042'] }),
    currency: z.string(),
    state: z.enum(settlementWindowStates),
    openedAt: instant.nullable(),
    closedAt: instant.nullable(),
    settledAt: instant.nullable(),
    reference: nullableText.meta({ description: 'The RTGS confirmation recorded at settlement' }),
  })
  .meta({ id: 'SettlementWindow' });

export const settlementWindowPageResponse = z
  .strictObject({ windows: z.array(settlementWindowResponse), nextCursor: nullableText })
  .meta({ id: 'SettlementWindowPage' });
export const closedWindowResponse = z
  .strictObject({ closed: settlementWindowResponse, opened: settlementWindowResponse })
  .meta({ id: 'ClosedWindow' });

const reportLine = z.strictObject({
  participant: z.string(),
  sentCount: z.number().int(),
  sentValue: decimal,
  receivedCount: z.number().int(),
  receivedValue: decimal,
  fees: decimal,
  net: decimal.meta({
    description: 'receivedValue - sentValue - fees, what settling the window moves: positive, it receives; negative, it pays',
  }),
});

export const settlementReportResponse = z
  .strictObject({
    windowId: z.string(),
    currency: z.string(),
    state: z.enum(settlementWindowStates),
    participants: z.array(reportLine),
    totals: z.strictObject({ count: z.number().int(), value: decimal, fees: decimal }),
    netSumZero: z.boolean().meta({ description: "The window's nets sum to zero" }),
    firstPosition: nullableText.meta({ description: "Log position of the window's first event" }),
    lastPosition: nullableText.meta({ description: "Log position of the window's last event (its close)" }),
  })
  .meta({ id: 'SettlementReport' });

const outcome = {
  count: z.number().int(),
  value: decimal,
  committed: z.number().int(),
  committedValue: decimal,
  aborted: z.number().int(),
  abortedValue: decimal,
  successRate: nullableText.meta({ examples: ['0.9875'] }),
};
const outcomeView = z.strictObject(outcome);

export const summaryResponse = z
  .strictObject({
    currency: z.string(),
    from: instant,
    to: instant,
    totals: outcomeView,
    byParticipant: z.array(z.strictObject({ participant: z.string(), sent: outcomeView, received: outcomeView })),
    byPurpose: z.array(z.strictObject({ purpose: z.string(), ...outcome })),
    abortReasons: z.array(z.strictObject({ reason: z.string(), count: z.number().int(), value: decimal })),
    hourly: z.array(z.strictObject({ hour: instant, ...outcome })),
  })
  .meta({ id: 'RegulatorSummary' });

export const healthResponse = z
  .strictObject({
    status: z.enum(['ok', 'unhealthy', 'fenced']),
    /** The one switch that appends to the store, or a standby (a PostgreSQL store has one writer). */
    role: z.enum(['writer', 'standby']),
    eventStore: z.enum(['ok', 'unreachable']),
    readModels: z.enum(['ok', 'failed']),
    logHeadPosition: z.string(),
    readModelPosition: z.string(),
  })
  .meta({ id: 'Health' });

export const openApiResponse = z.looseObject({ openapi: z.literal('3.1.0') }).meta({ id: 'OpenApiDocument' });

/** A merchant's webhook event with its delivery (issue 11): what the events list and the resend answer. */
export const webhookEventResponse = z
  .strictObject({
    id: z.string().meta({ examples: ['evt_3f2a9c1b7d5e4a6f8b0c2d1e'] }),
    type: z.enum(webhookEventTypes),
    createdAt: instant,
    deliveryStatus: z.enum(webhookDeliveryStatuses),
    attempts: z
      .array(
        z.strictObject({
          at: instant,
          status: z.enum(['SUCCEEDED', 'FAILED']),
          httpStatus: z.number().int().nullable().meta({ description: "The merchant's HTTP status; null when it gave none" }),
        }),
      )
      .max(webhookReadLimits.attemptsShownMax)
      .meta({ description: `Every try of every delivery, oldest first; the newest ${webhookReadLimits.attemptsShownMax} are kept` }),
  })
  .meta({ id: 'WebhookEvent' });

export const webhookEventPageResponse = z
  .strictObject({ events: z.array(webhookEventResponse), nextCursor: z.string().nullable() })
  .meta({ id: 'WebhookEventPage' });

export const merchantResponse = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    mcc: z.string(),
    city: z.string(),
    acquirer: z.string(),
    currency: z.string(),
    settlementAccount: z.strictObject({ type: z.enum(accountTypes), value: z.string() }),
    webhookUrl: z.string(),
    fees: z.strictObject({ mdrPercent: decimal, interchangePercent: decimal, switchFee: decimal }),
    active: z.boolean(),
    rateLimitPerSecond: z
      .int()
      .nullable()
      .meta({ description: "Requests per second per key and route class set by the operator; null: the switch's default" }),
    createdAt: instant,
    inbound: z
      .strictObject({ enabled: z.boolean(), retentionShare: z.string(), purposeCodes: z.array(z.string()) })
      .nullable()
      .meta({ description: 'In-bound foreign-currency payments (issue 17); null until enabled once' }),
    taxNumber: z
      .string()
      .nullable()
      .meta({ description: 'NTN or CNIC printed on its export proceeds certificates (issue 17); null: none on record' }),
  })
  .meta({ id: 'Merchant' });

export const registeredMerchantResponse = z
  .strictObject({
    merchant: merchantResponse,
    apiKey: z.string().meta({ description: 'A bearer key with the role merchant, shown this once (stored hashed)' }),
    webhookSecret: z.string().meta({ description: "Signs the merchant's webhooks (HMAC-SHA256), shown this once" }),
  })
  .meta({ id: 'RegisteredMerchant' });

export const issuedMerchantKeyResponse = z.strictObject({ keyId: z.string(), apiKey: z.string() }).meta({ id: 'IssuedMerchantKey' });

export const rotatedWebhookSecretResponse = z
  .strictObject({
    webhookSecret: z.string().meta({ description: 'The new secret; the previous one keeps signing beside it for 24 hours' }),
  })
  .meta({ id: 'RotatedWebhookSecret' });

export const checkoutSessionResponse = z
  .strictObject({
    id: z.string().regex(/^cs_[A-Za-z0-9]{22}$/),
    merchantId: z.string(),
    status: z.enum(sessionStatuses),
    amount: decimal,
    currency: z.string(),
    orderId: z.string(),
    description: nullableText,
    payUrl: z.string().meta({ description: 'The hosted pay page, under HISAAB_PUBLIC_URL' }),
    qr: z.string().meta({ description: "EMVCo merchant-presented QR string (SBP 2022 layout), ending in tag 63's CRC-16/CCITT-FALSE" }),
    expiresAt: instant,
    createdAt: instant,
    completedAt: instant.nullable(),
    transferId: nullableText,
  })
  .meta({ id: 'CheckoutSession' });

export const refundResponse = z
  .strictObject({
    id: z.string().regex(/^re_[A-Za-z0-9]{22}$/),
    sessionId: z.string(),
    transferId: z.string().meta({ description: "The refund's own transfer (purpose REFUND), acquirer to the payer's participant" }),
    amount: decimal,
    currency: z.string(),
    status: z.enum(['SUCCEEDED', 'FAILED', 'PENDING']).meta({
      description: 'PENDING only while the transfer is still in flight after a failure to finish it at once; read it again',
    }),
    failureReason: nullableText.meta({ description: 'Why a FAILED refund failed: the transfer abort reason, e.g. NET_DEBIT_CAP_EXCEEDED' }),
    reason: nullableText,
    createdAt: instant,
  })
  .meta({ id: 'Refund' });

export const merchantPaymentsResponse = z
  .strictObject({
    payments: z.array(
      z.strictObject({
        sessionId: nullableText.meta({ description: 'Null for a static-QR payment (a P2M without a session)' }),
        orderId: nullableText,
        transferId: z.string(),
        amount: decimal,
        currency: z.string(),
        paidAt: instant,
        payerParticipant: z.string(),
        refunded: decimal.meta({ description: 'What SUCCEEDED refunds gave back of this payment' }),
        chargedBack: decimal.meta({ description: 'What dispute chargebacks took back of this payment' }),
        mdr: decimal.meta({ description: 'amount × mdrPercent / 100, half-even to the minor unit, fixed at the payment' }),
        net: z.string().meta({ description: 'amount − refunded − chargedBack − mdr (the MDR is not given back)' }),
      }),
    ),
    nextCursor: nullableText,
  })
  .meta({ id: 'MerchantPayments' });

const merchantAmounts = { collected: decimal, refunded: decimal, chargedBack: decimal, mdr: decimal, net: z.string() };

/** Issue 17: in-bound payments in the balance's currency, beside (never inside) the checkout amounts above. */
const merchantInboundAmounts = z
  .strictObject({
    received: z.strictObject({ count: z.int().nonnegative(), amount: decimal, retained: decimal, converted: decimal }).meta({
      description: 'In-bound payments made in this currency: the whole amount, the part kept in it, the part converted to rupees',
    }),
    conversions: z.strictObject({ count: z.int().nonnegative(), amount: decimal }).meta({
      description: 'The rupees their conversions brought in this currency (PKR only) and how many payments brought them',
    }),
    credited: decimal.meta({ description: 'received.retained + conversions.amount: what in-bound payments credited in this currency' }),
  })
  .meta({
    id: 'MerchantInboundAmounts',
    description: 'Counted once their legs are posted (COMPLETED), in the window of each currency open then; a FAILED payment never counts',
  });

export const merchantBalanceResponse = z
  .strictObject({
    currency: z.string(),
    ...merchantAmounts,
    inbound: merchantInboundAmounts,
    byWindow: z.array(z.strictObject({ windowId: z.string(), ...merchantAmounts, inbound: merchantInboundAmounts })).meta({
      description:
        'Per settlement window, oldest first: a payment counts in the window of its commit, a refund in the window it succeeded in',
    }),
  })
  .meta({ id: 'MerchantBalance' });

/**
 * A provider approves a request to pay by paying it: there is no approval apart from the payment, which `status`
 * reports. So `rtp` keeps the request's own last fate (SENT stays SENT once paid), and a reader (the pay page, its
 * script) reads `status` first; the descriptions say so, since a client reading `rtp` alone took a paid session
 * for one still waiting.
 */
export const payStatusResponse = z
  .strictObject({
    status: z.enum(sessionStatuses).meta({
      description: 'The session, read first: COMPLETED is paid (the page shows "Paid"), whatever `rtp` says',
    }),
    rtp: z.enum(['NONE', 'SENT', 'DECLINED', 'FAILED']).meta({
      description:
        "The last request to pay's own fate: NONE (none sent), SENT (the provider was asked, and neither declined nor " +
        'failed to be reached), DECLINED, FAILED. A provider approves by paying, which `status` COMPLETED reports: a ' +
        'paid session keeps SENT, and a decline arriving after the payment changes nothing',
    }),
  })
  .meta({ id: 'PayStatus' });

export const declinedRequestToPayResponse = z
  .strictObject({ rtpId: z.string(), checkoutSessionId: z.string(), status: z.enum(['SENT', 'DECLINED', 'FAILED']) })
  .meta({ id: 'DeclinedRequestToPay' });

// Online dispute resolution's answers live beside its requests; listed here with every other answer the API gives.
export { disputeListResponse, disputeReportResponse, disputeResponse } from './dispute-schemas';

/** The regulator's participant statistics and timeseries (issue 13). */
const statisticsPercent = z
  .number()
  .min(0)
  .max(100)
  .meta({ description: 'A percentage from 0 to 100 with two decimals; 0 when there is nothing to divide' });
const statisticsCount = z.number().int().min(0);
const side = z.strictObject({
  count: statisticsCount,
  value: decimal,
  approved: statisticsCount,
  businessDeclines: statisticsCount,
  technicalDeclines: statisticsCount,
  approvedPercent: statisticsPercent,
  businessDeclinePercent: statisticsPercent,
  technicalDeclinePercent: statisticsPercent,
});

export const participantStatisticsResponse = z
  .strictObject({
    participants: z.array(
      z.strictObject({
        participant: z.string(),
        asPayer: side,
        asPayee: side,
        reversals: z.strictObject({ count: statisticsCount, delivered: statisticsCount, deliveredPercent: statisticsPercent }),
        p50CompletionMs: statisticsCount.nullable(),
        p99CompletionMs: statisticsCount.nullable(),
        position: decimal.nullable(),
        netDebitCap: decimal.nullable(),
        capUtilisationPercent: z.number().min(0),
      }),
    ),
  })
  .meta({ id: 'ParticipantStatistics' });

export const timeseriesResponse = z
  .strictObject({
    buckets: z.array(
      z.strictObject({
        start: instant,
        count: statisticsCount,
        value: decimal,
        approved: statisticsCount,
        businessDeclines: statisticsCount,
        technicalDeclines: statisticsCount,
      }),
    ),
    totals: side.meta({ description: 'Every bucket of the answer together: its counts, value and percents (the CSV leaves it out)' }),
  })
  .meta({ id: 'Timeseries' });

export const auditEntryResponse = z
  .strictObject({
    at: z.string().meta({ description: 'when, ISO-8601' }),
    actor: z.string().meta({ description: 'who: operator, regulator:<keyId>, or for a refused authentication the key id presented' }),
    action: z.string().meta({ description: 'what: the method and route, or authentication.refused; "(repeated)" for a count' }),
    target: z.string().meta({ description: 'the path acted on' }),
    from: z.string().meta({ description: "the client's address" }),
    count: z.number().int().meta({ description: 'occurrences this entry stands for (more than 1 for coalesced reads and refusals)' }),
    sequence: z.number().int(),
    hash: z.string().meta({ description: 'SHA-256 over the entry and the previous entry’s hash' }),
  })
  .meta({ id: 'AuditEntry' });

export const auditPageResponse = z
  .strictObject({ entries: z.array(auditEntryResponse), nextCursor: z.string().nullable() })
  .meta({ id: 'AuditPage' });
