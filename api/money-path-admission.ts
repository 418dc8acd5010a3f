import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { assert } from '../core/assert';
import { errorBody } from './http-error';
import type { SwitchMetrics } from './metrics';

/** The money path's routes: a POST to one of these moves money, and is admitted or shed before anything is read. */
export const moneyPathRoutes: readonly string[] = ['/v1/transfers', '/v1/transfers/batch'];

/**
 * Money-path requests one process works on at once (HISAAB_MONEY_PATH_IN_FLIGHT_MAX). Under overload a request's
 * latency is about this many divided by the process's throughput: 64 at the ~745 payments/s one process makes on
 * the 2-core build machine is ~90 ms, near the p99 of a saturated run. Payees that answer slowly hold their slots
 * for up to the payee deadline, so a deployment with slow payees raises it.
 */
export const moneyPathInFlightMaxDefault = 64;
export const moneyPathInFlightMaxLimit = 100_000;
/**
 * HISAAB_MONEY_PATH_LOOP_DELAY_MAX_MS: past this event-loop delay (the longest in the last sampling period), new
 * payments are shed too, whatever the count in flight: the process is not keeping up (a stalled machine, or work
 * off the money path), and what it admits now would wait behind it. 0 turns it off.
 */
export const moneyPathLoopDelayMaxMsDefault = 200;
export const moneyPathLoopDelayMaxMsLimit = 60_000;
/** How often the event-loop delay is judged (and its histogram restarted). */
const loopDelaySampleMs = 100;
/** Seconds a shed client waits before it tries again: the in-flight requests finish within about that. */
export const shedRetryAfterSeconds = 1;

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Admission control on the money path (issue 14, item 5): past `inFlightMax` requests in progress, or while the
 * event loop is delayed past `loopDelayMaxMs`, a new one is answered 503 OVERLOADED with Retry-After at once, so that
 * the requests already admitted keep their latency instead of every request slowing without bound. A shed request
 * did nothing: retrying it with the same transfer id runs it for the first time. An admitted request is never shed
 * later; it holds its slot until its answer is sent or its connection closes.
 *
 * It runs first in the app, before the request id, the request log and the body: a shed answer is one prebuilt
 * buffer written to the socket (no logging, no JSON, no error handler), so that refusing costs the process next to
 * nothing when it has the least to spare. Shed requests are counted in `hisaab_money_path_shed_total{route,reason}`.
 */
export function moneyPathAdmission(
  inFlightMax: number,
  metrics: SwitchMetrics,
  loopDelayMaxMs = moneyPathLoopDelayMaxMsDefault,
  // The process's own monitor; a test passes a source it sets, so that the shedding is proven without racing timers.
  loopDelaySource: () => LoopDelay = processLoopDelay,
): MoneyPathAdmission {
  assert(Number.isSafeInteger(inFlightMax) && inFlightMax >= 1 && inFlightMax <= moneyPathInFlightMaxLimit, 'inFlightMax is bounded');
  assert(
    Number.isSafeInteger(loopDelayMaxMs) && loopDelayMaxMs >= 0 && loopDelayMaxMs <= moneyPathLoopDelayMaxMsLimit,
    'loopDelayMaxMs is bounded',
  );
  const loopDelay = loopDelayMaxMs === 0 ? null : loopDelaySource();
  const busyBody = shedBody(`the switch is working on ${inFlightMax} payments already and did nothing with this one`);
  const delayedBody = shedBody(`the switch is running late (event-loop delay past ${loopDelayMaxMs} ms) and did nothing with this one`);
  let inFlight = 0;
  const release = (): void => {
    inFlight -= 1;
    assert(inFlight >= 0, 'money-path requests in flight never go below zero');
    metrics.moneyPathInFlight.set(inFlight);
  };
  /** Judges a request once; false when it was shed (answered here), true when it may go on. */
  const judge = (request: IncomingMessage, response: ServerResponse): boolean => {
    const judged = request as IncomingMessage & { [judgedMark]?: true };
    if (judged[judgedMark] === true) return true;
    judged[judgedMark] = true;
    const route = request.method === 'POST' && request.url !== undefined ? moneyPathRoute(request.url) : null;
    if (route === null) return true;
    if (inFlight >= inFlightMax) {
      shed(request, response, busyBody);
      metrics.moneyPathShed.inc({ route, reason: 'in_flight' });
      return false;
    }
    if (loopDelay !== null && loopDelay.lastMaxMs > loopDelayMaxMs) {
      shed(request, response, delayedBody);
      metrics.moneyPathShed.inc({ route, reason: 'loop_delay' });
      return false;
    }
    inFlight += 1;
    metrics.moneyPathInFlight.set(inFlight);
    // 'close' comes once the answer is sent or the client went away, whichever is first; 'finish' may never come.
    response.once('close', release);
    return true;
  };
  const middleware: RequestHandler = (request, response, next) => {
    if (judge(request, response)) next();
  };
  return Object.assign(middleware, { judge });
}

