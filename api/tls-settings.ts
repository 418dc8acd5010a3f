import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ClientCertificateReader } from '../core/participants/client-certificate';
import { createSecureContext, type Server as TlsServer, type TLSSocket, type TlsOptions } from 'node:tls';

/**
 * TLS for the HTTP port and the ISO 8583 port (issue 15): HISAAB_TLS_CERT and HISAAB_TLS_KEY (PEM files) turn it on;
 * HISAAB_TLS_CLIENT_CA (a PEM bundle) adds mutual TLS, where a participant must present a certificate signed by
 * that CA and bound to it. Off by default: a switch behind a TLS-terminating proxy serves plain HTTP (README).
 */
export type TlsSettings = {
  certificatePem: string;
  keyPem: string;
  /** Null: no client certificates are asked for. */
  clientCaPem: string | null;
};

/** A PEM file larger than this is not a certificate chain or a key. */
const pemFileBytesMax = 1024 * 1024;
/** Certificates in the client CA bundle at most. */
const clientCaCertificatesMax = 100;

/** The TLS settings from the environment, null when TLS is off; every problem is one sentence naming its variable. */
export function loadTlsSettings(environment: NodeJS.ProcessEnv, problems: string[]): TlsSettings | null {
  const certificatePath = nonBlank(environment.HISAAB_TLS_CERT);
  const keyPath = nonBlank(environment.HISAAB_TLS_KEY);
  const clientCaPath = nonBlank(environment.HISAAB_TLS_CLIENT_CA);
  if (certificatePath === null && keyPath === null) {
    if (clientCaPath !== null) problems.push('HISAAB_TLS_CLIENT_CA needs HISAAB_TLS_CERT and HISAAB_TLS_KEY: mutual TLS is TLS first');
    return null;
  }
  if (certificatePath === null || keyPath === null) {
    problems.push('set HISAAB_TLS_CERT and HISAAB_TLS_KEY together: the certificate and its private key (PEM files)');
    return null;
  }
  const before = problems.length;
  const certificatePem = readPem('HISAAB_TLS_CERT', certificatePath, problems);
  const keyPem = readPem('HISAAB_TLS_KEY', keyPath, problems);
  const clientCaPem = clientCaPath === null ? null : readPem('HISAAB_TLS_CLIENT_CA', clientCaPath, problems);
  if (certificatePem === null || keyPem === null || (clientCaPath !== null && clientCaPem === null)) return null;
  const certificate = parseCertificates('HISAAB_TLS_CERT', certificatePath, certificatePem, problems)[0];
  let privateKey: ReturnType<typeof createPrivateKey> | null = null;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch {
    problems.push(`HISAAB_TLS_KEY ${certificatePathText(keyPath)} is not a PEM private key (unencrypted PKCS#8, PKCS#1 or SEC1)`);
  }
  if (certificate !== undefined && privateKey !== null && !certificate.checkPrivateKey(privateKey))
    problems.push(`HISAAB_TLS_KEY ${certificatePathText(keyPath)} is not the private key of the certificate in HISAAB_TLS_CERT`);
  if (clientCaPem !== null && clientCaPath !== null) parseCertificates('HISAAB_TLS_CLIENT_CA', clientCaPath, clientCaPem, problems);
  if (problems.length > before) return null;
  const settings = { certificatePem, keyPem, clientCaPem };
  try {
    // What the servers will build: anything OpenSSL still refuses is caught here, before a port opens.
    createSecureContext(tlsServerOptions(settings));
  } catch (error) {
    problems.push(`HISAAB_TLS_CERT, HISAAB_TLS_KEY or HISAAB_TLS_CLIENT_CA cannot be used: ${(error as Error).message}`);
    return null;
  }
  return settings;
}

/**
 * The server side of TLS. With a client CA, a certificate is asked for but the handshake does not require one:
 * operators, regulators, merchants and the public pages need none (their bearer keys, or nothing, say who they
 * are). A certificate that is presented and fails verification is refused by `refuseUnverifiedClientCertificates`.
 */
export function tlsServerOptions(settings: TlsSettings): TlsOptions {
  return {
    cert: settings.certificatePem,
    key: settings.keyPem,
    minVersion: 'TLSv1.2',
    ...(settings.clientCaPem === null ? {} : { ca: settings.clientCaPem, requestCert: true, rejectUnauthorized: false }),
  };
}

/**
 * TLS for the ISO 8583 port. Every peer there is a bank host, so with a client CA the handshake itself requires a
 * certificate the CA signed; which bank it is bound to is checked at sign-on (institution-authorizer.ts).
 */
export function iso8583TlsOptions(
  settings: TlsSettings,
  clientCertificates: ClientCertificateReader,
): { options: TlsOptions; clientCertificates: ClientCertificateReader | null } {
  const mutual = settings.clientCaPem !== null;
  return {
    options: { ...tlsServerOptions(settings), ...(mutual ? { rejectUnauthorized: true } : {}) },
    clientCertificates: mutual ? clientCertificates : null,
  };
}

/**
 * Closes a connection whose client presented a certificate the client CA did not sign (or an expired one), as
 * soon as its handshake ends and before a byte of its request is read: the same as Node's own
 * rejectUnauthorized, which cannot be used because it also refuses clients that present none.
 */
export function refuseUnverifiedClientCertificates(server: TlsServer): void {
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    if (!socket.authorized && Object.keys(socket.getPeerCertificate()).length > 0) socket.destroy();
  });
}

function readPem(variable: string, path: string, problems: string[]): string | null {
  try {
    const bytes = readFileSync(path);
    if (bytes.length > pemFileBytesMax) {
      problems.push(`${variable} ${certificatePathText(path)} is larger than ${pemFileBytesMax} bytes; it is not a PEM file`);
      return null;
    }
    return bytes.toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    problems.push(`${variable} ${certificatePathText(path)} cannot be read (${code})`);
    return null;
  }
}

/** Every certificate of a PEM bundle; a problem when there is none, too many, or one that does not parse. */
function parseCertificates(variable: string, path: string, pem: string, problems: string[]): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0 || blocks.length > clientCaCertificatesMax) {
    problems.push(
      `${variable} ${certificatePathText(path)} must hold 1 to ${clientCaCertificatesMax} PEM certificates ("-----BEGIN CERTIFICATE-----")`,
    );
    return [];
  }
  const certificates: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      problems.push(`${variable} ${certificatePathText(path)} holds a certificate that does not parse`);
      return [];
    }
  }
  return certificates;
}

function certificatePathText(path: string): string {
  return JSON.stringify(path.slice(0, 200));
}

function nonBlank(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value;
}
