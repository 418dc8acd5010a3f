import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/** The SHA-256 fingerprint (`AB:CD:…`) of the verified client certificate of a connection; null over plain TCP, without one, or unverified. */
export function verifiedClientFingerprint(socket: Socket): string | null {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return null;
  const fingerprint = socket.getPeerCertificate().fingerprint256;
  return typeof fingerprint === 'string' && fingerprint !== '' ? fingerprint : null;
}
