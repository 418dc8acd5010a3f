import { createHash } from 'node:crypto';
import type { JsonObject } from '../eventstore/event';

/** The one stream every audit entry is appended to, in order: its revisions are the chain's sequence numbers. */
export const auditStreamName = 'audit';
export const auditEventType = 'AuditEntryRecorded';

/** The previous hash of the first entry: the chain starts from nothing. */
export const genesisHash = '0'.repeat(64);

/** Who did what, when and from where; `count` is how many occurrences one entry stands for (coalesced ones). */
export type AuditFacts = {
  at: string;
  actor: string;
  action: string;
  target: string;
  from: string;
  count: number;
};

/** An entry as stored: its facts, its place in the chain, and the hash that seals both. */
export type AuditEntry = AuditFacts & { sequence: number; previousHash: string; hash: string };

/**
 * SHA-256 over a canonical encoding of the entry and the previous entry's hash: a JSON array in a fixed order, so
 * that the encoding does not depend on key order. The sequence is in it, so moving an entry breaks the chain too.
 */
export function auditEntryHash(facts: AuditFacts, sequence: number, previousHash: string): string {
  const canonical = JSON.stringify([
    'hisaab-audit-v1',
    sequence,
    facts.at,
    facts.actor,
    facts.action,
    facts.target,
    facts.from,
    facts.count,
    previousHash,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export function sealAuditEntry(facts: AuditFacts, sequence: number, previousHash: string): AuditEntry {
  return { ...facts, sequence, previousHash, hash: auditEntryHash(facts, sequence, previousHash) };
}

export function auditEntryData(entry: AuditEntry): JsonObject {
  return { ...entry };
}

/** An entry read back from the log; fields of the wrong type read as empty so that the hash check fails on them. */
export function auditEntryOf(data: JsonObject): AuditEntry {
  const text = (name: string): string => {
    const value = data[name];
    return typeof value === 'string' ? value : '';
  };
  const whole = (name: string): number => {
    const value = data[name];
    return typeof value === 'number' && Number.isSafeInteger(value) ? value : -1;
  };
  return {
    at: text('at'),
    actor: text('actor'),
    action: text('action'),
    target: text('target'),
    from: text('from'),
    count: whole('count'),
    sequence: whole('sequence'),
    previousHash: text('previousHash'),
    hash: text('hash'),
  };
}
