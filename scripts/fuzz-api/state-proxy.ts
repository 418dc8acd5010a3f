import Database from 'better-sqlite3';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auditStreamName } from '../../core/audit/audit-entry';

/**
 * A recording proxy between schemathesis and the switch, on loopback, that proves "a rejected request changes
 * nothing" request by request. It serialises requests (one reaches the switch at a time, whichever schemathesis
 * process sent it), tags each with its own X-Request-Id, and around every 4xx compares the state before and after:
 *
 * - The event log, which is the state: every balance, position and read model is a function of it. If its head
 *   did not move while the rejected request was in the switch, nothing changed, and that is the common case.
 * - If the head moved, every event in the window must be the switch's own background work (the outbox
 *   delivering, the sweeper ending a transfer past its payee deadline, the settlement schedule): it must carry a
 *   system actor (`outbox:*`, `switch:*`, `schedule:*`), must not carry the request's id as its correlation id
 *   (api/route-kit.ts writes it on every event a request causes), and must not name an id the request itself
 *   carried (a transfer's events are correlated by the transfer id, so a rejected POST /v1/transfers that wrote
 *   would show its own id). Anything else is a violation.
 * - Participants' positions, reservations and liquidity (GET /v1/participants as the operator, straight to the
 *   switch, read once the read models have caught up with the log): when the head moved they are read again, and
 *   a change is a violation unless the window holds a background ledger event that explains it.
 *
 * Requests are bounded (a body of at most 1 MiB is buffered; beyond that the proxy answers 413 itself, which
 * schemathesis never provokes) and the number of violations kept is bounded too.
 */

type Positions = string;
type Snapshot = { head: number; positions: Positions };
const readModelWaitMs = 5_000;
type WindowEvent = { position: number; stream: string; type: string; actor: string | null; correlationId: string | null };

export type ProxyViolation = { requestId: string; method: string; path: string; status: number; problem: string };

export type ProxyReport = {
  requests: number;
  byStatus: Record<string, number>;
  rejected: number;
  serverErrors: number;
  /** Events the switch appended on its own while a rejected request was in it, by actor and type. */
  backgroundEventsDuringRejections: Record<string, number>;
  /** Audit entries appended while a rejected request ran: the trail of the attempt itself, allowed. */
  auditEntriesDuringRejections: number;
  /** Rejected requests during which the log's head did not move: nothing changed. */
  rejectedWithLogUnchanged: number;
  /** Rejected requests during which positions moved, each explained by a background ledger event. */
  positionMovesExplained: number;
  violationCount: number;
  violations: ProxyViolation[];
};

const bodyBytesMax = 1024 * 1024;
const violationsKeptMax = 50;
const systemActorPattern = /^(switch|outbox|schedule|system)[:a-z-]*/;
const ledgerStreamPattern = /^ledger-/;

export class StateProxy {
  private readonly server: Server;
  private readonly database: Database.Database;
  private readonly headStatement: Database.Statement<[], { head: number | null }>;
  private readonly windowStatement: Database.Statement<
    [number, number],
    { position: number; stream: string; type: string; metadata: string }
  >;
  private queue: Promise<void> = Promise.resolve();
  /** Positions as read at a head position; reused while the head stays there, since positions follow from the log. */
  private positionsAt: Snapshot | null = null;
  private sequence = 0;
  readonly report: ProxyReport = {
    requests: 0,
    byStatus: {},
    rejected: 0,
    serverErrors: 0,
    backgroundEventsDuringRejections: {},
    auditEntriesDuringRejections: 0,
    rejectedWithLogUnchanged: 0,
    positionMovesExplained: 0,
    violationCount: 0,
    violations: [],
  };

