import { withRateLimitAnswers } from './openapi-rate-limits';
import { fxPaths } from './openapi-fx';
import { currencies, currency as currencyOf, type Currency } from '../core/money';
import { apiLimits } from './api-limits';
import { gatewayPaths } from './openapi-gateway';
import { disputePaths } from './openapi-disputes';
import { signingPaths } from './openapi-signing';
import { dataSubjectPaths } from './openapi-data-subjects';
import { answer, componentSchemas, errorAnswer, operation, type JsonSchema, type Operation } from './openapi-kit';
import { aliasParams, partyParams, regulatorKeyParams, registerAliasSchema } from './schemas/alias-schemas';
import {
  changeParticipantSchema,
  fundsSchema,
  issueRoleKeySchema,
  listParticipantsQuery,
  participantIdParams,
  participantClientCertificateParams,
  participantKeyParams,
  registerClientCertificateSchema,
  registerParticipantSchema,
  rotateSigningSecretSchema,
} from './schemas/participant-schemas';
import { auditQuery } from './schemas/audit-schemas';
import {
  aliasResponse,
  auditPageResponse,
  batchResponse,
  clientCertificateListResponse,
  closedWindowResponse,
  healthResponse,
  issuedKeyResponse,
  issuedRegulatorKeyResponse,
  openApiResponse,
  participantPageResponse,
  participantResponse,
  partyResponse,
  rotatedSigningSecretResponse,
  settlementReportResponse,
  settlementWindowPageResponse,
  settlementWindowResponse,
  summaryResponse,
  participantStatisticsResponse,
  registeredClientCertificateResponse,
  timeseriesResponse,
  transferPageResponse,
  transferResponse,
  webhookEventPageResponse,
  webhookEventResponse,
} from './schemas/response-schemas';
import {
  closeWindowSchema,
  listWindowsQuery,
  reportQuery,
  settleWindowSchema,
  statementParams,
  summaryQuery,
  windowIdParams,
} from './schemas/settlement-schemas';
import { participantStatisticsQuery, timeseriesQuery } from './schemas/report-schemas';
import { merchantEventsParams, merchantEventsQuery, webhookEventParams } from './schemas/webhook-schemas';
import { transferBatchSchema, transferIdParams, transferListQuery, transferRequestSchema } from './schemas/transfer-schemas';

/** What the document needs to know of the running switch: the currencies it carries a ledger for. */
export type OpenApiOptions = { currencies: readonly string[] };

type Paths = Record<string, Record<string, Operation>>;

/** The OpenAPI 3.1 document of the switch's HTTP API, served at /openapi.json; a test keeps it equal to the routes. */
export function buildOpenApiDocument(options: OpenApiOptions = { currencies: Object.keys(currencies) }): JsonSchema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hisaab switch API',
      version: '1.0.0',
      description: `Any-to-any payments switch. JSON only; errors are {"error":{"code","message","details"}}. Bodies over ${apiLimits.bodyBytesMax / 1024} KiB (${apiLimits.batchBodyBytesMax / 1024} KiB for the transfer batch) are refused with 413; unknown fields with 400. A method a path does not declare answers 405 with Allow.`,
    },
    servers: [{ url: '/' }],
    paths: withRateLimitAnswers({
      ...participantPaths(),
      ...keyPaths(),
      ...directoryPaths(),
      ...transferPaths(),
      ...settlementPaths(),
      ...webhookPaths(),
      ...gatewayPaths(),
      ...disputePaths(),
      ...fxPaths(),
      ...signingPaths(),
      ...dataSubjectPaths(),
      ...regulatorDashboardPaths(),
      ...systemPaths(),
      ...auditPaths(),
    }),
    components: {
      schemas: { ...componentSchemas(), ...carriedCurrencySchemas(options.currencies) },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Operator key, or a key issued by the switch' } },
    },
  };
}

/**
 * `Currency` and the amounts, completed with what this switch carries: the routes refuse a currency it has no
 * ledger for, and core/money.ts an amount past the currency's maximum. Amounts are described for the largest
 * maximum among the carried currencies (each currency's own is in the description).
 */
