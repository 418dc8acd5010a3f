import type { TransferExecution } from '../../core/transfers/transfer-service';
import type { TransferView } from '../../core/transfers/transfer-view';
import type { z } from 'zod';
import type { transferRequestSchema } from '../schemas/transfer-schemas';
import { HttpError } from '../http-error';
import type { Logger } from '../logger';
import type { TransferCommands } from '../routes/transfers';
import { inMessages, writerAnswersMessageSchema, type WriterAnswer, type WriterRequest } from './writer-protocol';

/** How a worker talks to its writer: the cluster's IPC channel (process.send and its 'message' events). */
export type WriterChannel = {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  connected(): boolean;
};

export type WriterLinkOptions = {
  channel: WriterChannel;
  logger: Logger;
  /** Commands sent and not answered yet, at most; past it a request is answered 503 at once, never queued. */
  inFlightMax: number;
  /** How long a command may wait for its answer before the client gets 503 (the outcome is then unknown). */
  answerTimeoutMs: number;
};

type Pending = { resolve: (answer: WriterAnswer) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

/** A request body as RPC sends it, without the id the link assigns. */
type Command = WriterRequest extends infer Request ? (Request extends WriterRequest ? Omit<Request, 'id'> : never) : never;

/**
 * A front-end worker's end of the link to the writer: the transfer commands the routes need, each sent to the
 * writer process and answered there. Commands issued within one event-loop turn leave in one message. An answer
 * that does not come within the timeout, a full link and a closed channel are all answered WRITER_UNAVAILABLE
 * (503): the client retries, and the transfer id makes the retry safe whether or not the first one ran.
 */
export class WriterLink implements TransferCommands {
  private readonly options: WriterLinkOptions;
  private readonly pending = new Map<number, Pending>();
  private queued: WriterRequest[] = [];
  private nextId = 1;

  constructor(options: WriterLinkOptions) {
    this.options = options;
    options.channel.onMessage((message) => this.receive(message));
  }

  /** The route's channel and id scope are implied: the writer runs every forwarded transfer as the HTTP route does. */
  async execute(payer: string, request: z.output<typeof transferRequestSchema>): Promise<TransferExecution> {
    const answer = await this.call({ method: 'transfer.execute', payer, request });
    if (answer.outcome !== 'executed') throw unexpected(answer);
    return { view: answer.view, replayed: answer.replayed };
  }

  async find(transferId: string): Promise<TransferView | null> {
    const answer = await this.call({ method: 'transfer.find', transferId });
    if (answer.outcome !== 'found') throw unexpected(answer);
    return answer.view;
  }

  /** Commands waiting for their answer (for tests and metrics). */
  inFlight(): number {
    return this.pending.size;
  }

  /** Fails every command still waiting: the writer is gone. */
  failAll(reason: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(unavailable(reason));
    }
  }

  private call(command: Command): Promise<WriterAnswer> {
    if (!this.options.channel.connected()) return Promise.reject(unavailable('the ledger writer is not reachable'));
    if (this.pending.size >= this.options.inFlightMax) {
      return Promise.reject(unavailable(`${this.options.inFlightMax} requests already wait for the ledger writer`));
    }
    const id = this.nextId++;
    return new Promise<WriterAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(unavailable(`the ledger writer did not answer within ${this.options.answerTimeoutMs} ms`));
      }, this.options.answerTimeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.queued.push({ ...command, id });
      if (this.queued.length === 1) setImmediate(() => this.flush());
    }).then((answer) => {
      if (answer.outcome === 'refused') throw new HttpError(answer.code, answer.message, answer.details, answer.headers);
      return answer;
    });
  }

  private flush(): void {
    const requests = this.queued;
    this.queued = [];
    for (const batch of inMessages(requests)) {
      try {
        this.options.channel.send({ type: 'hisaab.writer.requests', requests: batch });
      } catch (error) {
        this.options.logger.error({ err: error }, 'could not send commands to the ledger writer');
        for (const request of batch) this.settle(request.id, null);
      }
    }
  }

  private receive(message: unknown): void {
    const parsed = writerAnswersMessageSchema.safeParse(message);
    if (!parsed.success) {
      // Only answers travel this way; anything else is a fault of the writer, logged and dropped (the timeout answers).
      this.options.logger.error({ problem: parsed.error.issues[0]?.message }, 'the ledger writer sent a message that is not an answer');
      return;
    }
    for (const answer of parsed.data.answers) this.settle(answer.id, answer);
  }

  private settle(id: number, answer: WriterAnswer | null): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.pending.delete(id);
    if (answer === null) pending.reject(unavailable('the ledger writer is not reachable'));
    else pending.resolve(answer);
  }
}

function unavailable(reason: string): HttpError {
  return new HttpError('WRITER_UNAVAILABLE', `${reason}: retry the same request shortly`, [], { 'Retry-After': '1' });
}

function unexpected(answer: WriterAnswer): Error {
  return new Error(`the ledger writer answered ${answer.outcome} to another kind of command`);
}