  constructor(private readonly target: { url: string; operatorKey: string; eventStorePath: string }) {
    this.database = new Database(target.eventStorePath, { readonly: true, fileMustExist: true });
    this.headStatement = this.database.prepare('SELECT MAX(position) AS head FROM events');
    this.windowStatement = this.database.prepare(
      'SELECT position, stream, type, metadata FROM events WHERE position > ? AND position <= ? ORDER BY position',
    );
    this.server = createServer((incoming, outgoing) => {
      // One request at a time: the before/after comparison is about this request alone.
      this.queue = this.queue
        .then(() => this.serve(incoming, outgoing))
        .catch((error: unknown) => {
          if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
          outgoing.end(`fuzz proxy: ${error instanceof Error ? error.message : String(error)}`);
        });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await this.queue;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.database.close();
  }

  private async serve(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const body = await readBody(incoming);
    if (body === null) {
      outgoing.writeHead(413, { 'content-type': 'text/plain' }).end('fuzz proxy: body over 1 MiB');
      return;
    }
    this.sequence += 1;
    const requestId = `fuzz-${this.sequence}`;
    const headBefore = this.head();
    const answer = await forward(this.target.url, incoming, body, requestId);
    this.report.requests += 1;
    const statusKey = String(answer.status);
    this.report.byStatus[statusKey] = (this.report.byStatus[statusKey] ?? 0) + 1;
    const request = { requestId, method: incoming.method ?? 'GET', path: incoming.url ?? '', status: answer.status };
    if (answer.status >= 500) {
      this.report.serverErrors += 1;
      this.violation({ ...request, problem: `answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 300)}` });
    } else if (answer.status >= 400) {
      this.report.rejected += 1;
      await this.compare(headBefore, request, idsCarried(incoming.url ?? '', body));
    }
    // Positions before the next request: re-read only when this one (or the background) moved the log.
    if (this.positionsAt === null || this.positionsAt.head !== this.head()) this.positionsAt = await this.snapshot();
    outgoing.writeHead(answer.status, answer.headers);
    outgoing.end(answer.body);
  }

  private head(): number {
    return this.headStatement.get()?.head ?? 0;
  }

  /** Positions once the read models show at least the log's current head, with the head they were read at. */
  private async snapshot(): Promise<Snapshot> {
    const head = this.head();
    const deadlineMs = Date.now() + readModelWaitMs;
    for (;;) {
      const health = (await (await fetch(`${this.target.url}/healthz`)).json()) as { readModelPosition?: string };
      if (Number(health.readModelPosition ?? -1) >= head || Date.now() > deadlineMs) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const response = await fetch(`${this.target.url}/v1/participants?limit=100`, {
      headers: { authorization: `Bearer ${this.target.operatorKey}` },
    });
    const page = (await response.json()) as { participants?: Record<string, unknown>[] };
    const positions = JSON.stringify(
      (page.participants ?? []).map((participant) => [participant.id, participant.position, participant.reserved, participant.liquidity]),
    );
    return { head, positions };
  }

  private async compare(headBefore: number, request: Omit<ProxyViolation, 'problem'>, ids: ReadonlySet<string>): Promise<void> {
    const headAfter = this.head();
    if (headAfter === headBefore) {
      this.report.rejectedWithLogUnchanged += 1;
      return;
    }
    let backgroundLedgerEvent = false;
    for (const event of this.eventsBetween(headBefore, headAfter)) {
      // The audit trail records every attempt of the operator and regulators, refused ones too (issue 15): a record
      // of who tried what, not state the request changed.
      if (event.stream === auditStreamName) {
        this.report.auditEntriesDuringRejections += 1;
        continue;
      }
      const named = [...ids].find((id) => event.correlationId === id || event.stream.endsWith(`-${id}`));
      if (event.correlationId === request.requestId || named !== undefined) {
        this.violation({
          ...request,
          problem: `a rejected request appended ${event.type} to ${event.stream} (position ${event.position})`,
        });
        continue;
      }
      if (event.actor === null || !systemActorPattern.test(event.actor)) {
        this.violation({
          ...request,
          problem: `${event.type} on ${event.stream} appended by ${event.actor ?? 'no actor'}, not a system actor`,
        });
        continue;
      }
      const key = `${event.actor} ${event.type}`;
      this.report.backgroundEventsDuringRejections[key] = (this.report.backgroundEventsDuringRejections[key] ?? 0) + 1;
      if (ledgerStreamPattern.test(event.stream)) backgroundLedgerEvent = true;
    }
    const before = this.positionsAt;
    if (before === null) return;
    const after = await this.snapshot();
    this.positionsAt = after;
    if (before.positions === after.positions) return;
    if (backgroundLedgerEvent || this.eventsBetween(before.head, after.head).some((event) => ledgerStreamPattern.test(event.stream)))
      this.report.positionMovesExplained += 1;
    else
      this.violation({ ...request, problem: `positions moved with no background ledger event: ${before.positions} -> ${after.positions}` });
  }

  private eventsBetween(fromExclusive: number, toInclusive: number): WindowEvent[] {
    if (toInclusive <= fromExclusive) return [];
    return this.windowStatement.all(fromExclusive, toInclusive).map((row) => {
      const metadata = JSON.parse(row.metadata) as { actor?: unknown; correlationId?: unknown };
      return {
        position: row.position,
        stream: row.stream,
        type: row.type,
        actor: typeof metadata.actor === 'string' ? metadata.actor : null,
        correlationId: typeof metadata.correlationId === 'string' ? metadata.correlationId : null,
      };
    });
  }

  private violation(violation: ProxyViolation): void {
    this.report.violationCount += 1;
    if (this.report.violations.length < violationsKeptMax) this.report.violations.push(violation);
  }
}

/** Ids a request carries (path segments and JSON string values named id), so events about them can be recognised. */
function idsCarried(url: string, body: Buffer): Set<string> {
  const ids = new Set<string>();
  // Route words (transfers, webhooks, settlement) are lower-case letters; ids are not.
  for (const segment of url.split('?')[0]?.split('/') ?? []) if (segment.length >= 4 && /[^a-z-]/.test(segment)) ids.add(segment);
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && 'id' in parsed && typeof parsed.id === 'string' && parsed.id.length > 0)
      ids.add(parsed.id);
  } catch {
    // Not JSON: schemathesis sends malformed bodies on purpose, and they carry no id.
  }
  return ids;
}

function readBody(incoming: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    incoming.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= bodyBytesMax) chunks.push(chunk);
    });
    incoming.on('end', () => resolve(bytes > bodyBytesMax ? null : Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}

type Answer = { status: number; headers: Record<string, string | string[]>; body: Buffer };

function forward(targetUrl: string, incoming: IncomingMessage, body: Buffer, requestId: string): Promise<Answer> {
  const target = new URL(incoming.url ?? '/', targetUrl);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined && name !== 'host') headers[name] = value;
  headers['x-request-id'] = requestId;
  headers['content-length'] = String(body.length);
  delete headers['transfer-encoding'];
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(target, { method: incoming.method, headers, timeout: 60_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const answerHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(response.headers))
          if (value !== undefined && name !== 'transfer-encoding' && name !== 'connection') answerHeaders[name] = value;
        resolve({ status: response.statusCode ?? 502, headers: answerHeaders, body: Buffer.concat(chunks) });
      });
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('the switch did not answer within 60 s')));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