function carriedCurrencySchemas(codes: readonly string[]): Record<string, JsonSchema> {
  const carried = codes.map((code) => currencyOf(code));
  const widest = carried.reduce<Currency | undefined>(
    (largest, entry) => (largest === undefined || entry.amountMinorMax > largest.amountMinorMax ? entry : largest),
    undefined,
  );
  const maxima = carried.map((entry) => `${entry.code} ${majorText(entry)}`).join(', ');
  const amount = (positive: boolean): JsonSchema => ({
    type: 'string',
    maxLength: apiLimits.amountTextLengthMax,
    ...(widest === undefined ? {} : { pattern: amountPattern(widest, positive) }),
    description: `A decimal string, no sign or exponent, at most the currency's minor digits after the point${positive ? ', above zero' : ''}; at most ${maxima}.`,
    examples: ['1500.00'],
  });
  return {
    Currency: { type: 'string', enum: [...codes], description: 'A currency this switch carries a ledger for (ISO 4217)' },
    Amount: amount(false),
    PositiveAmount: amount(true),
  };
}

function majorText(unit: Currency): string {
  const text = unit.amountMinorMax.toString().padStart(unit.minorUnit + 1, '0');
  return unit.minorUnit === 0 ? text : `${text.slice(0, -unit.minorUnit)}.${text.slice(-unit.minorUnit)}`;
}

/**
 * An exact pattern for the amounts core/money.ts accepts up to a currency's maximum, which must be a power of
 * ten (10 billion rupees is 10^12 paisa): fewer integer digits than the maximum's, or the maximum itself.
 */
export function amountPattern(unit: Currency, positive: boolean): string {
  const integerDigitsMax = unit.amountMinorMax.toString().length - 1 - unit.minorUnit;
  if (unit.amountMinorMax !== 10n ** BigInt(integerDigitsMax + unit.minorUnit) || integerDigitsMax < 1) {
    throw new Error(`the maximum amount of ${unit.code} is not a power of ten of whole units, which amountPattern describes`);
  }
  const fraction = unit.minorUnit === 0 ? '' : `(\\.[0-9]{1,${unit.minorUnit}})?`;
  const zeroFraction = unit.minorUnit === 0 ? '' : `(\\.0{1,${unit.minorUnit}})?`;
  // A positive amount below 1 has a fraction that is not all zeros: its first non-zero digit at place 1, 2, ...
  const belowOne = Array.from(
    { length: unit.minorUnit },
    (_unused, place) => `0{${place}}[1-9][0-9]{0,${unit.minorUnit - 1 - place}}`,
  ).join('|');
  const below = positive
    ? `[1-9][0-9]{0,${integerDigitsMax - 1}}${fraction}${unit.minorUnit === 0 ? '' : `|0\\.(${belowOne})`}`
    : `(0|[1-9][0-9]{0,${integerDigitsMax - 1}})${fraction}`;
  return `^(${below}|1${'0'.repeat(integerDigitsMax)}${zeroFraction})$`;
}

function participantPaths(): Paths {
  return {
    '/v1/participants': {
      post: operation({
        summary: 'Onboard a participant (bank or wallet)',
        roles: ['operator'],
        body: registerParticipantSchema,
        idempotencyKey: 'optional',
        responses: {
          '201': answer('the participant', participantResponse),
          '409': errorAnswer('PARTICIPANT_EXISTS, BANK_CODE_TAKEN, INSTITUTION_ID_TAKEN or IDEMPOTENCY_CONFLICT'),
        },
      }),
      get: operation({
        summary: 'List participants by id',
        roles: ['operator', 'regulator'],
        query: listParticipantsQuery,
        responses: {
          '200': answer('a page of participants', participantPageResponse),
          '400': errorAnswer(
            'VALIDATION_FAILED, or INVALID_CURSOR: a cursor this list did not give out (VALIDATION_FAILED until 2026-12-04)',
          ),
        },
      }),
    },
    '/v1/participants/{id}': {
      get: operation({
        summary: 'One participant (a participant may read its own)',
        roles: ['operator', 'regulator', 'participant'],
        path: participantIdParams,
        responses: { '200': answer('the participant', participantResponse), '404': errorAnswer('PARTICIPANT_NOT_FOUND') },
      }),
      patch: operation({
        summary: 'Activate, deactivate, change the net debit cap, the rate limit or the endpoints (the operator only)',
        roles: ['operator'],
        path: participantIdParams,
        body: changeParticipantSchema,
        responses: {
          '200': answer('the participant', participantResponse),
          '404': errorAnswer('PARTICIPANT_NOT_FOUND'),
          '409': errorAnswer(
            "CONCURRENT_UPDATE: another change won; read and retry. INSTITUTION_ID_TAKEN: another bank has the endpoints' institutionId",
          ),
          '422': errorAnswer(
            'CURRENCY_NOT_SUPPORTED: the participant holds no position in that currency. ENDPOINT_KIND_MISMATCH: HTTP endpoints for a bank on ISO 8583, or the other way round',
          ),
        },
      }),
    },
    '/v1/participants/{id}/funds': {
      post: operation({
        summary: 'Record liquidity moved at the central bank',
        roles: ['operator'],
        path: participantIdParams,
        body: fundsSchema,
        idempotencyKey: 'required',
        responses: {
          '201': answer('the participant', participantResponse),
          '404': errorAnswer('PARTICIPANT_NOT_FOUND'),
          '422': errorAnswer(
            'INSUFFICIENT_LIQUIDITY: OUT beyond liquidity minus position and reserved, or CURRENCY_NOT_SUPPORTED: the participant holds no position in that currency',
          ),
        },
      }),
    },
  };
}

