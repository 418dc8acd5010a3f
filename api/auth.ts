import type { RequestHandler } from 'express';
import type { Authenticator } from '../core/auth/authenticate';
import type { Principal, Role } from '../core/auth/principal';
import type { RequestSignatureVerifier } from '../core/auth/request-signature';
import { requestSignatureHeaderName } from '../core/auth/request-signature';
import type { AuditGate } from './audit-gate';
import type { ClientCertificateReader } from '../core/participants/client-certificate';
import { checkClientCertificate } from './client-certificate-check';
import { HttpError } from './http-error';
import { authenticatedByRateLimiter } from './rate-limit/rate-limiting';
import { rawBodyOf, requestContext } from './request-context';

/** The methods that change something: a participant that must sign, signs these. */
const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Guards a route: 401 UNAUTHENTICATED without a valid bearer key, 403 FORBIDDEN for a valid key of a role the
 * route does not serve, and, for a write of a participant the operator requires to sign, 401 with a JWS_* code
 * unless its Hisaab-JWS verifies. Ownership (a participant reading only its own records) is checked by the handler.
 * With an audit gate, refusals of authentication and the operator's and regulators' requests, the forbidden ones too, are audited (see
 * api/audit-gate.ts); a front-end worker has none and leaves that to the writer it forwards the rest to.
 * With mutual TLS on (`clientCertificates` given), a participant's key counts only over its bound certificate.
 */
export function allowRoles(
  authenticator: Authenticator,
  roles: readonly Role[],
  signatures: RequestSignatureVerifier,
  now: () => Date,
  audit: AuditGate | null,
  clientCertificates: ClientCertificateReader | null,
): RequestHandler {
  const allowed = new Set<Role>(roles);
  return async (request, _response, next) => {
    const authorization = request.get('authorization');
    // The rate limiter looked the key up already (api/rate-limit/rate-limiting.ts): once is enough.
    const known = authenticatedByRateLimiter(request, authorization);
    const principal = known === undefined ? authenticator.authenticate(authorization) : known;
    if (principal === null) {
      await audit?.refused(request, authorization);
      const presented = authorization !== undefined;
      throw new HttpError(
        'UNAUTHENTICATED',
        presented ? 'the bearer key is not valid' : 'send your API key as "Authorization: Bearer <key>"',
        [],
        { 'WWW-Authenticate': 'Bearer' },
      );
    }
    // Recorded before the role check, so that the log of a refused request says who tried it.
    requestContext(request).principal = principal;
    if (clientCertificates !== null) checkClientCertificate(clientCertificates, principal, request);
    if (!allowed.has(principal.role)) {
      await audit?.forbidden(request, principal);
      throw new HttpError('FORBIDDEN', `this operation is not available to the ${principal.role} role`);
    }
    if (mustSign(principal, request.method, signatures)) {
      requestContext(request).signature = await signatures.verify({
        participantId: principal.participantId,
        header: request.get(requestSignatureHeaderName),
        method: request.method,
        pathWithQuery: request.originalUrl,
        rawBody: rawBodyOf(request),
        now: now(),
      });
    }
    await audit?.allowed(request, principal);
    next();
  };
}

function mustSign(
  principal: Principal,
  method: string,
  signatures: RequestSignatureVerifier,
): principal is Principal & { role: 'participant' } {
  return principal.role === 'participant' && writeMethods.has(method) && signatures.required(principal.participantId);
}

/**
 * Two Authorization headers name two callers: node keeps the first, a proxy in front may keep the last. The field is
 * not a list (RFC 9110), so a request with more than one is refused before anyone is authenticated. Counted in the
 * raw headers: node's parsed ones keep only the first.
 */
export function refuseRepeatedAuthorization(rawHeaders: readonly string[]): void {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) if (rawHeaders[index]?.toLowerCase() === 'authorization') count += 1;
  if (count > 1) throw new HttpError('BAD_REQUEST', `send one Authorization header, not ${count}`);
}
