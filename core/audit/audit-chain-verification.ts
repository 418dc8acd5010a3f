import type { EventStore } from '../eventstore/event-store';
import { auditEntryHash, auditEntryOf, auditEventType, auditStreamName, genesisHash } from './audit-entry';

export type AuditChainReport = {
  entries: number;
  /** The hash of the last entry checked: kept elsewhere, it shows later whether the newest entries were cut off. */
  head: string | null;
  /** The first broken entry, named by its sequence and event id, or null when the chain is whole. */
  firstBroken: string | null;
};

const pageSize = 1_000;

/**
 * Walks the audit stream from its first entry and recomputes every hash: an entry whose contents were edited no
 * longer matches its own hash, and one after a deleted or reordered entry no longer names its predecessor's hash
 * or its own place. Stops at the first broken entry, since every later one hangs on it. (Deleting the newest
 * entries leaves a shorter, valid chain: that needs the head kept elsewhere, which the README says.)
 */
export async function verifyAuditChain(store: EventStore): Promise<AuditChainReport> {
  let previousHash = genesisHash;
  let sequence = 0;
  for (;;) {
    const page = await store.readStream(auditStreamName, BigInt(sequence), pageSize);
    for (const event of page) {
      const entry = auditEntryOf(event.data);
      const where = `audit entry ${sequence} (event ${event.id})`;
      const problem =
        event.type !== auditEventType
          ? `is of type ${event.type}, not ${auditEventType}`
          : entry.sequence !== sequence
            ? `says it is entry ${entry.sequence}`
            : entry.previousHash !== previousHash
              ? 'does not name the hash of the entry before it'
              : auditEntryHash(entry, entry.sequence, entry.previousHash) !== entry.hash
                ? 'does not match its own hash: its contents were changed'
                : null;
      if (problem !== null) return { entries: sequence, head: null, firstBroken: `${where} ${problem}` };
      previousHash = entry.hash;
      sequence += 1;
    }
    if (page.length < pageSize) return { entries: sequence, head: sequence === 0 ? null : previousHash, firstBroken: null };
  }
}
