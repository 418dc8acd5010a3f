import type { Request } from 'express';
import { assert } from '../core/assert';
import type { Principal } from '../core/auth/principal';

/** What the edge learns about a request as it passes through: its id, then who is calling. */
export type RequestContext = { requestId: string; startedAtNs: bigint; principal: Principal | null };

// Kept beside the request rather than on res.locals, which express types as `any`.
const contexts = new WeakMap<Request, RequestContext>();

export function setRequestContext(request: Request, context: RequestContext): void {
  contexts.set(request, context);
}

export function requestContext(request: Request): RequestContext {
  const context = contexts.get(request);
  assert(context !== undefined, 'the request-id middleware runs before anything reads the request context');
  return context;
}

/** The authenticated caller; only for handlers behind `allow(...)`. */
export function principalOf(request: Request): Principal {
  const principal = requestContext(request).principal;
  assert(principal !== null, 'a handler reading the principal is mounted behind allow(...)');
  return principal;
}
