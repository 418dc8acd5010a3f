import type { Request } from 'express';
import { assert } from '../core/assert';
import type { Principal } from '../core/auth/principal';
import type { VerifiedRequestSignature } from '../core/auth/request-signature';

/**
 * What the edge learns about a request as it passes through: its id, then who is calling, then (for a participant
 * that signs its writes) the verified signature, kept as evidence by the routes that record what was asked.
 */
export type RequestContext = {
  requestId: string;
  startedAtNs: bigint;
  principal: Principal | null;
  signature?: VerifiedRequestSignature | null;
};

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

/** The raw bytes of each request body, exactly as received, kept for signature verification and evidence. */
const rawBodies = new WeakMap<Request, Buffer>();

export function setRawBody(request: Request, body: Buffer): void {
  rawBodies.set(request, body);
}

/** The body as received (empty when the request had none): what a Hisaab-JWS signs. */
export function rawBodyOf(request: Request): Buffer {
  return rawBodies.get(request) ?? Buffer.alloc(0);
}
