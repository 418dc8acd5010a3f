/**
 * A client certificate bound to a participant (issue 15, mutual TLS): the SHA-256 fingerprint of the DER
 * certificate, written as Node's `fingerprint256` writes it (`AB:CD:…`, 32 upper-case hex pairs). With a client
 * CA configured, a participant's requests and its bank host's ISO 8583 connections must present a certificate
 * signed by that CA whose fingerprint is bound to that participant.
 */
export type ClientCertificateBinding = {
  fingerprint256: string;
  /** The certificate's subject when the operator sent the certificate itself; null when only the fingerprint. */
  subject: string | null;
  /** When the certificate expires (ISO 8601), when known. */
  notAfter: string | null;
  registeredAt: string;
};

/** Certificates bound to one participant at once: enough to roll one over, few enough to audit. */
export const clientCertificatesMax = 10;
export const certificateSubjectLengthMax = 512;

export const fingerprintPattern = /^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$/;

/** The canonical `AB:CD:…` form of a SHA-256 fingerprint written with or without colons, in either case; null if it is not one. */
export function canonicalFingerprint256(text: string): string | null {
  if (!fingerprintPattern.test(text)) return null;
  const hex = text.replaceAll(':', '').toUpperCase();
  return hex.match(/../g)?.join(':') ?? null;
}

/** Read side of the bindings (adapters/readmodel-sqlite/projections/client-certificates-*.ts), synchronous like the key lookups. */
export interface ClientCertificateReader {
  isBound(participantId: string, fingerprint256: string): boolean;
  /** The participant's bindings, oldest first (at most clientCertificatesMax). */
  listClientCertificates(participantId: string): ClientCertificateBinding[];
}
