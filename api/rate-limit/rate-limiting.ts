import type { Request, RequestHandler, Response } from 'express';
import { assert } from '../../core/assert';
import type { Authenticator } from '../../core/auth/authenticate';
import type { Principal } from '../../core/auth/principal';
import type { RateLimitOverrideReader } from '../../core/rate-limit-overrides';
import { errorBody } from '../http-error';
import { renderRateLimitedPage } from '../pay-page/render';
import { payPageContentSecurityPolicy } from '../routes/pay-page';
import type { SwitchMetrics } from '../metrics';
import type { RateLimitSettings } from './rate-limit-settings';
import { routeClassOf, type RouteClass } from './route-classes';
import { burstSeconds, TokenBuckets, type BucketAnswer } from './token-buckets';

/** Operations' own endpoints: a load balancer's probe and the metrics scraper are never refused. */
export const exemptPaths: ReadonlySet<string> = new Set(['/healthz', '/metrics']);
const payPagePattern = /^\/pay(\/|$)/;
/** The pay page itself (GET, and the form's POST): a browser shows what it gets; /status and assets are for scripts. */
const payPageViewPattern = /^\/pay\/(?!assets\/)[^/]+\/?$/;

/** The policy that applied to a request: its name in the RateLimit headers and metrics, its bucket and its rate. */
type Policy = { name: string; bucketKey: string; perSecond: number; sender: string };

export type RateLimitingOptions = {
  settings: RateLimitSettings;
  /**
   * Processes that share the switch's public port (HISAAB_WORKERS front ends, or 1): each applies its share of
   * every rate, so that together they allow what the settings say whichever process a connection lands on.
   */
  processes: number;
  authenticator: Authenticator;
  overrides: RateLimitOverrideReader;
  metrics: SwitchMetrics;
  nowMs: () => number;
};

// The limiter authenticates the key to find its bucket; the route's guard (api/auth.ts) reuses that answer.
const authentications = new WeakMap<Request, { authorization: string | undefined; principal: Principal | null }>();

/** The principal the rate limiter found for this Authorization header, if it looked; undefined otherwise. */
export function authenticatedByRateLimiter(request: Request, authorization: string | undefined): Principal | null | undefined {
  const known = authentications.get(request);
  return known !== undefined && known.authorization === authorization ? known.principal : undefined;
}

/**
 * Rate limits (issue 15, item 3), checked first: before the body is read, before admission to the money path,
 * before idempotency records and before any handler, so a refused request records nothing and a retry of the same
 * transfer id later runs it for the first time. A request with a valid key takes from that key's bucket for the
 * route's class (api/rate-limit/route-classes.ts) at its participant's or merchant's own rate or the default; one without
 * one (missing, unknown, revoked) takes from its client address's bucket, so a flood of guessed keys is limited
 * where it comes from; the pay pages take from the client address's pay-page bucket. Every answer carries the
 * RateLimit-Policy and RateLimit fields of draft-ietf-httpapi-ratelimit-headers-10; a refusal is 429 RATE_LIMITED
 * with Retry-After.
 */
export function rateLimiting(options: RateLimitingOptions): RequestHandler {
  assert(Number.isSafeInteger(options.processes) && options.processes >= 1, 'rates are shared by at least one process');
  const buckets = new TokenBuckets(options.settings.bucketsMax);
  const share = (perSecond: number) => Math.max(1, perSecond / options.processes);
  return (request, response, next) => {
    if (exemptPaths.has(request.path)) {
      next();
      return;
    }
    const policy = policyFor(request, options);
    const answer = buckets.take(policy.bucketKey, share(policy.perSecond), options.nowMs());
    setRateLimitFields(response, policy.name, answer);
    if (answer.allowed) {
      next();
      return;
    }
    options.metrics.rateLimited.inc({ policy: policy.name });
    const retryAfterSeconds = Math.max(1, answer.retryAfterSeconds);
    // Answered here rather than thrown: in a front-end worker this runs before the app that maps errors.
    response.status(429).set('Retry-After', String(retryAfterSeconds));
    if (isPayPageView(request)) {
      // A customer's browser, perhaps without JavaScript, gets a page it can show rather than JSON.
      response
        .set({ 'Content-Security-Policy': payPageContentSecurityPolicy, 'X-Frame-Options': 'DENY', 'Cache-Control': 'no-store' })
        .type('text/html')
        .send(renderRateLimitedPage(retryAfterSeconds));
      return;
    }
    response.json(
      errorBody(
        'RATE_LIMITED',
        `${policy.sender} sent more requests than its limit allows (${answer.burst} at once, refilled over ${burstSeconds} s; RateLimit-Policy "${policy.name}"); nothing was done with this one: retry it after ${retryAfterSeconds} s`,
      ),
    );
  };
}

function isPayPageView(request: Request): boolean {
  return (request.method === 'GET' || request.method === 'POST') && payPageViewPattern.test(request.path);
}

function policyFor(request: Request, options: RateLimitingOptions): Policy {
  const address = request.socket.remoteAddress ?? 'unknown';
  const { settings } = options;
  if (payPagePattern.test(request.path))
    return { name: 'pay-page', bucketKey: `pay|${address}`, perSecond: settings.payPagePerAddressPerSecond, sender: 'this address' };
  const authorization = request.get('authorization');
  const principal = authorization === undefined ? null : options.authenticator.authenticate(authorization);
  authentications.set(request, { authorization, principal });
  if (principal === null) {
    return {
      name: 'address',
      bucketKey: `address|${address}`,
      perSecond: settings.unauthenticatedPerAddressPerSecond,
      sender: 'this address, without a valid key,',
    };
  }
  const routeClass = routeClassOf(request.method, request.path);
  const perSecond = ownRateOf(principal, options.overrides) ?? settings.perKeyPerSecond;
  return {
    name: `key-${routeClass}`,
    bucketKey: `${keyIdentity(principal)}|${routeClass satisfies RouteClass}`,
    perSecond,
    sender: `this key (${routeClass} requests)`,
  };
}

/** The rate the operator set for the key's participant or merchant, if any. */
function ownRateOf(principal: Principal, overrides: RateLimitOverrideReader): number | null {
  switch (principal.role) {
    case 'participant':
      return overrides.participantRateLimitPerSecond(principal.participantId);
    case 'merchant':
      return overrides.merchantRateLimitPerSecond(principal.merchantId);
    case 'operator':
    case 'regulator':
      return null;
  }
}

/** One bucket per key: the operator's single configured key, or the key id of any other. */
function keyIdentity(principal: Principal): string {
  switch (principal.role) {
    case 'operator':
      return 'operator';
    case 'participant':
    case 'merchant':
    case 'regulator':
      return `key:${principal.keyId}`;
  }
}

/**
 * draft-ietf-httpapi-ratelimit-headers-10 (structured fields): the policy is its burst (`q`) over the seconds an
 * empty bucket takes to refill (`w`), which is the rate; `r` is what is left, `t` the seconds until the bucket is
 * full again.
 */
function setRateLimitFields(response: Response, policyName: string, answer: BucketAnswer): void {
  response.set('RateLimit-Policy', `"${policyName}";q=${answer.burst};w=${burstSeconds}`);
  response.set('RateLimit', `"${policyName}";r=${answer.remaining};t=${answer.fullInSeconds}`);
}
