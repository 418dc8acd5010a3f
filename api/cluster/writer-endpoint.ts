import type { EventStore } from '../../core/eventstore/event-store';
import { WrongExpectedRevisionError } from '../../core/eventstore/expected-revision';
import { DomainError, isDomainError } from '../../core/errors';
import type { LedgerEngine } from '../../core/ledger/ledger-engine';
import type { PayeeCreditPort } from '../../core/payee-port';
import type { PayeeDeliveryQueue, TransferObserver } from '../../core/transfers/transfer-ports';
import { errorBody, toErrorAnswer } from '../http-error';
import type { Logger } from '../logger';
import { inMessages, writerRequestsMessageSchema, type WriterAnswer, type WriterRequest } from './writer-protocol';

export type WriterEndpointOptions = {
  /** The one ledger engine of a currency, or undefined when the switch does not carry it. */
  ledgers: (currency: string) => LedgerEngine | undefined;
  store: EventStore;
  /** The outboxes (wallet HTTP and ISO 8583): reversals and advices the workers' transfers queue. */
  deliveries: PayeeDeliveryQueue;
  /** Credit requests to bank hosts: their ISO 8583 channels live in the writer. */
  bankCredit: PayeeCreditPort;
  /** The transfer counters of /metrics (served by the writer) see the transfers the workers finish. */
  observer: TransferObserver;
  logger: Logger;
};

/** Where answers to one worker go. */
export type AnswerChannel = { send(message: unknown): void; connected(): boolean };

/**
 * The writer's end of the link: runs the commands the front-end workers send against the one ledger engine per
 * currency, the event store (the writer is its only writer), the outboxes and the bank channels. A worker
 * orchestrates its payments itself; this is what only the one writer may do. Answers ready in one turn leave
 * together. A WrongExpectedRevisionError and a DomainError cross the link as themselves, so the worker's
 * transfer service decides on them exactly as it would in one process.
 */
export class WriterEndpoint {
  private readonly options: WriterEndpointOptions;
  private readonly outgoing = new Map<AnswerChannel, WriterAnswer[]>();

  constructor(options: WriterEndpointOptions) {
    this.options = options;
  }

  /** Handles one message from a worker; anything that is not a well-formed request message is logged and dropped. */
  receive(from: AnswerChannel, message: unknown): void {
    const parsed = writerRequestsMessageSchema.safeParse(message);
    if (!parsed.success) {
      this.options.logger.error({ problem: parsed.error.issues[0]?.message }, 'a worker sent a message that is not a writer request');
      return;
    }
    for (const request of parsed.data.requests) {
      this.run(request).then(
        (answer) => this.answer(from, answer),
        (error: unknown) => this.answer(from, refusal(request.id, error, this.options.logger)),
      );
    }
  }

  private async run(request: WriterRequest): Promise<WriterAnswer> {
    const id = request.id;
    switch (request.method) {
      case 'ledger.submit': {
        const receipt = await this.ledger(request.currency).submit(request.commands, request.companions);
        return { id, outcome: 'submitted', results: receipt.results, position: receipt.position };
      }
      case 'ledger.lookupTransfer':
        return { id, outcome: 'transfer', transfer: (await this.ledger(request.currency).lookupTransfer(request.transferId)) ?? null };
      case 'ledger.lookupAccount':
        return { id, outcome: 'account', account: (await this.ledger(request.currency).lookupAccount(request.accountId)) ?? null };
      case 'store.append': {
        const [only] = request.appends;
        const results =
          request.appends.length === 1 && only !== undefined
            ? [await this.options.store.append(only.stream, only.events, only.expectedRevision)]
            : await this.options.store.appendMany(request.appends);
        return { id, outcome: 'appended', results };
      }
      case 'outbox.enqueue':
        await this.options.deliveries.enqueue(request.payee, request.delivery, { correlationId: request.correlationId });
        return { id, outcome: 'done' };
      case 'bank.requestCredit':
        return {
          id,
          outcome: 'credited',
          credit: await this.options.bankCredit.requestCredit(request.payee, request.message, { deadlineMs: request.deadlineMs }),
        };
      case 'transfer.completed':
        // The duration is the worker's to observe; the counters only need the outcome.
        this.options.observer.onCompleted?.({ state: request.state, abortReason: request.abortReason, durationMs: 0 });
        return { id, outcome: 'done' };
    }
  }

  private ledger(currency: string): LedgerEngine {
    const ledger = this.options.ledgers(currency);
    if (ledger === undefined) throw new DomainError('CURRENCY_NOT_SUPPORTED', `the switch does not carry ${currency}`);
    return ledger;
  }

  private answer(to: AnswerChannel, answer: WriterAnswer): void {
    const queued = this.outgoing.get(to);
    if (queued !== undefined) {
      queued.push(answer);
      return;
    }
    this.outgoing.set(to, [answer]);
    setImmediate(() => {
      const answers = this.outgoing.get(to) ?? [];
      this.outgoing.delete(to);
      // A worker that died meanwhile gets nothing: its clients' connections died with it, and they retry.
      if (!to.connected()) return;
      for (const batch of inMessages(answers)) to.send({ type: 'hisaab.writer.answers', answers: batch });
    });
  }
}

/**
 * A failure as the worker must see it: a wrong expected revision and a domain error as themselves, another
 * operating error as the answer the client would have had from a single process, anything else as INTERNAL.
 */
function refusal(id: number, error: unknown, logger: Logger): WriterAnswer {
  if (error instanceof WrongExpectedRevisionError)
    return { id, outcome: 'wrong_revision', stream: error.stream, expected: error.expected, actual: error.actual };
  if (isDomainError(error)) return { id, outcome: 'domain_error', code: error.code, message: error.message, details: [...error.details] };
  const answer = toErrorAnswer(error);
  if (answer !== null) {
    const { code, message, details } = answer.body.error;
    return { id, outcome: 'refused', code, message, details: [...details], headers: answer.headers };
  }
  logger.error({ err: error }, 'unhandled error in a command from a worker');
  const internal = errorBody('INTERNAL', 'an internal error occurred in the ledger writer; the operator finds it in the log').error;
  return { id, outcome: 'refused', code: internal.code, message: internal.message, details: [], headers: {} };
}
