import type { Request } from 'express';
import type { Principal } from '../core/auth/principal';
import type { ClientCertificateReader } from '../core/participants/client-certificate';
import { HttpError } from './http-error';
import { verifiedClientFingerprint } from '../adapters/client-certificate-fingerprint';

/**
 * Mutual TLS per principal (issue 15). A participant's request must come over a client certificate that the
 * client CA signed (the connection's handshake checked that) and that is bound to that participant; else 403.
 * Operators, regulators and merchants are not asked: their keys are issued to people and shops that have no
 * certificate from the switch's CA, and the public pages (pay page, /regulator, /health) serve customers'
 * browsers. A certificate the CA did not sign never gets this far: its connection is closed after the handshake.
 */
export function checkClientCertificate(reader: ClientCertificateReader, principal: Principal, request: Request): void {
  if (principal.role !== 'participant') return;
  const fingerprint256 = verifiedClientFingerprint(request.socket);
  if (fingerprint256 === null) {
    throw new HttpError(
      'CLIENT_CERTIFICATE_REQUIRED',
      "a participant's requests must come over a client certificate signed by the switch's client CA and bound to the participant",
    );
  }
  if (!reader.isBound(principal.participantId, fingerprint256)) {
    throw new HttpError(
      'CLIENT_CERTIFICATE_MISMATCH',
      `the client certificate ${fingerprint256} is not bound to participant ${principal.participantId}`,
    );
  }
}
