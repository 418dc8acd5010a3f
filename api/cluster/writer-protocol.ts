import { z } from 'zod';
import type { NewEvent } from '../../core/eventstore/event';
import type { ExpectedRevision } from '../../core/eventstore/expected-revision';
import type { Account } from '../../core/ledger/account';
import type { LedgerCommand } from '../../core/ledger/commands';
import type { CompanionAppend } from '../../core/ledger/ledger-engine-contract';
import { batchCommandsMax } from '../../core/ledger/ledger-limits';
import { ledgerResultCodes } from '../../core/ledger/result-codes';
import type { Transfer } from '../../core/ledger/transfer';
import type { Delivery } from '../../core/outbox/delivery';
import type { DomainErrorCode } from '../../core/error-catalogue';
import { domainErrorTables } from '../../core/error-catalogue';
import { errorCatalogue, type ErrorCode } from '../http-error';

/**
 * The messages between a front-end worker and the writer process over the cluster's IPC channel
 * (docs/ARCHITECTURE.md section 9c). A worker runs the payment orchestration itself; what it sends the writer are
 * the writes only the one writer may make, as commands: ledger submits (with their companion events), lookups in
 * the ledger engine's memory, event-store appends, outbox enqueues, and credit requests to bank hosts (whose
 * channels stay in the writer). Each side validates what it receives: a message is data from another process,
 * and a worker built from another version of the code must be refused, not trusted. The channel uses Node's
 * `advanced` serialization (structured clone), so the ledger's bigint amounts cross as they are.
 *
 * Requests queued within one event-loop turn travel in one message, and so do answers: one IPC write carries many
 * commands under load.
 */

/** Commands in one message, at most: the in-flight bound of a worker is larger, so a busy turn takes several. */
export const requestsPerMessageMax = 512;

const requestId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const participantId = z.string().min(1).max(128);
const currency = z.string().regex(/^[A-Z]{3}$/);
const streamName = z.string().min(1).max(512);
const plainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A bigint revision or one of the named expectations. */
const expectedRevisionSchema = z.union([
  z.enum(['no_stream', 'stream_exists', 'any']),
  z.bigint().nonnegative(),
]) as z.ZodType<ExpectedRevision>;

/** The event store checks an event's size and content itself (serializeEvent); the link checks its shape. */
const newEventSchema = z.custom<NewEvent>(
  (value) =>
    plainObject(value) &&
    typeof value['id'] === 'string' &&
    typeof value['type'] === 'string' &&
    plainObject(value['data']) &&
    plainObject(value['metadata']),
  { message: 'an event: id, type, data and metadata' },
);

/** The ledger engine decides every command itself (a malformed one gets its result code); the link checks its kind. */
const ledgerCommandSchema = z.custom<LedgerCommand>(
  (value) =>
    plainObject(value) &&
    ['create_account', 'change_debit_limit', 'transfer', 'pending_transfer', 'post_pending', 'void_pending'].includes(
      String(value['type']),
    ),
  { message: 'a ledger command' },
);

const resultCodeSchema = z.enum(ledgerResultCodes);

const companionSchema = z.strictObject({
  stream: streamName,
  expectedRevision: expectedRevisionSchema,
  placement: z.enum(['before_ledger', 'after_ledger']),
  resultIndex: z.number().int().nonnegative().max(batchCommandsMax).optional(),
  acceptedWhen: z.array(resultCodeSchema).max(ledgerResultCodes.length),
  accepted: z.array(newEventSchema).max(16),
  acceptedFollowUp: z
    .strictObject({
      resultIndex: z.number().int().nonnegative().max(batchCommandsMax),
      acceptedWhen: z.array(resultCodeSchema).max(ledgerResultCodes.length),
      events: z.array(newEventSchema).max(16),
    })
    .optional(),
  refused: z.array(newEventSchema).max(16),
  refusal: z
    .strictObject({
      eventType: z.string().max(128),
      resultField: z.string().max(64),
      reasonField: z.string().max(64),
      reasons: z.record(z.string(), z.string()),
      otherReason: z.string().max(128),
    })
    .optional(),
}) as z.ZodType<CompanionAppend>;

const deliverySchema = z.custom<Delivery>(
  (value) =>
    plainObject(value) &&
    typeof value['deliveryId'] === 'string' &&
    typeof value['kind'] === 'string' &&
    typeof value['destination'] === 'string' &&
    plainObject(value['payload']),
  { message: 'a delivery' },
);

const partySchema = z.strictObject({ type: z.string().max(64), value: z.string().max(256) });
const creditMessageSchema = z.strictObject({
  transferId: z.string().min(1).max(512),
  amount: z.string().max(64),
  currency,
  payee: partySchema,
  payer: z.strictObject({ participant: participantId, name: z.string().max(256).optional() }),
  merchant: z.strictObject({ id: z.string().min(1).max(64), settlementAccount: partySchema }).optional(),
});

