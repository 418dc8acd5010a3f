import type { RequestHandler } from 'express';
import { assert } from '../core/assert';
import { HttpError } from './http-error';
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
/** Seconds a shed client waits before it tries again: the in-flight requests finish within about that. */
export const shedRetryAfterSeconds = 1;

/**
 * Admission control on the money path (issue 14, item 5): past `inFlightMax` requests in progress, a new one is
 * answered 503 OVERLOADED with Retry-After at once, before its body is read, its key checked or anything recorded,
 * so that the requests already admitted keep their latency instead of every request slowing without bound. A shed
 * request did nothing: retrying it with the same transfer id runs it for the first time. An admitted request is
 * never shed later; it holds its slot until its answer is sent or its connection closes.
 */
export function moneyPathAdmission(inFlightMax: number, metrics: SwitchMetrics): RequestHandler {
  assert(Number.isSafeInteger(inFlightMax) && inFlightMax >= 1 && inFlightMax <= moneyPathInFlightMaxLimit, 'inFlightMax is bounded');
  let inFlight = 0;
  return (request, response, next) => {
    if (request.method !== 'POST' || !moneyPathRoutes.includes(request.path)) {
      next();
      return;
    }
    if (inFlight >= inFlightMax) {
      metrics.moneyPathShed.inc({ route: request.path });
      throw new HttpError(
        'OVERLOADED',
        `the switch is working on ${inFlightMax} payments already and did nothing with this one; retry it (the same id is safe) after ${shedRetryAfterSeconds} s`,
        [],
        { 'Retry-After': String(shedRetryAfterSeconds) },
      );
    }
    inFlight += 1;
    metrics.moneyPathInFlight.set(inFlight);
    let released = false;
    // 'close' comes once the answer is sent or the client went away, whichever is first; 'finish' may never come.
    response.once('close', () => {
      if (released) return;
      released = true;
      inFlight -= 1;
      assert(inFlight >= 0, 'money-path requests in flight never go below zero');
      metrics.moneyPathInFlight.set(inFlight);
    });
    next();
  };
}
