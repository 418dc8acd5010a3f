import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../api/config';
import { runSwitchExpectingExit } from '../../support/switch-process';
import { tempDir } from '../../support/temp-dir';
import { createTestCertificateAuthority, type IssuedCertificate, type TestCertificateAuthority } from '../../support/test-certificates';

/** HISAAB_TLS_*: each misconfiguration refuses start-up with one sentence naming its variable (issue 15 item 2). */

jest.setTimeout(60_000);

let files: { path: string; remove: () => void };
let ca: TestCertificateAuthority;
let server: IssuedCertificate;
let other: IssuedCertificate;
const path = (name: string): string => join(files.path, name);

const base = { HISAAB_OPERATOR_KEY: 'operator-test-key-0123456789abcdef', HISAAB_DATA_DIR: '/tmp/hisaab-tls-config-unused' };

function problemOf(environment: Record<string, string>): string {
  try {
    loadConfig({ ...base, ...environment });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

beforeAll(async () => {
  ca = await createTestCertificateAuthority();
  server = await ca.issueServer();
  other = await ca.issueServer();
  files = tempDir('hisaab-tls-config-');
  writeFileSync(path('cert.pem'), server.certificatePem);
  writeFileSync(path('key.pem'), server.keyPem);
  writeFileSync(path('other-key.pem'), other.keyPem);
  writeFileSync(path('ca.pem'), ca.certificatePem);
  writeFileSync(path('garbage.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
  writeFileSync(path('not-pem.txt'), 'hello');
  writeFileSync(path('unreadable.pem'), server.certificatePem);
  chmodSync(path('unreadable.pem'), 0o000);
});

afterAll(() => files?.remove());

it('is off by default, and on with a certificate and its key (mutual with a client CA)', () => {
  expect(loadConfig(base).tls).toBeNull();
  const tls = loadConfig({ ...base, HISAAB_TLS_CERT: path('cert.pem'), HISAAB_TLS_KEY: path('key.pem') }).tls;
  expect(tls).toMatchObject({ certificatePem: server.certificatePem, keyPem: server.keyPem, clientCaPem: null });
  const mutual = loadConfig({
    ...base,
    HISAAB_TLS_CERT: path('cert.pem'),
    HISAAB_TLS_KEY: path('key.pem'),
    HISAAB_TLS_CLIENT_CA: path('ca.pem'),
  });
  expect(mutual.tls?.clientCaPem).toBe(ca.certificatePem);
});

it('refuses each misconfiguration with a sentence naming the variable', () => {
  const cert = path('cert.pem');
  const key = path('key.pem');
  expect(problemOf({ HISAAB_TLS_CERT: cert })).toMatch(/set HISAAB_TLS_CERT and HISAAB_TLS_KEY together/);
  expect(problemOf({ HISAAB_TLS_KEY: key })).toMatch(/set HISAAB_TLS_CERT and HISAAB_TLS_KEY together/);
  expect(problemOf({ HISAAB_TLS_CLIENT_CA: path('ca.pem') })).toMatch(/HISAAB_TLS_CLIENT_CA needs HISAAB_TLS_CERT and HISAAB_TLS_KEY/);
  expect(problemOf({ HISAAB_TLS_CERT: path('missing.pem'), HISAAB_TLS_KEY: key })).toMatch(
    /HISAAB_TLS_CERT ".*missing.pem" cannot be read \(ENOENT\)/,
  );
  if (process.getuid?.() !== 0) {
    // root reads any file, so the permission case only shows for other users.
    expect(problemOf({ HISAAB_TLS_CERT: path('unreadable.pem'), HISAAB_TLS_KEY: key })).toMatch(/cannot be read \(EACCES\)/);
  }
  expect(problemOf({ HISAAB_TLS_CERT: path('not-pem.txt'), HISAAB_TLS_KEY: key })).toMatch(
    /HISAAB_TLS_CERT .* must hold 1 to 100 PEM certificates/,
  );
  expect(problemOf({ HISAAB_TLS_CERT: path('garbage.pem'), HISAAB_TLS_KEY: key })).toMatch(
    /HISAAB_TLS_CERT .* holds a certificate that does not parse/,
  );
  expect(problemOf({ HISAAB_TLS_CERT: cert, HISAAB_TLS_KEY: path('not-pem.txt') })).toMatch(/HISAAB_TLS_KEY .* is not a PEM private key/);
  expect(problemOf({ HISAAB_TLS_CERT: cert, HISAAB_TLS_KEY: path('other-key.pem') })).toMatch(
    /HISAAB_TLS_KEY .* is not the private key of the certificate in HISAAB_TLS_CERT/,
  );
  expect(problemOf({ HISAAB_TLS_CERT: cert, HISAAB_TLS_KEY: key, HISAAB_TLS_CLIENT_CA: path('garbage.pem') })).toMatch(
    /HISAAB_TLS_CLIENT_CA .* holds a certificate that does not parse/,
  );
  expect(problemOf({ HISAAB_TLS_CERT: cert, HISAAB_TLS_KEY: key, HISAAB_TLS_CLIENT_CA: path('ca.pem'), HISAAB_WORKERS: '2' })).toMatch(
    /HISAAB_TLS_CLIENT_CA is served by a switch of one process/,
  );
});

it('refuses to start from the command line with the sentence and exit code 2', async () => {
  const data = tempDir('hisaab-tls-start-');
  try {
    const exit = await runSwitchExpectingExit({
      ...base,
      HISAAB_DATA_DIR: data.path,
      HISAAB_PORT: '0',
      HISAAB_TLS_CERT: path('cert.pem'),
      HISAAB_TLS_KEY: path('other-key.pem'),
    });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(
      /^hisaab: refusing to start: HISAAB_TLS_KEY .* is not the private key of the certificate in HISAAB_TLS_CERT/,
    );
  } finally {
    data.remove();
  }
});