function keyPaths(): Paths {
  return {
    '/v1/participants/{id}/keys': {
      post: operation({
        summary:
          "Issue an API key, shown this once (a participant's first key also brings its first signing secret; the body, if any, is {})",
        roles: ['operator'],
        path: participantIdParams,
        idempotencyKey: 'optional',
        responses: {
          '201': answer('the key (stored hashed), and on the first key the signing secret', issuedKeyResponse),
          '404': errorAnswer('PARTICIPANT_NOT_FOUND'),
          '422': errorAnswer('KEY_LIMIT_REACHED'),
        },
      }),
    },
    '/v1/participants/{id}/signing-secrets': {
      post: operation({
        summary:
          'Rotate the callback signing secret: the new one is shown this once, and the old ones keep signing beside it for overlapSeconds',
        roles: ['operator', 'participant'],
        path: participantIdParams,
        idempotencyKey: 'optional',
        body: rotateSigningSecretSchema,
        responses: {
          '201': answer('the new signing secret, shown this once', rotatedSigningSecretResponse),
          '404': errorAnswer('PARTICIPANT_NOT_FOUND'),
          '409': errorAnswer('SIGNING_SECRET_LIMIT_REACHED or IDEMPOTENCY_CONFLICT'),
        },
      }),
    },
    '/v1/participants/{id}/client-certificates': {
      post: operation({
        summary:
          'Bind a client certificate (mutual TLS) to the participant, by its PEM or its SHA-256 fingerprint: with HISAAB_TLS_CLIENT_CA set, its requests must come over one of these',
        roles: ['operator'],
        path: participantIdParams,
        idempotencyKey: 'optional',
        body: registerClientCertificateSchema,
        responses: {
          '201': answer('the binding', registeredClientCertificateResponse),
          '404': errorAnswer('PARTICIPANT_NOT_FOUND'),
          '409': errorAnswer('CLIENT_CERTIFICATE_EXISTS or IDEMPOTENCY_CONFLICT'),
          '422': errorAnswer('CLIENT_CERTIFICATE_LIMIT_REACHED'),
        },
      }),
      get: operation({
        summary: 'The client certificates bound to the participant, oldest first',
        roles: ['operator'],
        path: participantIdParams,
        responses: {
          '200': answer('the bindings', clientCertificateListResponse),
          '404': errorAnswer('PARTICIPANT_NOT_FOUND'),
        },
      }),
    },
    '/v1/participants/{id}/client-certificates/{fingerprint256}': {
      delete: operation({
        summary: 'Unbind a client certificate: requests over it are refused from now on (403 CLIENT_CERTIFICATE_MISMATCH)',
        roles: ['operator'],
        path: participantClientCertificateParams,
        responses: {
          '204': { description: 'unbound' },
          '404': errorAnswer('CLIENT_CERTIFICATE_NOT_FOUND or PARTICIPANT_NOT_FOUND'),
          '409': errorAnswer('CONCURRENT_UPDATE'),
        },
      }),
    },
    '/v1/participants/{id}/keys/{keyId}': {
      delete: operation({
        summary: 'Revoke a participant key',
        roles: ['operator'],
        path: participantKeyParams,
        responses: {
          '204': { description: 'revoked' },
          '404': errorAnswer('KEY_NOT_FOUND or PARTICIPANT_NOT_FOUND'),
          '409': errorAnswer('CONCURRENT_UPDATE'),
        },
      }),
    },
    '/v1/keys': {
      post: operation({
        summary: 'Issue a read-only regulator key ({"role":"REGULATOR","name"}), shown this once',
        roles: ['operator'],
        idempotencyKey: 'optional',
        body: issueRoleKeySchema,
        responses: { '201': answer('the key', issuedRegulatorKeyResponse), '422': errorAnswer('KEY_LIMIT_REACHED') },
      }),
    },
    '/v1/keys/{keyId}': {
      delete: operation({
        summary: 'Revoke a regulator key',
        roles: ['operator'],
        path: regulatorKeyParams,
        responses: { '204': { description: 'revoked' }, '404': errorAnswer('KEY_NOT_FOUND'), '409': errorAnswer('CONCURRENT_UPDATE') },
      }),
    },
  };
}

