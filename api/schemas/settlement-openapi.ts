import { errors, json, operation, ref, schemaOf, type JsonSchema, type Operation } from '../openapi-kit';
import { settlementWindowPageLimitDefault, settlementWindowPageLimitMax, settlementWindowStates } from '../../core/settlement/settlement-reader';
import { closeWindowSchema, settleWindowSchema } from './settlement-schemas';

const amount: JsonSchema = { type: 'string', pattern: '^-?(0|[1-9][0-9]*)\\.[0-9]{2}$', examples: ['1500.00'] };
const instant: JsonSchema = { type: ['string', 'null'], format: 'date-time' };
const errorAnswer = (description: string) => ({ description, ...json(ref('Error')) });

/** A settlement operation: the shared form, with the error answers every operation can give. */
function settlementOperation(input: Parameters<typeof operation>[0]): Operation {
  return operation({ ...input, responses: { ...input.responses, ...errors() } });
}

const windowIdParameter: JsonSchema = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Z]{3}-[0-9]{6,9}$', examples: ['PKR-000042'] } };

const settlementWindow: JsonSchema = {
  type: 'object',
  required: ['id', 'currency', 'state', 'openedAt', 'closedAt', 'settledAt', 'reference'],
  properties: {
    id: { type: 'string', examples: ['PKR-000042'] },
    currency: { type: 'string' },
    state: { type: 'string', enum: [...settlementWindowStates] },
    openedAt: instant,
    closedAt: instant,
    settledAt: instant,
    reference: { type: ['string', 'null'], description: 'The RTGS confirmation recorded at settlement' },
  },
};

const reportLine: JsonSchema = {
  type: 'object',
  required: ['participant', 'sentCount', 'sentValue', 'receivedCount', 'receivedValue', 'fees', 'net'],
  properties: {
    participant: { type: 'string' },
    sentCount: { type: 'integer' },
    sentValue: amount,
    receivedCount: { type: 'integer' },
    receivedValue: amount,
    fees: amount,
    net: { ...amount, description: 'receivedValue - sentValue: positive, it receives; negative, it pays' },
  },
};

const report: JsonSchema = {
  type: 'object',
  required: ['windowId', 'currency', 'state', 'participants', 'totals', 'netSumZero', 'firstPosition', 'lastPosition'],
  properties: {
    windowId: { type: 'string' },
    currency: { type: 'string' },
    state: { type: 'string', enum: [...settlementWindowStates] },
    participants: { type: 'array', items: reportLine },
    totals: { type: 'object', properties: { count: { type: 'integer' }, value: amount, fees: amount } },
    netSumZero: { type: 'boolean', description: "The window's nets sum to zero" },
    firstPosition: { type: ['string', 'null'], description: "Log position of the window's first event" },
    lastPosition: { type: ['string', 'null'], description: "Log position of the window's last event (its close)" },
  },
};

const outcome: JsonSchema = {
  type: 'object',
  properties: {
    count: { type: 'integer' },
    value: amount,
    committed: { type: 'integer' },
    committedValue: amount,
    aborted: { type: 'integer' },
    abortedValue: amount,
    successRate: { type: ['string', 'null'], examples: ['0.9875'] },
  },
};

const summary: JsonSchema = {
  type: 'object',
  required: ['currency', 'from', 'to', 'totals', 'byParticipant', 'byPurpose', 'abortReasons', 'hourly'],
  properties: {
    currency: { type: 'string' },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    totals: outcome,
    byParticipant: { type: 'array', items: { type: 'object', properties: { participant: { type: 'string' }, sent: outcome, received: outcome } } },
    byPurpose: { type: 'array', items: { allOf: [outcome, { type: 'object', properties: { purpose: { type: 'string' } } }] } },
    abortReasons: { type: 'array', items: { type: 'object', properties: { reason: { type: 'string' }, count: { type: 'integer' }, value: amount } } },
    hourly: { type: 'array', items: { allOf: [outcome, { type: 'object', properties: { hour: { type: 'string', format: 'date-time' } } }] } },
  },
};

