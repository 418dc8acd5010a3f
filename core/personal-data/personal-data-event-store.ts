import type { NewEvent, RecordedEvent } from '../eventstore/event';
import type {
  AppendResult,
  EventStore,
  StreamAppend,
  SubscribeOptions,
  Subscription,
  SubscriptionFilter,
  SubscriptionHandler,
} from '../eventstore/event-store';
import { assert } from '../assert';
import type { ExpectedRevision } from '../eventstore/expected-revision';
import { transferStreamName } from '../transfers/transfer-events';
import { inboundPaymentStreamName } from '../fx/inbound-payment-decider';
import { inboundPayerSubject, subjectOfParty } from './data-subject';
import type { PersonalDataCipher } from './personal-data-cipher';
import { inboundPaymentIdsOfWebhooks, personalEventFields, transferIdOfDelivery, type FieldSealer } from './personal-event-fields';
import { subjectReferenceOfSealed } from './sealed-text';

/**
 * Transfers whose payer's subject is remembered for the deliveries that follow them, by default. About 260 bytes of
 * heap each (the transfer id, the reference, which holds on to the sealed value it was read from, and the map's
 * slot; measured with heap snapshots), so about 25 MiB once full, after this many payments. A delivery of a
 * transfer no longer remembered reads the transfer's first event instead: one read, the same subject.
 */
export const payerReferencesRememberedDefault = 100_000;

/**
 * The event store as the switch's modules use it (issue 15.4): personal fields are sealed on the way in and opened
 * on the way out (personal-event-fields.ts), so deciders and services work on plaintext while the log's files hold
 * none. Projections read the store underneath instead, and so copy the sealed values into read models, which open
 * them when read. Events without personal fields pass through untouched.
 */
export class PersonalDataEventStore implements EventStore {
  private readonly payerReferences = new Map<string, string>();

  private readonly payerReferencesRememberedMax: number;

  constructor(
    private readonly inner: EventStore,
    private readonly cipher: PersonalDataCipher,
    options: { payerReferencesRememberedMax?: number } = {},
  ) {
    this.payerReferencesRememberedMax = options.payerReferencesRememberedMax ?? payerReferencesRememberedDefault;
    assert(
      Number.isSafeInteger(this.payerReferencesRememberedMax) && this.payerReferencesRememberedMax >= 1,
      'the payer references remembered are a positive whole number',
    );
  }

  /** The store underneath, which holds the personal fields sealed: for tools and tests that count its writes. */
  get sealedLog(): EventStore {
    return this.inner;
  }

  get multiStreamAtomic(): boolean {
    return this.inner.multiStreamAtomic;
  }

