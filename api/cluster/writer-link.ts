import { WrongExpectedRevisionError } from '../../core/eventstore/expected-revision';
import { DomainError } from '../../core/errors';
import { HttpError } from '../http-error';
import type { Logger } from '../logger';
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
export type WriterCommand = WriterRequest extends infer Request ? (Request extends WriterRequest ? Omit<Request, 'id'> : never) : never;

/** An answer that is not a failure: failures are thrown by `call` as the errors they were in the writer. */
export type WriterResult = Exclude<WriterAnswer, { outcome: 'refused' | 'wrong_revision' | 'domain_error' }>;

/**
 * A front-end worker's end of the link to the writer: the commands only the writer may run (remote-writer.ts
 * turns them into the ports the transfer service uses), each sent to the writer process and answered there.
 * Commands issued within one event-loop turn leave in one message. An answer that does not come within the
 * timeout, a full link and a closed channel all fail with WRITER_UNAVAILABLE (503): the client retries, and the
 * transfer id makes the retry safe whether or not the first one ran.
 */
export class WriterLink {
  private readonly options: WriterLinkOptions;
  private readonly pending = new Map<number, Pending>();
  private queued: WriterRequest[] = [];
  private nextId = 1;

  constructor(options: WriterLinkOptions) {
    this.options = options;
    options.channel.onMessage((message) => this.receive(message));
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

  /** Runs one command in the writer; a failure there is thrown here as the same kind of error. */
  call(command: WriterCommand): Promise<WriterResult> {
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
      switch (answer.outcome) {
        case 'refused':
          throw new HttpError(answer.code, answer.message, answer.details, answer.headers);
        case 'wrong_revision':
          throw new WrongExpectedRevisionError(answer.stream, answer.expected, answer.actual);
        case 'domain_error':
          throw new DomainError(answer.code, answer.message, answer.details);
        default:
          return answer;
      }
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

/** The writer answered a command with the answer of another kind: a programming error on one side. */
export function unexpected(answer: WriterAnswer): Error {
  return new Error(`the ledger writer answered ${answer.outcome} to another kind of command`);
}
