import type { Request } from 'express';
import { apiKeyIdOf } from '../core/auth/api-key';
import { actorOf, type Principal } from '../core/auth/principal';
import type { AuditFacts } from '../core/audit/audit-entry';
import { AuditUnavailableError, type AuditTrail } from '../core/audit/audit-trail';
import { OccurrenceCoalescer, type Repeats } from '../core/audit/occurrence-coalescer';
import { HttpError } from './http-error';
import { maskSensitiveText } from './log-masking';
import type { Logger } from './logger';

/**
 * The header a front-end worker (api/cluster/) sets to the client's address on a request it forwards to the writer.
 * Only the writer's private port believes it; on a public port any client could write it.
 */
export const clientAddressHeader = 'x-hisaab-client-address';

/** Distinct sources (refused authentications) and readers (reads) remembered per minute; past it they fold into one. */
export const auditCoalescedKindsMax = 1_000;
const addressLengthMax = 64;

export type AuditGateOptions = {
  trail: AuditTrail;
  now: () => Date;
  logger: Logger;
  /** Whether the app listens on the writer's private port, behind front-end workers that name the client. */
  trustForwardedClientAddress: boolean;
};

/**
 * Decides what the edge writes to the audit trail (core/audit), and when:
 * - an operator's write is recorded before it runs, and does not run (503 AUDIT_UNAVAILABLE) unless its entry is
 *   durable: no action happens unaudited. An entry says who asked for what; the action's own events say what came of it;
 * - reads by the operator and regulators are recorded too, but coalesced per reader, route and minute: a dashboard
 *   that refreshes every few seconds writes one entry a minute plus a count, not one per refresh;
 * - a refused authentication is recorded once per source address per minute, and the rest of that minute's
 *   refusals from it as one count: a flood of bad keys costs a bounded map in memory and at most two entries per
 *   source per minute in the log, not one per request. Beyond `auditCoalescedKindsMax` sources in a minute they
 *   fold into one entry from "(many sources)".
 * Entries carry the path, never the body or query, so no personal data lands in a log that cannot be edited.
 */
export class AuditGate {
  private readonly reads = new OccurrenceCoalescer<AuditFacts>(auditCoalescedKindsMax, (sample) => ({
    kind: '(many readers)',
    sample: { ...sample, actor: '(many readers)', from: '(many sources)', target: '(many targets)' },
  }));
  private readonly refusals = new OccurrenceCoalescer<AuditFacts>(auditCoalescedKindsMax, (sample) => ({
    kind: '(many sources)',
    sample: { ...sample, actor: '(unknown)', from: '(many sources)', target: '(many targets)' },
  }));
  private readonly forbiddenAttempts = new OccurrenceCoalescer<AuditFacts>(auditCoalescedKindsMax, (sample) => ({
    kind: '(many attempts)',
    sample: { ...sample, actor: '(many actors)', action: '(many actions) (forbidden)', from: '(many sources)', target: '(many targets)' },
  }));

  constructor(private readonly options: AuditGateOptions) {}

  /** Called once the principal is known and allowed; rejects (503) when the entry of a write cannot be written. */
  async allowed(request: Request, principal: Principal): Promise<void> {
    if (principal.role !== 'operator' && principal.role !== 'regulator') return;
    const facts = this.facts(request, actorOf(principal), `${request.method} ${routeOf(request)}`, request.path);
    if (request.method === 'GET' || request.method === 'HEAD') {
      await this.coalesced(this.reads, `${facts.actor} ${facts.action} ${facts.from}`, facts);
      return;
    }
    try {
      await this.options.trail.record(facts);
    } catch (error) {
      if (!(error instanceof AuditUnavailableError)) throw error;
      this.options.logger.error({ err: error }, 'an operator action was refused: its audit entry could not be written');
      throw new HttpError('AUDIT_UNAVAILABLE', `the action was not carried out: ${error.message}`, [], { 'Retry-After': '1' });
    }
  }

  /**
   * Called when the operator's or a regulator's valid key asks for what its role may not do (a regulator's write):
   * the attempt is what an examiner of the trail most needs to see, so it is recorded as `<method> <route>
   * (forbidden)`. It changes nothing, so it is coalesced per actor, route and minute like a read (a key cannot
   * flood the log with refused writes), and the request is answered 403 whether or not its entry could be written.
   */
  async forbidden(request: Request, principal: Principal): Promise<void> {
    if (principal.role !== 'operator' && principal.role !== 'regulator') return;
    const action = `${request.method} ${routeOf(request)} (forbidden)`;
    const facts = this.facts(request, actorOf(principal), action, maskedPath(request));
    try {
      await this.coalesced(this.forbiddenAttempts, `${facts.actor} ${facts.action} ${facts.from}`, facts);
    } catch (error) {
      this.options.logger.error({ err: error }, 'a forbidden attempt could not be written to the audit trail');
    }
  }

  /** Called when a request presents no valid key; never fails the request (it is answered 401 anyway). */
  async refused(request: Request, authorization: string | undefined): Promise<void> {
    const keyId = authorization === undefined ? null : apiKeyIdOf(/^Bearer (.+)$/i.exec(authorization)?.[1] ?? '');
    const actor = authorization === undefined ? '(no key)' : keyId === null ? '(malformed key)' : `key:${keyId}`;
    const facts = this.facts(request, actor, 'authentication.refused', maskedPath(request));
    try {
      await this.coalesced(this.refusals, facts.from, facts);
    } catch (error) {
      this.options.logger.error({ err: error }, 'a refused authentication could not be written to the audit trail');
    }
  }

  private async coalesced(coalescer: OccurrenceCoalescer<AuditFacts>, kind: string, facts: AuditFacts): Promise<void> {
    const { record, finished } = coalescer.occur(kind, facts, Date.parse(facts.at));
    const writes = finished.map((repeats) => this.options.trail.record(repeatedEntry(repeats, facts.at)));
    if (record !== null) writes.push(this.options.trail.record(record));
    await Promise.all(writes);
  }

  private facts(request: Request, actor: string, action: string, target: string): AuditFacts {
    return { at: this.options.now().toISOString(), actor, action, target, from: this.clientAddress(request), count: 1 };
  }

  private clientAddress(request: Request): string {
    const forwarded = this.options.trustForwardedClientAddress ? request.get(clientAddressHeader) : undefined;
    const address = forwarded ?? request.socket.remoteAddress ?? '(unknown)';
    return address.slice(0, addressLengthMax);
  }
}

/** The count of a minute's further occurrences, recorded once the minute is over. */
function repeatedEntry(repeats: Repeats<AuditFacts>, at: string): AuditFacts {
  return { ...repeats.sample, at, action: `${repeats.sample.action} (repeated)`, count: repeats.repeats };
}

/**
 * The target of an entry for a request its caller may not make: the path, its account numbers masked as in the logs
 * (api/log-masking.ts). Such a path is whatever the caller sent to a route that is not its own, and a participant's
 * routes carry people's mobile numbers and CNICs in theirs (`/v1/parties/MSISDN/923001234567`, `/v1/aliases/CNIC/…`):
 * the trail is hash-chained and cannot be erased, so those numbers must never enter it. An allowed request keeps its
 * path as it is: the routes of the operator and regulators name participants, windows and keys, never a person.
 */
function maskedPath(request: Request): string {
  return maskSensitiveText(request.path);
}

/** The route's declared path (`/v1/participants/:id/funds`): names the action; the concrete path is its target. */
function routeOf(request: Request): string {
  const route: unknown = request.route;
  if (typeof route === 'object' && route !== null && 'path' in route && typeof route.path === 'string') return route.path;
  return request.path;
}
