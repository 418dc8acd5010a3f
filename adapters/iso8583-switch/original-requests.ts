import { assert } from '../../core/assert';
import type { RecordedEvent } from '../../core/eventstore/event';
import type { EventStore } from '../../core/eventstore/event-store';
import { WrongExpectedRevisionError } from '../../core/eventstore/expected-revision';
import { newId } from '../../core/ids';
import { KeyedSerializer } from '../../core/participants/keyed-serializer';
import { ISO8583_TRANSFER_NAMESPACE, uuidV5 } from '../iso8583/transfer-id';

/**
 * What the switch knows, durably, about a bank's original message as a reversal names it: DE90 carries the
 * original's MTI, STAN (DE11), transmission time (DE7) and acquirer (DE32), but not its RRN (DE37), from which,
 * with the other three, the transfer id is derived. Banks differ on whether a 0420 repeats the original's RRN,
 * so the 0420 cannot derive the id itself: each 0200 records here which transfer it became, and a 0420 that
 * comes first records that the original was reversed before it was seen, so that its late 0200 is declined,
 * also after a restart.
 *
 * One stream per original (`iso8583-original-<uuid of its DE90 identity>`), read and written by the inbound
 * handler one message at a time per original. DE7 carries no year, so the same four values come back a year
 * later for another transfer: a record counts only within `matchWindowMs` of when it was written.
 */
export type OriginalIdentity = {
  /** DE32 of the original (DE90 zero-fills it; compared without the fill). */
  readonly acquirerInstitutionId: string;
  /** 0200 (a 0220 from a bank is refused and so is never recorded as seen). */
  readonly mti: string;
  readonly systemTraceAuditNumber: string;
  readonly transmissionDateTime: string;
};

export type OriginalRequestLimits = {
  readonly matchWindowMs: number;
  readonly eventsPerOriginalMax: number;
  readonly unseenReversalsPerBankPerDayMax: number;
};

export const originalRequestLimits: OriginalRequestLimits = {
  /** How long a record names its original: far beyond any bank's reversal repeats, far below DE7's year. */
  matchWindowMs: 30 * 24 * 60 * 60 * 1000,
  /** Events one original's stream may hold: a 0200, a reversal before it, and the same again a year later. */
  eventsPerOriginalMax: 16,
  /**
   * Reversals of originals never seen that are recorded per bank per UTC day. Past it a 0420 for an unseen
   * original is answered 96 and recorded nowhere: the bank repeats it (0421) as it does when the switch cannot
   * act yet, and the bank has not refunded its customer, so a 0200 that turns up meanwhile may go through and is
   * then reversed by that repeat.
   */
  unseenReversalsPerBankPerDayMax: 10_000,
};

const ORIGINAL_STREAM_PREFIX = 'iso8583-original-';
const UNSEEN_REVERSALS_STREAM_PREFIX = 'iso8583-unseen-reversals-';

/** The stream events: data as JSON, amounts as integer strings of minor units. */
const eventTypes = {
  requestReceived: 'Iso8583OriginalRequestReceived',
  reversedBeforeRequest: 'Iso8583OriginalReversedBeforeRequest',
  unseenReversalCounted: 'Iso8583UnseenReversalCounted',
} as const;

export type OriginalRecord = {
  /** The transfer the original's 0200 became (within the window), or null when none was recorded. */
  readonly transferId: string | null;
  /** A reversal of it arrived before any 0200 was recorded for it (within the window). */
  readonly reversedBeforeRequest: boolean;
  readonly revision: bigint | null;
  readonly events: number;
};

export type OriginalRequestsOptions = {
  store: EventStore;
  now: () => Date;
  limits?: Partial<OriginalRequestLimits>;
};

/**
 * Attempts at counting when another process counts the same bank's unseen reversals at the same moment: within
 * this process they are counted one at a time, so only another writer on the same store makes an attempt fail.
 */
const countAttemptsMax = 5;

export class OriginalRequests {
  private readonly store: EventStore;
  private readonly now: () => Date;
  private readonly limits: OriginalRequestLimits;
  /**
   * One bank's count is read and appended one reversal at a time: a bank back from an outage sends the reversals
   * of everything left unanswered at once, and counted concurrently all but a few would lose the append and be
   * answered 96.
   */
  private readonly perCount = new KeyedSerializer();

  constructor(options: OriginalRequestsOptions) {
    this.store = options.store;
    this.now = options.now;
    this.limits = { ...originalRequestLimits, ...options.limits };
    assert(
      Number.isSafeInteger(this.limits.eventsPerOriginalMax) && this.limits.eventsPerOriginalMax >= 2,
      'an original holds at least a request and a reversal',
    );
    assert(
      Number.isSafeInteger(this.limits.unseenReversalsPerBankPerDayMax) && this.limits.unseenReversalsPerBankPerDayMax >= 1,
      'a bank may have at least one unseen reversal a day',
    );
    assert(Number.isSafeInteger(this.limits.matchWindowMs) && this.limits.matchWindowMs >= 1, 'a record names its original for a while');
  }

