import { z } from 'zod';
import { errorCatalogue, type ErrorCode } from '../http-error';
import { transferRequestSchema } from '../schemas/transfer-schemas';

/**
 * The messages between a front-end worker and the writer process over the cluster's IPC channel
 * (docs/ARCHITECTURE.md section 9c). Each side validates what it receives: a message is data from another
 * process, and a worker built from another version of the code must be refused, not trusted.
 *
 * Requests queued within one event-loop turn travel in one message, and so do answers: one IPC write (one
 * JSON encoding, one syscall) carries many commands under load.
 */

/** Commands in one message, at most: the in-flight bound of a worker is larger, so a busy turn takes several. */
export const requestsPerMessageMax = 512;

const requestId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const participantId = z.string().min(1).max(128);

export const writerRequestSchema = z.discriminatedUnion('method', [
  z.strictObject({ id: requestId, method: z.literal('transfer.execute'), payer: participantId, request: transferRequestSchema }),
  z.strictObject({ id: requestId, method: z.literal('transfer.find'), transferId: z.string().min(1).max(512) }),
]);
export type WriterRequest = z.infer<typeof writerRequestSchema>;

export const writerRequestsMessageSchema = z.strictObject({
  type: z.literal('hisaab.writer.requests'),
  requests: z.array(writerRequestSchema).min(1).max(requestsPerMessageMax),
});

const transferViewSchema = z.strictObject({
  id: z.string(),
  switchTransferId: z.string(),
  state: z.enum(['COMMITTED', 'ABORTED', 'IN_FLIGHT']),
  abortReason: z.string().nullable(),
  payerParticipant: z.string(),
  payeeParticipant: z.string(),
  payer: z.strictObject({ type: z.string(), value: z.string(), name: z.string().optional() }),
  payee: z.strictObject({ type: z.string(), value: z.string() }),
  amount: z.string(),
  currency: z.string(),
  purpose: z.string(),
  note: z.string().nullable(),
  reversed: z.boolean(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});

const errorCodeSchema = z.custom<ErrorCode>((value) => typeof value === 'string' && Object.hasOwn(errorCatalogue, value), {
  message: 'an error code of the catalogue',
});

export const writerAnswerSchema = z.discriminatedUnion('outcome', [
  z.strictObject({ id: requestId, outcome: z.literal('executed'), view: transferViewSchema, replayed: z.boolean() }),
  z.strictObject({ id: requestId, outcome: z.literal('found'), view: transferViewSchema.nullable() }),
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
