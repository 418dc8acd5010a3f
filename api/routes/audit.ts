import { auditEntryOf, auditStreamName, type AuditEntry } from '../../core/audit/audit-entry';
import { decodeSequenceCursor, encodeCursor, invalidCursor } from '../route-helpers';
import type { RouteModule } from '../route-kit';
import { auditQuery } from '../schemas/audit-schemas';
import { parseInput } from '../validation';

/**
 * Entries one request looks at, matching or not. A filter that matches little answers a short (even empty) page
 * with a cursor to go on from, rather than reading the whole trail in one request.
 */
export const auditScanMax = 5_000;
const cursorKind = 'audit';

/** The audit trail (core/audit), read straight from its stream in order: operator and regulators only. */
export const auditRoutes: RouteModule = (router, kit) => {
  router.get('/v1/audit', kit.allow('operator', 'regulator'), async (request, response) => {
    const query = parseInput(auditQuery, request.query, 'query');
    let sequence = 0n;
    if (query.cursor !== undefined) {
      const decoded = decodeSequenceCursor(cursorKind, query.cursor);
      if (decoded === null) throw invalidCursor();
      sequence = decoded;
    }
    const fromMs = query.from === undefined ? Number.NEGATIVE_INFINITY : Date.parse(query.from);
    const toMs = query.to === undefined ? Number.POSITIVE_INFINITY : Date.parse(query.to);
    const events = await kit.dependencies.store.readStream(auditStreamName, sequence, auditScanMax);
    const entries: AuditEntry[] = [];
    let next: bigint | null = events.length === auditScanMax ? sequence + BigInt(auditScanMax) : null;
    for (const event of events) {
      const entry = auditEntryOf(event.data);
      const atMs = Date.parse(entry.at);
      if (atMs >= fromMs && atMs < toMs && (query.actor === undefined || entry.actor === query.actor)) entries.push(entry);
      if (entries.length === query.limit) {
        next = event.revision + 1n;
        break;
      }
    }
    response.json({
      entries: entries.map((entry) => ({
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        from: entry.from,
        count: entry.count,
        sequence: entry.sequence,
        hash: entry.hash,
      })),
      nextCursor: next === null ? null : encodeCursor(cursorKind, next.toString()),
    });
  });
};