function directoryPaths(): Paths {
  return {
    '/v1/aliases': {
      post: operation({
        summary: 'Register (or update) an alias the caller holds',
        roles: ['participant'],
        body: registerAliasSchema,
        idempotencyKey: 'optional',
        responses: {
          '201': answer('the alias', aliasResponse),
          '409': errorAnswer('ALIAS_TAKEN, CONCURRENT_UPDATE or IDEMPOTENCY_CONFLICT'),
          '422': errorAnswer("ACCOUNT_NOT_AT_PARTICIPANT: an IBAN of another bank than the caller's"),
        },
      }),
    },
    '/v1/aliases/{type}/{value}': {
      delete: operation({
        summary: 'Remove an alias (its owner only)',
        roles: ['participant'],
        path: aliasParams,
        responses: { '204': { description: 'removed' }, '404': errorAnswer('ALIAS_NOT_FOUND'), '409': errorAnswer('CONCURRENT_UPDATE') },
      }),
    },
    '/v1/parties/{type}/{value}': {
      get: operation({
        summary: 'Confirmation of payee: who is paid for an alias or an IBAN, name masked',
        roles: ['participant'],
        path: partyParams,
        responses: { '200': answer('the party', partyResponse), '404': errorAnswer('PARTY_NOT_FOUND') },
      }),
    },
  };
}

/** The transfer contract of issue 4. */
function transferPaths(): Paths {
  return {
    '/v1/transfers': {
      post: operation({
        summary: 'Send a transfer (the caller is the payer); the same id and body answer 200 with the same transfer',
        roles: ['participant'],
        body: transferRequestSchema,
        responses: {
          '200': answer('a repeat of an earlier transfer', transferResponse),
          '201': answer('the transfer, COMMITTED or ABORTED', transferResponse),
          '403': errorAnswer(
            "PAYER_NOT_OWNED: the payer is another participant's customer (an alias it holds, or an IBAN of its bank code); FORBIDDEN",
          ),
          '404': errorAnswer('PARTY_NOT_FOUND, or SESSION_NOT_FOUND for a checkoutSessionId that does not exist'),
          '409': errorAnswer('IDEMPOTENCY_CONFLICT: this payer used the id with another body'),
          '422': errorAnswer(
            'a rule refused it, e.g. CURRENCY_NOT_SUPPORTED, PAYEE_IS_PAYER, SESSION_AMOUNT_MISMATCH, SESSION_MERCHANT_MISMATCH or MERCHANT_INACTIVE',
          ),
        },
      }),
      get: operation({
        summary: "The caller's transfers, oldest first",
        roles: ['participant', 'operator', 'regulator'],
        query: transferListQuery,
        responses: {
          '200': answer('a page', transferPageResponse),
          '400': errorAnswer(
            'VALIDATION_FAILED (also a to not after from, naming query.to: an empty page until 2026-12-04), or INVALID_CURSOR',
          ),
        },
      }),
    },
    '/v1/transfers/batch': {
      post: operation({
        summary: `Up to ${apiLimits.transferBatchSizeMax} transfers; one result per item, in order (outcome TRANSFER or ERROR)`,
        roles: ['participant'],
        body: transferBatchSchema,
        responses: { '200': answer('per-item results', batchResponse) },
      }),
    },
    '/v1/transfers/{id}': {
      get: operation({
        summary: 'One transfer: its payer, its payee, the operator or a regulator; anyone else gets 404',
        roles: ['participant', 'operator', 'regulator'],
        path: transferIdParams,
        responses: {
          '200': answer('the transfer', transferResponse),
          '404': errorAnswer('TRANSFER_NOT_FOUND'),
          '409': errorAnswer('TRANSFER_ID_AMBIGUOUS: two payers chose this id and this key sees both; ask by switchTransferId'),
        },
      }),
    },
  };
}

