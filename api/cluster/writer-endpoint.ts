import { errorBody, toErrorAnswer } from '../http-error';
import type { Logger } from '../logger';
import type { TransferCommands } from '../routes/transfers';
import { inMessages, writerRequestsMessageSchema, type WriterAnswer, type WriterRequest } from './writer-protocol';

export type WriterEndpointOptions = {
  transfers: TransferCommands;
  /** Resolves once the read models show every write made so far: a worker reads its own writes from them. */
  awaitWritesVisible(): Promise<void>;
  logger: Logger;
};

/** Where answers to one worker go. */
export type AnswerChannel = { send(message: unknown): void; connected(): boolean };

/**
 * The writer's end of the link: runs the commands a front-end worker sends on the one TransferService (and
 * so the one ledger engine per currency), and answers each only once the read models show it, so that the
 * worker's next read, served from those read models, sees the write. Answers ready in one turn leave together.
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
    switch (request.method) {
      case 'transfer.execute': {
        // The channel and id scope are those of the HTTP route: a worker only forwards what a client POSTed.
        const execution = await this.options.transfers.execute(request.payer, request.request, 'api', 'payer');
        await this.options.awaitWritesVisible();
        return { id: request.id, outcome: 'executed', view: execution.view, replayed: execution.replayed };
      }
      case 'transfer.find':
        return { id: request.id, outcome: 'found', view: await this.options.transfers.find(request.transferId) };
    }
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

/** An operating error as the answer the client would have had from a single process; anything else as INTERNAL. */
function refusal(id: number, error: unknown, logger: Logger): WriterAnswer {
  const answer = toErrorAnswer(error);
  if (answer !== null) {
    const { code, message, details } = answer.body.error;
    return { id, outcome: 'refused', code, message, details: [...details], headers: answer.headers };
  }
  logger.error({ err: error }, 'unhandled error in a command from a worker');
  const internal = errorBody('INTERNAL', 'an internal error occurred in the ledger writer; the operator finds it in the log').error;
  return { id, outcome: 'refused', code: internal.code, message: internal.message, details: [], headers: {} };
}