/** The settlement and regulator report paths of the OpenAPI document (issue 6). */
export function settlementOpenApiPaths(): Record<string, Record<string, unknown>> {
  return {
    '/v1/settlement/windows': {
      get: settlementOperation({
        summary: 'Settlement windows, newest first',
        roles: ['operator', 'regulator', 'participant'],
        parameters: [
          { name: 'currency', in: 'query', schema: { type: 'string', pattern: '^[A-Z]{3}$' } },
          { name: 'state', in: 'query', schema: { type: 'string', enum: [...settlementWindowStates] } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: settlementWindowPageLimitMax, default: settlementWindowPageLimitDefault } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'a page of windows',
            ...json({ type: 'object', required: ['windows'], properties: { windows: { type: 'array', items: settlementWindow }, nextCursor: { type: ['string', 'null'] } } }),
          },
        },
      }),
    },
    '/v1/settlement/windows/close': {
      post: settlementOperation({
        summary: "Close the currency's open window and open the next, in one step",
        roles: ['operator'],
        body: schemaOf(closeWindowSchema),
        idempotencyKey: 'optional',
        responses: {
          '200': { description: 'the closed window and the one opened', ...json({ type: 'object', required: ['closed', 'opened'], properties: { closed: settlementWindow, opened: settlementWindow } }) },
          '409': errorAnswer('TOO_MANY_UNSETTLED_WINDOWS, CONCURRENT_UPDATE or IDEMPOTENCY_CONFLICT'),
        },
      }),
    },
    '/v1/settlement/windows/{id}/settle': {
      post: settlementOperation({
        summary: 'Record the RTGS confirmation of a closed window and post its settlement transfers',
        roles: ['operator'],
        parameters: [windowIdParameter],
        body: schemaOf(settleWindowSchema),
        idempotencyKey: 'optional',
        responses: {
          '200': { description: 'the window, SETTLED', ...json(settlementWindow) },
          '404': errorAnswer('WINDOW_NOT_FOUND'),
          '409': errorAnswer('WINDOW_NOT_CLOSED (still open) or WINDOW_ALREADY_SETTLED'),
        },
      }),
    },
    '/v1/settlement/windows/{id}/report': {
      get: settlementOperation({
        summary: "A window's settlement report, JSON or CSV (a participant sees its own line)",
        roles: ['operator', 'regulator', 'participant'],
        parameters: [windowIdParameter, { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'csv'], default: 'json' } }],
        responses: {
          '200': {
            description: 'the report; with format=csv the participant lines under the header participant,sentCount,sentValue,receivedCount,receivedValue,fees,net',
            content: { 'application/json': { schema: report }, 'text/csv': { schema: { type: 'string' } } },
          },
          '404': errorAnswer('WINDOW_NOT_FOUND'),
        },
      }),
    },
    '/v1/settlement/windows/{id}/statements/{participant}': {
      get: settlementOperation({
        summary: "A participant's settlement statement for a window, ISO 20022 camt.053.001.08 XML (a participant reads its own)",
        roles: ['operator', 'regulator', 'participant'],
        parameters: [windowIdParameter, { name: 'participant', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Z0-9_]{2,16}$' } }],
        responses: {
          '200': { description: 'the statement: opening (OPBD) and closing (CLBD) balance, one entry per net movement', content: { 'application/xml': { schema: { type: 'string' } } } },
          '404': errorAnswer('WINDOW_NOT_FOUND or PARTICIPANT_NOT_FOUND'),
        },
      }),
    },
    '/v1/reports/summary': {
      get: settlementOperation({
        summary: 'Payment statistics: by participant, purpose, outcome, abort reason and UTC hour (not funds movements or settlement postings)',
        roles: ['regulator', 'operator'],
        parameters: [
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Rounded down to the hour; default 24 hours before `to`' },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Rounded up to the hour; default the end of the current hour. At most 31 days after `from`.' },
          { name: 'currency', in: 'query', schema: { type: 'string', pattern: '^[A-Z]{3}$' }, description: 'Required when the switch carries more than one currency' },
        ],
        responses: { '200': { description: 'the summary', ...json(summary) } },
      }),
    },
  };
}