/** Merchant webhook events (issue 11): the list per merchant and the resend. */
function webhookPaths(): Paths {
  return {
    '/v1/merchants/{id}/events': {
      get: operation({
        summary: "A merchant's webhook events, newest first, with their delivery status and attempts (a merchant reads its own)",
        roles: ['operator', 'regulator', 'merchant'],
        path: merchantEventsParams,
        query: merchantEventsQuery,
        responses: {
          '200': answer('a page of events', webhookEventPageResponse),
          '400': errorAnswer('VALIDATION_FAILED or INVALID_CURSOR'),
          '404': errorAnswer("MERCHANT_NOT_FOUND (another merchant's events)"),
        },
      }),
    },
    '/v1/events/{id}/resend': {
      post: operation({
        summary: 'Queue a webhook event again: the same event id and body, delivered on the webhook schedule',
        roles: ['operator', 'merchant'],
        path: webhookEventParams,
        idempotencyKey: 'optional',
        responses: {
          '202': answer('the event, PENDING again', webhookEventResponse),
          '404': errorAnswer("WEBHOOK_EVENT_NOT_FOUND (unknown, or another merchant's)"),
          '409': errorAnswer('IDEMPOTENCY_CONFLICT'),
          '503': errorAnswer('OUTBOX_FULL or OUTBOX_STOPPED'),
        },
      }),
    },
  };
}