  async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    return this.inner.append(stream, await this.sealAll(events), expectedRevision);
  }

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    // A ledger tick appends thousands of streams without a personal field: they go through as they are.
    if (!appends.some((entry) => holdsPersonalFields(entry.events))) return this.inner.appendMany(appends);
    const sealed: StreamAppend[] = [];
    for (const entry of appends) {
      // A batch's thousand transfer streams need no lookup in the log: sealed without a turn of the event loop each.
      const events = entry.events.some(needsLookup) ? await this.sealAll(entry.events) : this.sealEvents(entry.events, noInboundPayers);
      sealed.push(events === entry.events ? entry : { ...entry, events });
    }
    return this.inner.appendMany(sealed);
  }

  async readStream(stream: string, fromRevision: bigint, limit: number): Promise<RecordedEvent[]> {
    return (await this.inner.readStream(stream, fromRevision, limit)).map((event) => this.opened(event));
  }

  streamRevision(stream: string): Promise<bigint | null> {
    return this.inner.streamRevision(stream);
  }

  existingStreams(streams: readonly string[]): Promise<Set<string>> {
    return this.inner.existingStreams(streams);
  }

  async readAll(afterPosition: bigint, limit: number, filter?: SubscriptionFilter): Promise<RecordedEvent[]> {
    return (await this.inner.readAll(afterPosition, limit, filter)).map((event) => this.opened(event));
  }

  subscribeAll(afterPosition: bigint, handler: SubscriptionHandler, options?: SubscribeOptions): Subscription {
    return this.inner.subscribeAll(afterPosition, (event) => handler(this.opened(event)), options);
  }

  headPosition(): Promise<bigint> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private opened(event: RecordedEvent): RecordedEvent {
    const fields = personalEventFields.get(event.type);
    if (fields === undefined) return event;
    return { ...event, data: fields.open(event.data, (text) => this.cipher.open(text)) };
  }

  private async sealAll(events: readonly NewEvent[]): Promise<readonly NewEvent[]> {
    if (!holdsPersonalFields(events)) return events;
    await this.rememberPayersOfDeliveries(events);
    return this.sealEvents(events, await this.inboundPayersOfWebhooks(events));
  }

  /** Seals events whose lookups in the log (a delivery's payer, a webhook's in-bound payer) have been made. */
  private sealEvents(events: readonly NewEvent[], inboundPayers: ReadonlyMap<string, string>): readonly NewEvent[] {
    if (!holdsPersonalFields(events)) return events;
    const sealer: FieldSealer = {
      seal: (reference, plaintext) => this.cipher.seal(reference, plaintext),
      referenceOf: (subject) => this.cipher.referenceOf(subject),
      payerReferenceOf: (transferId) => this.payerReferences.get(transferId) ?? null,
      inboundPayerReferenceOf: (paymentId) => inboundPayers.get(paymentId) ?? null,
    };
    return events.map((event) => {
      const fields = personalEventFields.get(event.type);
      if (fields === undefined) return event;
      const sealed = { ...event, data: fields.seal(event.data, sealer) };
      if (event.type === 'TransferInitiated') this.rememberPayer(sealed);
      return sealed;
    });
  }

  private rememberPayer(event: NewEvent): void {
    const payer = event.data['payer'];
    const transferId = event.data['transferId'];
    if (typeof transferId !== 'string' || typeof payer !== 'object' || payer === null || Array.isArray(payer)) return;
    const value = payer['value'];
    const reference = typeof value === 'string' ? subjectReferenceOfSealed(value) : null;
    if (reference === null) return;
    this.payerReferences.set(transferId, reference);
    // Insertion order: the first key is the transfer remembered longest ago.
    if (this.payerReferences.size > this.payerReferencesRememberedMax)
      this.payerReferences.delete(this.payerReferences.keys().next().value as string);
  }

  /**
   * A delivery names its transfer but not the transfer's payer, whose name it carries: the payer's subject is found
   * from the transfer's first event when this process has not just sealed it (after a restart, a reversal queued by
   * recovery).
   */
  private async rememberPayersOfDeliveries(events: readonly NewEvent[]): Promise<void> {
    for (const event of events) {
      if (event.type !== 'DeliveryQueued') continue;
      const transferId = transferIdOfDelivery(event.data['deliveryId']);
      if (transferId === null || this.payerReferences.has(transferId)) continue;
      const [first] = await this.inner.readStream(transferStreamName(transferId), 0n, 1);
      if (first === undefined || first.type !== 'TransferInitiated') continue;
      const payer = first.data['payer'];
      if (typeof payer !== 'object' || payer === null || Array.isArray(payer)) continue;
      const value = payer['value'];
      const type = payer['type'];
      if (typeof value !== 'string' || typeof type !== 'string') continue;
      const subject = subjectOfParty({ type, value });
      const reference = subjectReferenceOfSealed(value) ?? (subject === null ? null : this.cipher.referenceOf(subject));
      if (reference !== null) this.payerReferences.set(transferId, reference);
    }
  }

  /**
   * An in-bound payment's webhook carries the payer's name in its body, but not the PSP the payer's subject is named
   * by: it is read from the payment's recorded event, which is appended before its webhook is published. A webhook
   * is queued once per payment (and an outbox snapshot holds at most its pending deliveries), so this is one read each.
   */
  private async inboundPayersOfWebhooks(events: readonly NewEvent[]): Promise<Map<string, string>> {
    const references = new Map<string, string>();
    for (const event of events)
      for (const paymentId of inboundPaymentIdsOfWebhooks(event.type, event.data)) {
        if (references.has(paymentId)) continue;
        const [first] = await this.inner.readStream(inboundPaymentStreamName(paymentId), 0n, 1);
        if (first === undefined || first.type !== 'InboundPaymentCompleted') continue;
        const reference = this.inboundPayerReferenceIn(first.data);
        if (reference !== null) references.set(paymentId, reference);
      }
    return references;
  }

  private inboundPayerReferenceIn(data: RecordedEvent['data']): string | null {
    const payer = data['payer'];
    const pspId = data['pspId'];
    const paymentId = data['paymentId'];
    if (typeof payer !== 'object' || payer === null || Array.isArray(payer)) return null;
    const name = payer['name'];
    const taxId = payer['taxId'] ?? null;
    const sealedReference = typeof name === 'string' ? subjectReferenceOfSealed(name) : null;
    if (sealedReference !== null) return sealedReference;
    if (typeof pspId !== 'string' || typeof paymentId !== 'string' || (taxId !== null && typeof taxId !== 'string')) return null;
    return this.cipher.referenceOf(inboundPayerSubject({ pspId, paymentId, taxId }));
  }
}

/** Sealing it reads the log first: a delivery names its transfer, not its payer; a webhook its in-bound payment. */
function needsLookup(event: NewEvent): boolean {
  return event.type === 'DeliveryQueued' || event.type === 'OutboxSnapshotChunk';
}

const noInboundPayers: ReadonlyMap<string, string> = new Map();

function holdsPersonalFields(events: readonly NewEvent[]): boolean {
  return events.some((event) => personalEventFields.has(event.type));
}

/** The store that holds the log as written (personal fields sealed): the store itself unless it is the sealing one. */
export function sealedLogOf(store: EventStore): EventStore {
  return store instanceof PersonalDataEventStore ? store.sealedLog : store;
}
