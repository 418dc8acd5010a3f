import type { NewEvent } from '../../core/eventstore/event';
import type {
  AppendResult,
  EventStore,
  StreamAppend,
  Subscription,
  SubscriptionFilter,
  SubscriptionHandler,
} from '../../core/eventstore/event-store';
import type { ExpectedRevision } from '../../core/eventstore/expected-revision';
import type { RecordedEvent } from '../../core/eventstore/event';
import type { Account } from '../../core/ledger/account';
import type { LedgerCommand } from '../../core/ledger/commands';
import type { CompanionAppend, LedgerEngine, LedgerEngineStats, SubmitReceipt } from '../../core/ledger/ledger-engine-contract';
import type { Transfer } from '../../core/ledger/transfer';
import type { CurrencyCode } from '../../core/money';
import type { Delivery } from '../../core/outbox/delivery';
import type { CreditOutcome, CreditRequestOptions, PayeeCreditMessage, PayeeCreditPort } from '../../core/payee-port';
import type { PayeeDeliveryQueue, TransferObserver } from '../../core/transfers/transfer-ports';
import { unexpected, type WriterLink } from './writer-link';

/**
 * The ports a front-end worker's transfer service runs on (docs/ARCHITECTURE.md section 9c): each write goes to
 * the writer over the link, each read that the event store can answer is made here. The transfer service cannot
 * tell them from the writer's own: the same interfaces, the same errors.
 */

/**
 * The ledger engine of one currency, in the writer. Submits carry their companions as data (CompanionAppend), so
 * that a payment's record rides in the same durable write as its money, as in one process.
 */
export class RemoteLedgerEngine implements LedgerEngine {
  readonly ledger: CurrencyCode;

  constructor(
    ledger: CurrencyCode,
    private readonly link: WriterLink,
  ) {
    this.ledger = ledger;
  }

  /** The engine runs in the writer, started there. */
  async start(): Promise<void> {}

  async submit(commands: readonly LedgerCommand[], companions: readonly CompanionAppend[] = []): Promise<SubmitReceipt> {
    const answer = await this.link.call({
      method: 'ledger.submit',
      currency: this.ledger,
      commands: [...commands],
      companions: [...companions],
    });
    if (answer.outcome !== 'submitted') throw unexpected(answer);
    return { results: answer.results, position: answer.position };
  }

  async lookupAccount(accountId: string): Promise<Account | undefined> {
    const answer = await this.link.call({ method: 'ledger.lookupAccount', currency: this.ledger, accountId });
    if (answer.outcome !== 'account') throw unexpected(answer);
    return answer.account ?? undefined;
  }

  async lookupTransfer(transferId: string): Promise<Transfer | undefined> {
    const answer = await this.link.call({ method: 'ledger.lookupTransfer', currency: this.ledger, transferId });
    if (answer.outcome !== 'transfer') throw unexpected(answer);
    return answer.transfer ?? undefined;
  }

  /** Expiry is the writer's engine's own work, on its own timer. */
  async expire(): Promise<number> {
    return 0;
  }

  /** The writer's engine holds the state; a worker knows nothing of it but the currency. */
  stats(): LedgerEngineStats {
    return { ledger: this.ledger, revision: null, queuedCommands: 0, accounts: 0, pendingTransfers: 0, rememberedTransfers: 0 };
  }

  /** The engine stops with the writer. */
  async stop(): Promise<void> {}
}

/**
 * The event store as a worker uses it: reads from its own connection (the SQLite file opened read-only beside the
 * writer, or its own EventStoreDB client), appends sent to the writer, which stays the only writer. An append is
 * answered once durable, so the next read here sees it.
 */
export class WriterAppendingEventStore implements EventStore {
  readonly multiStreamAtomic: boolean;

  constructor(
    private readonly reads: EventStore,
    private readonly link: WriterLink,
  ) {
    this.multiStreamAtomic = reads.multiStreamAtomic;
  }

  async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const [result] = await this.appendMany([{ stream, events, expectedRevision }]);
    if (result === undefined) throw new Error('the ledger writer answered an append without its result');
    return result;
  }

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const answer = await this.link.call({
      method: 'store.append',
      appends: appends.map((entry) => ({ stream: entry.stream, events: [...entry.events], expectedRevision: entry.expectedRevision })),
    });
    if (answer.outcome !== 'appended') throw unexpected(answer);
    return answer.results;
  }

  readStream(stream: string, fromRevision: bigint, limit: number): Promise<RecordedEvent[]> {
    return this.reads.readStream(stream, fromRevision, limit);
  }

  streamRevision(stream: string): Promise<bigint | null> {
    return this.reads.streamRevision(stream);
  }

  existingStreams(streams: readonly string[]): Promise<Set<string>> {
    return this.reads.existingStreams(streams);
  }

  readAll(afterPosition: bigint, limit: number, filter?: SubscriptionFilter): Promise<RecordedEvent[]> {
    return this.reads.readAll(afterPosition, limit, filter);
  }

  subscribeAll(
    afterPosition: bigint,
    handler: SubscriptionHandler,
    options?: { filter?: SubscriptionFilter; onError?: (error: unknown) => void },
  ): Subscription {
    return this.reads.subscribeAll(afterPosition, handler, options);
  }

  headPosition(): Promise<bigint> {
    return this.reads.headPosition();
  }

  /** The reading connection is the worker's own to close. */
  close(): Promise<void> {
    return this.reads.close();
  }
}

/** The writer's outboxes: a worker's transfer queues its reversals and advices there. */
export class RemoteDeliveryQueue implements PayeeDeliveryQueue {
  constructor(private readonly link: WriterLink) {}

  async enqueue(payeeParticipantId: string, delivery: Delivery, context: { correlationId: string }): Promise<void> {
    const answer = await this.link.call({
      method: 'outbox.enqueue',
      payee: payeeParticipantId,
      delivery,
      correlationId: context.correlationId,
    });
    if (answer.outcome !== 'done') throw unexpected(answer);
  }
}

/**
 * Credit requests to bank hosts, sent by the writer's ISO 8583 channels: a bank's kept-open, signed-on connection
 * is one per bank, so it stays in one process (adapters/iso8583-switch/README.md).
 */
export class RemoteBankCredit implements PayeeCreditPort {
  constructor(
    private readonly link: WriterLink,
    private readonly deadlineMsDefault: number,
  ) {}

  async requestCredit(payeeParticipantId: string, message: PayeeCreditMessage, options?: CreditRequestOptions): Promise<CreditOutcome> {
    const answer = await this.link.call({
      method: 'bank.requestCredit',
      payee: payeeParticipantId,
      message,
      deadlineMs: options?.deadlineMs ?? this.deadlineMsDefault,
    });
    if (answer.outcome !== 'credited') throw unexpected(answer);
    return answer.credit;
  }
}

/** Counts a worker's finished transfers in the writer's /metrics; a lost count is not worth failing a payment for. */
export function remoteTransferObserver(link: WriterLink, onError: (error: unknown) => void): TransferObserver {
  return {
    onCompleted: (outcome) => {
      link.call({ method: 'transfer.completed', state: outcome.state, abortReason: outcome.abortReason }).catch(onError);
    },
  };
}