  /** The stream of one original; also the key under which messages about it are handled one at a time. */
  streamOf(identity: OriginalIdentity): string {
    const acquirer = identity.acquirerInstitutionId.replace(/^0+/, '') || '0';
    // The separator cannot occur in any of the four fields, so distinct originals never share a stream.
    return `${ORIGINAL_STREAM_PREFIX}${uuidV5([acquirer, identity.mti, identity.systemTraceAuditNumber, identity.transmissionDateTime].join('|'), ISO8583_TRANSFER_NAMESPACE)}`;
  }

  async read(identity: OriginalIdentity): Promise<OriginalRecord> {
    const events = await this.store.readStream(this.streamOf(identity), 0n, this.limits.eventsPerOriginalMax);
    const windowStartMs = this.now().getTime() - this.limits.matchWindowMs;
    let transferId: string | null = null;
    let reversedBeforeRequest = false;
    for (const event of events) {
      if (receivedAtMs(event) < windowStartMs) continue;
      if (event.type === eventTypes.requestReceived && typeof event.data['transferId'] === 'string') transferId = event.data['transferId'];
      if (event.type === eventTypes.reversedBeforeRequest) reversedBeforeRequest = true;
    }
    const last = events[events.length - 1];
    return { transferId, reversedBeforeRequest, revision: last === undefined ? null : last.revision, events: events.length };
  }

  /** Whether one more event fits the original's stream. */
  hasRoom(record: OriginalRecord): boolean {
    return record.events < this.limits.eventsPerOriginalMax;
  }

  /** Records which transfer the original's 0200 became, before it is executed. */
  async recordRequest(
    identity: OriginalIdentity,
    record: OriginalRecord,
    request: { transferId: string; retrievalReferenceNumber: string; participantId: string },
  ): Promise<void> {
    await this.append(identity, record, eventTypes.requestReceived, { ...request });
  }

  /**
   * Records a reversal of an original never seen, within the bank's daily limit: false (nothing recorded) past it.
   * The count comes first: a crash in between counts one reversal too many, never records one uncounted.
   */
  async recordReversalBeforeRequest(
    identity: OriginalIdentity,
    record: OriginalRecord,
    reversal: { participantId: string; retrievalReferenceNumber: string; amountMinor: bigint; currency: string },
  ): Promise<boolean> {
    if (!(await this.count(reversal.participantId, this.streamOf(identity)))) return false;
    await this.append(identity, record, eventTypes.reversedBeforeRequest, {
      participantId: reversal.participantId,
      retrievalReferenceNumber: reversal.retrievalReferenceNumber,
      amountMinor: reversal.amountMinor.toString(),
      currency: reversal.currency,
    });
    return true;
  }

  private count(participantId: string, originalStream: string): Promise<boolean> {
    const day = this.now().toISOString().slice(0, 10);
    const stream = `${UNSEEN_REVERSALS_STREAM_PREFIX}${participantId}-${day}`;
    return this.perCount.run(stream, () => this.countIn(stream, originalStream));
  }

  private async countIn(stream: string, originalStream: string): Promise<boolean> {
    for (let attempt = 1; attempt <= countAttemptsMax; attempt += 1) {
      const revision = await this.store.streamRevision(stream);
      const counted = revision === null ? 0n : revision + 1n;
      if (counted >= BigInt(this.limits.unseenReversalsPerBankPerDayMax)) return false;
      try {
        await this.store.append(
          stream,
          [this.event(eventTypes.unseenReversalCounted, { originalStream })],
          revision === null ? 'no_stream' : revision,
        );
        return true;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
    return false;
  }

  private async append(identity: OriginalIdentity, record: OriginalRecord, type: string, data: Record<string, string>): Promise<void> {
    // The inbound handler handles one message per original at a time, so the expected revision holds; a
    // conflict (another switch process on the same store) throws, and the message is answered 96.
    await this.store.append(this.streamOf(identity), [this.event(type, data)], record.revision === null ? 'no_stream' : record.revision);
  }

  private event(type: string, data: Record<string, string>) {
    const at = this.now().toISOString();
    return { id: newId(), type, data: { ...data, receivedAt: at }, metadata: { at, actor: 'iso8583' } };
  }
}

function receivedAtMs(event: RecordedEvent): number {
  const receivedAt = event.data['receivedAt'];
  return typeof receivedAt === 'string' ? Date.parse(receivedAt) : Number.NaN;
}