/**
 * The admission as express middleware (for an app served by any server, as tests and front-end workers do), and as
 * `judge`, which the switch's own HTTP server calls at the 'request' event, before express (see
 * `withMoneyPathAdmission`): a request is judged once, by whichever comes first.
 */
export type MoneyPathAdmission = RequestHandler & { judge(request: IncomingMessage, response: ServerResponse): boolean };

const judgedMark = Symbol('money path judged');
const admissionKey = Symbol('money path admission');

/** Marks an app as carrying this admission, so that the server in front of it can judge requests before it. */
export function attachMoneyPathAdmission(app: object, admission: MoneyPathAdmission): void {
  Object.defineProperty(app, admissionKey, { value: admission });
}

/**
 * The listener the switch's HTTP server runs: a shed payment is answered before express sees the request at all
 * (no router, no middleware). An app without an admission attached is served as it is.
 */
export function withMoneyPathAdmission(listener: RequestListener): RequestListener {
  const admission = (listener as RequestListener & { [admissionKey]?: MoneyPathAdmission })[admissionKey];
  if (admission === undefined) return listener;
  return (request, response) => {
    if (admission.judge(request, response)) listener(request, response);
  };
}

/**
 * The money-path route a request target names, as express would route it (case-insensitive, an optional trailing
 * slash, any query string or fragment, an absolute-form target's path), or null. Only POSTs get here, so the few
 * string operations cost other routes nothing.
 */
export function moneyPathRoute(target: string): string | null {
  let path = target.startsWith('/') ? target : absoluteFormPath(target);
  const end = path.search(/[?#]/);
  if (end !== -1) path = path.slice(0, end);
  path = path.toLowerCase();
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return moneyPathRoutes.includes(path) ? path : null;
}

/** `http://host/v1/transfers` names `/v1/transfers`, as the router reads it; a target that is no URL names nothing. */
function absoluteFormPath(target: string): string {
  try {
    return new URL(target).pathname;
  } catch {
    return '';
  }
}

function shedBody(reason: string): Buffer {
  const message = `${reason}; retry it (the same id is safe) after ${shedRetryAfterSeconds} s`;
  return Buffer.from(JSON.stringify(errorBody('OVERLOADED', message)));
}

/** The answer the error handler would give, written straight to the socket; the body is left unread (node drains it). */
function shed(request: IncomingMessage, response: ServerResponse, body: Buffer): void {
  const incoming = request.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
  response.writeHead(503, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
    'Retry-After': String(shedRetryAfterSeconds),
    'X-Request-Id': requestId,
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(body);
}

/** The event loop's delay: how late the last sampling timer ran. */
export type LoopDelay = { lastMaxMs: number };

let sharedLoopDelay: LoopDelay | null = null;

/**
 * One monitor per process (the loop is the process's), started by the first admission that needs it: a timer that
 * measures how late it runs itself. A stall delays it by the stall's length (less what was left of its period), and
 * the lateness is judged the moment the stall ends, so what piled up during it (requests waiting in the socket
 * buffers) is shed for one period instead of being admitted behind it. perf_hooks' monitorEventLoopDelay was used
 * first; in a busy test run it reported no stall at all for whole periods, so the switch measures the one thing it
 * needs itself. The timer is unref'd: it never keeps a process alive.
 */
export function processLoopDelay(): LoopDelay {
  if (sharedLoopDelay !== null) return sharedLoopDelay;
  const loopDelay: LoopDelay = { lastMaxMs: 0 };
  let dueAtMs = performance.now() + loopDelaySampleMs;
  const timer = setInterval(() => {
    const nowMs = performance.now();
    loopDelay.lastMaxMs = Math.max(0, nowMs - dueAtMs);
    dueAtMs = nowMs + loopDelaySampleMs;
  }, loopDelaySampleMs);
  timer.unref();
  sharedLoopDelay = loopDelay;
  return loopDelay;
}
