import { randomUUID } from 'node:crypto';
import { assert } from '../assert';
import type { EventStore } from '../eventstore/event-store';
import { isStoreRefusal } from '../eventstore/event-store-errors';
import { auditEntryData, auditEntryOf, auditEventType, auditStreamName, genesisHash, sealAuditEntry, type AuditFacts } from './audit-entry';

/** Entries waiting for their append; past it the action they would record is refused (the caller answers 503). */
export const auditPendingMax = 1_000;

export class AuditUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditUnavailableError';
  }
}

type ChainHead = { nextSequence: number; previousHash: string };

/**
 * Appends audit entries to the `audit` stream one at a time, each sealed with the hash of the one before, and
 * resolves once the entry is durable. Appends are serialized here because each entry needs its predecessor's hash;
 * the stream's expected revision guards the chain against a second writer (then the head is read again and the
 * entry retried once). Audited actions are rare next to payments, so one fsync per entry is affordable.
 */
export class AuditTrail {
  private head: ChainHead | null = null;
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly store: EventStore) {}

  /** Appends one entry; rejects with AuditUnavailableError when too many wait or the store refuses it. */
  record(facts: AuditFacts): Promise<void> {
    assert(Number.isSafeInteger(facts.count) && facts.count >= 1, 'an audit entry stands for at least one occurrence');
    if (this.pending >= auditPendingMax) {
      return Promise.reject(new AuditUnavailableError(`${auditPendingMax} audit entries are already waiting to be written`));
    }
    this.pending += 1;
    const appended = this.tail.then(() => this.appendWithRetry(facts));
    this.tail = appended.then(
      () => undefined,
      () => undefined,
    );
    return appended.finally(() => {
      this.pending -= 1;
    });
  }

  private async appendWithRetry(facts: AuditFacts): Promise<void> {
    try {
      await this.append(facts);
    } catch {
      // Another writer, or a failed write: the head we hold may be stale. Read it again and try once more.
      this.head = null;
      try {
        await this.append(facts);
      } catch (error) {
        this.head = null;
        // The store's own 503 (failing over, fenced off) is the client's answer as it is.
        if (isStoreRefusal(error)) throw error;
        throw new AuditUnavailableError(`the audit entry could not be written: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private async append(facts: AuditFacts): Promise<void> {
    const head = this.head ?? (await this.readHead());
    const entry = sealAuditEntry(facts, head.nextSequence, head.previousHash);
    const expectedRevision = head.nextSequence === 0 ? 'no_stream' : BigInt(head.nextSequence - 1);
    await this.store.append(
      auditStreamName,
      [{ id: randomUUID(), type: auditEventType, data: auditEntryData(entry), metadata: { at: facts.at, actor: facts.actor } }],
      expectedRevision,
    );
    this.head = { nextSequence: head.nextSequence + 1, previousHash: entry.hash };
  }

  private async readHead(): Promise<ChainHead> {
    const revision = await this.store.streamRevision(auditStreamName);
    if (revision === null) return { nextSequence: 0, previousHash: genesisHash };
    const [last] = await this.store.readStream(auditStreamName, revision, 1);
    assert(last !== undefined, 'the audit stream holds the event at its own last revision');
    return { nextSequence: Number(revision) + 1, previousHash: auditEntryOf(last.data).hash };
  }
}
