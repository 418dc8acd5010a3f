import type { RequestHandler } from 'express';
import type { Authenticator } from '../core/auth/authenticate';
import type { Role } from '../core/auth/principal';
import type { ClientCertificateReader } from '../core/participants/client-certificate';
import { checkClientCertificate } from './client-certificate-check';
import { HttpError } from './http-error';
import { requestContext } from './request-context';

/**
 * Guards a route: 401 UNAUTHENTICATED without a valid bearer key, 403 FORBIDDEN for a valid key of a role the
 * route does not serve. Ownership (a participant reading only its own records) is checked by the handler. With
 * mutual TLS on (`clientCertificates` given), a participant's key counts only over its bound certificate.
 */
export function allowRoles(
  authenticator: Authenticator,
  roles: readonly Role[],
  clientCertificates: ClientCertificateReader | null = null,
): RequestHandler {
  const allowed = new Set<Role>(roles);
  return (request, _response, next) => {
    const principal = authenticator.authenticate(request.get('authorization'));
    if (principal === null) {
      const presented = request.get('authorization') !== undefined;
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
      throw new HttpError('FORBIDDEN', `this operation is not available to the ${principal.role} role`);
    }
    next();
  };
}
