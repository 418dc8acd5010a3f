import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto, X509Certificate } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;

/**
 * Certificates made at run time for TLS tests: a CA, certificates it signs for the server and for clients, and a
 * stranger's CA. Keys are ECDSA P-256 from node:crypto's WebCrypto (fast to make); @peculiar/x509 writes the
 * certificates, so no test depends on an openssl binary or on files checked in that would expire.
 */
x509.cryptoProvider.set(webcrypto);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
const dayMs = 24 * 60 * 60 * 1000;

/** A certificate and its private key, both PEM, with the SHA-256 fingerprint Node reports (`AB:CD:…`). */
export type IssuedCertificate = { certificatePem: string; keyPem: string; fingerprint256: string };

export type TestCertificateAuthority = IssuedCertificate & {
  /** A certificate for the server's names (localhost, 127.0.0.1, ::1). */
  issueServer(): Promise<IssuedCertificate>;
  /** A client certificate with this common name. */
  issueClient(commonName: string): Promise<IssuedCertificate>;
};

async function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
}

async function privateKeyPem(keys: CryptoKeyPair): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

function fingerprintOf(certificatePem: string): string {
  return new X509Certificate(certificatePem).fingerprint256;
}

export async function createTestCertificateAuthority(name = 'Hisaab Test CA'): Promise<TestCertificateAuthority> {
  const caKeys = await generateKeys();
  const caCertificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    keys: caKeys,
    notBefore: new Date(Date.now() - dayMs),
    notAfter: new Date(Date.now() + 30 * dayMs),
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const issue = async (commonName: string, extensions: x509.Extension[]): Promise<IssuedCertificate> => {
    const keys = await generateKeys();
    const certificate = await x509.X509CertificateGenerator.create({
      subject: `CN=${commonName}`,
      issuer: caCertificate.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      notBefore: new Date(Date.now() - dayMs),
      notAfter: new Date(Date.now() + 30 * dayMs),
      signingAlgorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        await x509.AuthorityKeyIdentifierExtension.create(caCertificate),
        ...extensions,
      ],
    });
    const certificatePem = certificate.toString('pem');
    return { certificatePem, keyPem: await privateKeyPem(keys), fingerprint256: fingerprintOf(certificatePem) };
  };
  const certificatePem = caCertificate.toString('pem');
  return {
    certificatePem,
    keyPem: await privateKeyPem(caKeys),
    fingerprint256: fingerprintOf(certificatePem),
    issueServer: () =>
      issue('localhost', [
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
          { type: 'ip', value: '::1' },
        ]),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      ]),
    issueClient: (commonName) => issue(commonName, [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])]),
  };
}
