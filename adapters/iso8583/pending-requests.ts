import { assert } from '../../core/assert';
import type { ExchangeOutcome } from './exchange-outcome';
import { matchKey, type Iso8583Message } from './message';

type Pending = {
  readonly request: Iso8583Message;
  readonly resolve: (outcome: ExchangeOutcome) => void;
  readonly timer: NodeJS.Timeout;
};

/**
 * Requests written to a peer and waiting for their answer, keyed by response MTI + DE11 + DE41 (an answer that
 * echoes another DE37 than the request's is not its answer). Bounded:
 * the owner checks `hasRoom` before sending. Each entry has a deadline after which it resolves as a timeout
 * and a late answer is dropped.
 */
export class PendingRequests {
  private readonly capacity: number;
  private readonly entries = new Map<string, Pending>();

  constructor(capacity: number) {
    assert(Number.isSafeInteger(capacity) && capacity >= 1, 'a pending-request capacity is a positive whole number');
    this.capacity = capacity;
  }

  get size(): number {
    return this.entries.size;
  }

  hasRoom(): boolean {
    return this.entries.size < this.capacity;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Registers a request about to be written; its promise settles with the answer, the deadline or a loss. */
  add(key: string, request: Iso8583Message, timeoutMs: number): Promise<ExchangeOutcome> {
    assert(!this.entries.has(key), 'a match key is pending at most once');
    assert(this.entries.size < this.capacity, 'callers check for room before adding a pending request');
    return new Promise<ExchangeOutcome>((resolve) => {
      const timer = setTimeout(
        () => {
          this.entries.delete(key);
          resolve({ kind: 'timeout', request, reason: 'deadline' });
        },
        Math.max(0, timeoutMs),
      );
      this.entries.set(key, { request, resolve, timer });
    });
  }

  /** Settles the request this response answers; false when none waits (late or unsolicited). */
  settle(response: Iso8583Message): boolean {
    const key = matchKey(response.mti, response.fields);
    const pending = this.entries.get(key);
    if (pending === undefined) return false;
    // DE11 comes round again (six digits; the switch derives its own from transfer ids), so once a request has
    // timed out a later one may wait under the same key. A late answer to the earlier request echoes the earlier
    // DE37: taken for the later request's answer it would credit or decline the wrong transfer.
    if (!sameRetrievalReference(pending.request, response)) return false;
    this.entries.delete(key);
    clearTimeout(pending.timer);
    pending.resolve({ kind: 'response', request: pending.request, response });
    return true;
  }

  /** Resolves without a response: the request was written, so its effect at the peer is unknown. */
  abandon(key: string, outcome: ExchangeOutcome): void {
    const pending = this.entries.get(key);
    if (pending === undefined) return;
    this.entries.delete(key);
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  /** Every request in flight on a connection that closed is settled as lost. */
  abandonAll(): void {
    for (const [key, pending] of [...this.entries]) {
      this.abandon(key, { kind: 'timeout', request: pending.request, reason: 'connection_lost' });
    }
  }
}

/** A response answers a request only if it echoes that request's DE37, when both carry one. */
function sameRetrievalReference(request: Iso8583Message, response: Iso8583Message): boolean {
  const requested = request.fields[37];
  const answered = response.fields[37];
  return requested === undefined || answered === undefined || requested === answered;
}