/** The settlement and regulator report paths (issue 6). */
function settlementPaths(): Paths {
  return {
    '/v1/settlement/windows': {
      get: operation({
        summary: 'Settlement windows, newest first; JSON or (Accept: text/csv) the page as CSV',
        roles: ['operator', 'regulator', 'participant'],
        query: listWindowsQuery,
        responses: {
          '200': csvOrJson(
            'a page of windows; as CSV under the header id,currency,state,openedAt,closedAt,settledAt,reference',
            settlementWindowPageResponse,
            'SettlementWindowPage',
          ),
          '400': errorAnswer(
            'VALIDATION_FAILED, or INVALID_CURSOR: a cursor this list did not give out (VALIDATION_FAILED until 2026-12-04)',
          ),
        },
      }),
    },
    '/v1/settlement/windows/close': {
      post: operation({
        summary: "Close the currency's open window and open the next, in one step",
        roles: ['operator'],
        body: closeWindowSchema,
        idempotencyKey: 'optional',
        responses: {
          '200': answer('the closed window and the one opened', closedWindowResponse),
          '409': errorAnswer('TOO_MANY_UNSETTLED_WINDOWS, CONCURRENT_UPDATE or IDEMPOTENCY_CONFLICT'),
        },
      }),
    },
    '/v1/settlement/windows/{id}/settle': {
      post: operation({
        summary: 'Record the RTGS confirmation of a closed window and post its settlement transfers',
        roles: ['operator'],
        path: windowIdParams,
        body: settleWindowSchema,
        idempotencyKey: 'optional',
        responses: {
          '200': answer('the window, SETTLED', settlementWindowResponse),
          '404': errorAnswer('WINDOW_NOT_FOUND'),
          '409': errorAnswer('WINDOW_NOT_CLOSED (still open), WINDOW_ALREADY_SETTLED or IDEMPOTENCY_CONFLICT'),
        },
      }),
    },
    '/v1/settlement/windows/{id}/report': {
      get: operation({
        summary: "A window's settlement report, JSON or CSV (a participant sees its own line)",
        roles: ['operator', 'regulator', 'participant'],
        path: windowIdParams,
        query: reportQuery,
        responses: {
          '200': {
            ...answer(
              'the report; with format=csv (or, without format, Accept: text/csv) the participant lines under the header participant,sentCount,sentValue,receivedCount,receivedValue,fees,net',
              settlementReportResponse,
            ),
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/SettlementReport' } },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          '404': errorAnswer('WINDOW_NOT_FOUND'),
        },
      }),
    },
    '/v1/settlement/windows/{id}/statements/{participant}': {
      get: operation({
        summary: "A participant's settlement statement for a window, ISO 20022 camt.053.001.08 XML (a participant reads its own)",
        roles: ['operator', 'regulator', 'participant'],
        path: statementParams,
        responses: {
          '200': {
            description: 'the statement: opening (OPBD) and closing (CLBD) balance, one entry per net movement',
            content: { 'application/xml': { schema: { type: 'string' } } },
          },
          '404': errorAnswer('WINDOW_NOT_FOUND or PARTICIPANT_NOT_FOUND'),
        },
      }),
    },
    '/v1/reports/summary': {
      get: operation({
        summary:
          'Payment statistics: by participant, purpose, outcome, abort reason and UTC hour (not funds movements or settlement postings)',
        roles: ['regulator', 'operator'],
        query: summaryQuery,
        responses: {
          '200': answer('the summary', summaryResponse),
          '400': errorAnswer('VALIDATION_FAILED or REPORT_RANGE_TOO_WIDE (more than 744 whole hours)'),
        },
      }),
    },
    '/v1/reports/participants': {
      get: operation({
        summary:
          'Per participant (participant: that one only), transfers created in [from, to) as payer and as payee: approved, business and technical declines, reversals received, completion latency, position and cap now; JSON or (Accept: text/csv) CSV',
        roles: ['regulator', 'operator'],
        query: participantStatisticsQuery,
        responses: {
          '200': csvOrJson(
            'the statistics; as CSV under the header participant,asPayer.count,asPayer.value,…',
            participantStatisticsResponse,
            'ParticipantStatistics',
          ),
          '400': errorAnswer('VALIDATION_FAILED or REPORT_RANGE_TOO_WIDE (more than 31 days)'),
        },
      }),
    },
    '/v1/reports/timeseries': {
      get: operation({
        summary:
          'Transfers created in [from, to) by hour or by Asia/Karachi day (a day starts at 00:00 PKT = 19:00Z the day before: Pakistan keeps UTC+05:00 all year, no daylight saving), bucket starts as ISO instants, empty buckets as zeros, and the totals of the buckets; participant matches payer or payee; JSON or (Accept: text/csv) CSV of the buckets',
        roles: ['regulator', 'operator'],
        query: timeseriesQuery,
        responses: {
          '200': csvOrJson(
            'the buckets; as CSV under the header start,count,value,approved,businessDeclines,technicalDeclines',
            timeseriesResponse,
            'Timeseries',
          ),
          '400': errorAnswer('VALIDATION_FAILED or REPORT_RANGE_TOO_WIDE (more than 744 buckets)'),
        },
      }),
    },
  };
}

/** A report that answers JSON, or CSV when the client asks for `text/csv`. */
function csvOrJson(description: string, schema: Parameters<typeof answer>[1], schemaId: string): Record<string, unknown> {
  return {
    ...answer(description, schema),
    content: {
      'application/json': { schema: { $ref: `#/components/schemas/${schemaId}` } },
      'text/csv': { schema: { type: 'string' } },
    },
  };
}

/** The regulator's dashboard (issue 13): a static page and its assets, no key (the page asks for one and sends it to the API). */
function regulatorDashboardPaths(): Paths {
  const asset = (summary: string, type: string) => ({
    get: operation({
      summary,
      roles: [],
      responses: { '200': { description: type, content: { [type]: { schema: { type: 'string' } } } } },
    }),
  });
  return {
    '/regulator': asset(
      "The regulator's dashboard: a read-only page that reads the statistics API with a regulator or operator key",
      'text/html',
    ),
    '/regulator/assets/regulator.js': asset("The dashboard's script (no inline script: the page's CSP forbids it)", 'text/javascript'),
    '/regulator/assets/regulator.css': asset("The dashboard's style sheet", 'text/css'),
    '/regulator/assets/chart.umd.min.js': asset('Chart.js, served from the npm package the switch depends on', 'text/javascript'),
  };
}

function auditPaths(): Paths {
  return {
    '/v1/audit': {
      get: operation({
        summary:
          "The audit trail, oldest first: the operator's and regulators' requests and refused authentications, hash-chained (npm run verify checks the chain). A page may be short when the filter matches little: follow nextCursor until null",
        roles: ['operator', 'regulator'],
        query: auditQuery,
        responses: { '200': answer('a page of entries', auditPageResponse), '400': errorAnswer('VALIDATION_FAILED or INVALID_CURSOR') },
      }),
    },
  };
}

function systemPaths(): Paths {
  return {
    '/healthz': {
      get: operation({
        summary: 'Liveness and read-model health',
        roles: [],
        responses: { '200': answer('healthy', healthResponse), '503': answer('unhealthy', healthResponse) },
      }),
    },
    '/metrics': {
      get: operation({
        summary: 'Prometheus metrics',
        roles: [],
        responses: { '200': { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
      }),
    },
    '/openapi.json': {
      get: operation({ summary: 'This document', roles: [], responses: { '200': answer('OpenAPI 3.1', openApiResponse) } }),
    },
  };
}