export const writerRequestSchema = z.discriminatedUnion('method', [
  z.strictObject({
    id: requestId,
    method: z.literal('ledger.submit'),
    currency,
    commands: z.array(ledgerCommandSchema).max(batchCommandsMax),
    // The engine takes one companion per command (a batch's transfers), or four for a smaller submit.
    companions: z.array(companionSchema).max(batchCommandsMax),
  }),
  z.strictObject({ id: requestId, method: z.literal('ledger.lookupTransfer'), currency, transferId: z.string().min(1).max(512) }),
  z.strictObject({ id: requestId, method: z.literal('ledger.lookupAccount'), currency, accountId: z.string().min(1).max(512) }),
  z.strictObject({
    id: requestId,
    method: z.literal('store.append'),
    appends: z
      .array(
        z.strictObject({ stream: streamName, events: z.array(newEventSchema).min(1).max(64), expectedRevision: expectedRevisionSchema }),
      )
      .min(1)
      .max(16),
  }),
  z.strictObject({
    id: requestId,
    method: z.literal('outbox.enqueue'),
    payee: participantId,
    delivery: deliverySchema,
    correlationId: z.string().min(1).max(512),
  }),
  z.strictObject({
    id: requestId,
    method: z.literal('bank.requestCredit'),
    payee: participantId,
    message: creditMessageSchema,
    deadlineMs: z.number().int().positive().max(60_000),
  }),
  z.strictObject({
    id: requestId,
    method: z.literal('transfer.completed'),
    state: z.enum(['COMMITTED', 'ABORTED']),
    abortReason: z.string().max(64).nullable(),
  }),
]);
export type WriterRequest = z.infer<typeof writerRequestSchema>;

export const writerRequestsMessageSchema = z.strictObject({
  type: z.literal('hisaab.writer.requests'),
  requests: z.array(writerRequestSchema).min(1).max(requestsPerMessageMax),
});

const errorCodeSchema = z.custom<ErrorCode>((value) => typeof value === 'string' && Object.hasOwn(errorCatalogue, value), {
  message: 'an error code of the catalogue',
});

const domainErrorCodes = new Set(Object.values(domainErrorTables).flatMap((table) => Object.keys(table)));
const domainErrorCodeSchema = z.custom<DomainErrorCode>((value) => typeof value === 'string' && domainErrorCodes.has(value), {
  message: 'a domain error code',
});

/** The ledger's own records are its copies; the worker reads the fields the transfer service needs. */
const transferRecordSchema = z.custom<Transfer>((value) => plainObject(value) && typeof value['id'] === 'string', {
  message: 'a ledger transfer',
});
const accountRecordSchema = z.custom<Account>((value) => plainObject(value) && typeof value['id'] === 'string', {
  message: 'a ledger account',
});

const creditOutcomeSchema = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('accepted') }),
  z.strictObject({ outcome: z.literal('rejected'), reason: z.string().max(300) }),
  z.strictObject({ outcome: z.literal('unavailable'), detail: z.string().max(2_000) }),
  z.strictObject({ outcome: z.literal('unknown'), detail: z.string().max(2_000) }),
]);

export const writerAnswerSchema = z.discriminatedUnion('outcome', [
  z.strictObject({ id: requestId, outcome: z.literal('submitted'), results: z.array(resultCodeSchema), position: z.bigint().nullable() }),
  z.strictObject({ id: requestId, outcome: z.literal('transfer'), transfer: transferRecordSchema.nullable() }),
  z.strictObject({ id: requestId, outcome: z.literal('account'), account: accountRecordSchema.nullable() }),
  z.strictObject({
    id: requestId,
    outcome: z.literal('appended'),
    results: z.array(z.strictObject({ nextExpectedRevision: z.bigint(), position: z.bigint() })),
  }),
  z.strictObject({ id: requestId, outcome: z.literal('credited'), credit: creditOutcomeSchema }),
  z.strictObject({ id: requestId, outcome: z.literal('done') }),
  /** The event store's WrongExpectedRevisionError, rebuilt in the worker: duplicates racing in two workers meet here. */
  z.strictObject({
    id: requestId,
    outcome: z.literal('wrong_revision'),
    stream: streamName,
    expected: expectedRevisionSchema,
    actual: z.bigint().nullable(),
  }),
  /** A DomainError of the writer's core (an outbox full, a ledger stopped), rebuilt in the worker as one. */
  z.strictObject({
    id: requestId,
    outcome: z.literal('domain_error'),
    code: domainErrorCodeSchema,
    message: z.string().max(2_000),
    details: z.array(z.unknown()).max(100),
  }),
  z.strictObject({
    id: requestId,
    outcome: z.literal('refused'),
    code: errorCodeSchema,
    message: z.string(),
    details: z.array(z.unknown()),
    headers: z.record(z.string(), z.string()),
  }),
]);
export type WriterAnswer = z.infer<typeof writerAnswerSchema>;

export const writerAnswersMessageSchema = z.strictObject({
  type: z.literal('hisaab.writer.answers'),
  answers: z.array(writerAnswerSchema).min(1).max(requestsPerMessageMax),
});

/** Splits items into messages of at most requestsPerMessageMax. */
export function inMessages<Item>(items: readonly Item[]): Item[][] {
  const messages: Item[][] = [];
  for (let start = 0; start < items.length; start += requestsPerMessageMax)
    messages.push(items.slice(start, start + requestsPerMessageMax));
  return messages;
}

/** A worker that cannot start for a reason the operator must fix (its port is taken) says so once, then exits. */
export const workerRefusedMessageSchema = z.strictObject({ type: z.literal('hisaab.worker.refused'), message: z.string().max(2_000) });

/** A worker tells the writer it serves, once its HTTP and ISO 8583 ports both listen: the ports, shared by all workers. */
export const workerReadyMessageSchema = z.strictObject({
  type: z.literal('hisaab.worker.ready'),
  port: z.number().int().min(1).max(65_535),
  iso8583Port: z.number().int().min(1).max(65_535),
});
