import { writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { buildNetworkManagementRequest, networkManagementCodes } from '../../adapters/iso8583/network-management';
import { RawIsoPeer } from '../integration/iso8583/raw-iso-peer';
import { participantBody, startTestSwitch, stateEventsSince, type TestSwitch } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';
import { createTestCertificateAuthority, type IssuedCertificate, type TestCertificateAuthority } from '../support/test-certificates';

/**
 * Issue 15 item 2 and its test in item 6, over real TLS sockets: the switch serves HTTPS and ISO 8583 over TLS
 * with a client CA made at run time. A participant's key counts only over a certificate the CA signed and the
 * operator bound to that participant; a certificate of another participant is refused (403), one from another
 * CA fails at the handshake, and a bank signs on over ISO 8583 only with its own certificate.
 */

jest.setTimeout(60_000);

const BANK = { id: 'TLSBANK', bankCode: 'TLSB', institutionId: '700001' };
const WALLET = { id: 'TLSWALLET', bankCode: 'TLSW' };

let files: { path: string; remove: () => void };
let ca: TestCertificateAuthority;
let walletCertificate: IssuedCertificate;
let bankCertificate: IssuedCertificate;
let strangerCertificate: IssuedCertificate;
let sw: TestSwitch;
let walletKey: string;
let bankKey: string;

type Answer = { status: number; body: Record<string, unknown> };

/** One HTTPS request on its own connection (no agent), with the client certificate given, trusting the test CA. */
function call(
  method: string,
  path: string,
  options: { key?: string; certificate?: IssuedCertificate; body?: unknown } = {},
): Promise<Answer> {
  const url = new URL(path, sw.url);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const outgoing = httpsRequest(
      {
        method,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        servername: 'localhost',
        agent: false,
        ca: ca.certificatePem,
        ...(options.certificate === undefined ? {} : { cert: options.certificate.certificatePem, key: options.certificate.keyPem }),
        headers: {
          ...(options.key === undefined ? {} : { authorization: `Bearer ${options.key}` }),
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (incoming) => {
        let text = '';
        incoming.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        incoming.on('end', () => {
          const json = (incoming.headers['content-type'] ?? '').includes('application/json');
          resolve({ status: incoming.statusCode ?? 0, body: json && text !== '' ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

function errorCode(answer: Answer): unknown {
  return (answer.body.error as { code?: unknown } | undefined)?.code;
}

function signOn(institutionId: string): ReturnType<typeof buildNetworkManagementRequest> {
  return buildNetworkManagementRequest({
    code: networkManagementCodes.signOn,
    systemTraceAuditNumber: '000001',
    transmissionDateTime: '0101120000',
    institutionId,
  });
}

beforeAll(async () => {
  ca = await createTestCertificateAuthority();
  const stranger = await createTestCertificateAuthority('Stranger CA');
  const server = await ca.issueServer();
  walletCertificate = await ca.issueClient('tls-wallet');
  bankCertificate = await ca.issueClient('tls-bank');
  strangerCertificate = await stranger.issueClient('tls-wallet');
  files = tempDir('hisaab-tls-');
  const write = (name: string, text: string): string => {
    const path = join(files.path, name);
    writeFileSync(path, text);
    return path;
  };
  sw = await startTestSwitch({
    environment: {
      HISAAB_TLS_CERT: write('server.pem', server.certificatePem),
      HISAAB_TLS_KEY: write('server-key.pem', server.keyPem),
      HISAAB_TLS_CLIENT_CA: write('client-ca.pem', ca.certificatePem),
    },
  });
  expect(sw.url.startsWith('https://')).toBe(true);
  // The operator needs no client certificate: onboarding happens before any participant has one.
  const operatorKey = sw.operatorKey;
  expect((await call('POST', '/v1/participants', { key: operatorKey, body: participantBody(WALLET.id, WALLET.bankCode) })).status).toBe(
    201,
  );
  const bankBody = participantBody(BANK.id, BANK.bankCode, {
    type: 'BANK',
    endpoints: { iso8583: '127.0.0.1:9', institutionId: BANK.institutionId },
  });
  expect((await call('POST', '/v1/participants', { key: operatorKey, body: bankBody })).status).toBe(201);
  walletKey = (await call('POST', `/v1/participants/${WALLET.id}/keys`, { key: operatorKey })).body.key as string;
  bankKey = (await call('POST', `/v1/participants/${BANK.id}/keys`, { key: operatorKey })).body.key as string;
  // One bound by its PEM, the other by its fingerprint written without colons in lower case.
  const boundWallet = await call('POST', `/v1/participants/${WALLET.id}/client-certificates`, {
    key: operatorKey,
    body: { certificate: walletCertificate.certificatePem },
  });
  expect(boundWallet.status).toBe(201);
  expect(boundWallet.body).toMatchObject({ fingerprint256: walletCertificate.fingerprint256, subject: 'CN=tls-wallet' });
  const boundBank = await call('POST', `/v1/participants/${BANK.id}/client-certificates`, {
    key: operatorKey,
    body: { fingerprint256: bankCertificate.fingerprint256.replaceAll(':', '').toLowerCase() },
  });
  expect(boundBank.status).toBe(201);
  expect(boundBank.body).toMatchObject({ fingerprint256: bankCertificate.fingerprint256, subject: null });
});

afterAll(async () => {
  await sw?.close();
  files?.remove();
});

describe('HTTPS with a client CA', () => {
  it("serves a participant's request over its own bound certificate", async () => {
    const answer = await call('GET', `/v1/participants/${WALLET.id}`, { key: walletKey, certificate: walletCertificate });
    expect(answer.status).toBe(200);
    expect(answer.body.id).toBe(WALLET.id);
  });

  it("refuses a participant's request without a client certificate: 403 CLIENT_CERTIFICATE_REQUIRED", async () => {
    const answer = await call('GET', `/v1/participants/${WALLET.id}`, { key: walletKey });
    expect(answer.status).toBe(403);
    expect(errorCode(answer)).toBe('CLIENT_CERTIFICATE_REQUIRED');
  });

  it('refuses a certificate of another participant, signed by the same CA: 403 CLIENT_CERTIFICATE_MISMATCH', async () => {
    const answer = await call('GET', `/v1/participants/${WALLET.id}`, { key: walletKey, certificate: bankCertificate });
    expect(answer.status).toBe(403);
    expect(errorCode(answer)).toBe('CLIENT_CERTIFICATE_MISMATCH');
    // And the other way round: the bank's key over the wallet's certificate.
    const reverse = await call('GET', `/v1/participants/${BANK.id}`, { key: bankKey, certificate: walletCertificate });
    expect(errorCode(reverse)).toBe('CLIENT_CERTIFICATE_MISMATCH');
  });

  it('closes the connection of a certificate another CA signed, before reading the request', async () => {
    await expect(call('GET', `/v1/participants/${WALLET.id}`, { key: walletKey, certificate: strangerCertificate })).rejects.toThrow(
      /socket hang up|ECONNRESET|EPIPE|certificate/i,
    );
    // Not even the public pages answer such a connection.
    await expect(call('GET', '/healthz', { certificate: strangerCertificate })).rejects.toThrow();
  });

  it('asks no certificate of the operator, regulators or the public pages', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await call('GET', '/regulator')).status).toBe(200);
    expect((await call('GET', '/v1/participants', { key: sw.operatorKey })).status).toBe(200);
    const regulator = await call('POST', '/v1/keys', { key: sw.operatorKey, body: { role: 'REGULATOR', name: 'SBP examiner' } });
    expect(regulator.status).toBe(201);
    expect((await call('GET', '/v1/participants', { key: regulator.body.key as string })).status).toBe(200);
  });

  it('lists, refuses bad or repeated bindings with a code, and unbinding refuses the certificate at once', async () => {
    const listed = await call('GET', `/v1/participants/${WALLET.id}/client-certificates`, { key: sw.operatorKey });
    expect(listed.status).toBe(200);
    expect(listed.body.clientCertificates).toEqual([
      expect.objectContaining({ fingerprint256: walletCertificate.fingerprint256, subject: 'CN=tls-wallet' }),
    ]);
    const before = await sw.running.store.headPosition();
    const refusals: Array<[unknown, number, string]> = [
      [{ fingerprint256: 'AB:CD' }, 400, 'VALIDATION_FAILED'],
      [{ certificate: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----' }, 400, 'VALIDATION_FAILED'],
      [{ fingerprint256: walletCertificate.fingerprint256, certificate: walletCertificate.certificatePem }, 400, 'VALIDATION_FAILED'],
      [{}, 400, 'VALIDATION_FAILED'],
      [{ fingerprint256: walletCertificate.fingerprint256 }, 409, 'CLIENT_CERTIFICATE_EXISTS'],
    ];
    for (const [body, status, code] of refusals) {
      const answer = await call('POST', `/v1/participants/${WALLET.id}/client-certificates`, { key: sw.operatorKey, body });
      expect([answer.status, errorCode(answer)]).toEqual([status, code]);
    }
    // Only the operator binds certificates, even over a bound certificate.
    const byParticipant = await call('POST', `/v1/participants/${WALLET.id}/client-certificates`, {
      key: walletKey,
      certificate: walletCertificate,
      body: { fingerprint256: bankCertificate.fingerprint256 },
    });
    expect([byParticipant.status, errorCode(byParticipant)]).toEqual([403, 'FORBIDDEN']);
    // The operator's refused attempts are in the audit trail, and nothing else was written.
    expect(await stateEventsSince(sw, before)).toEqual([]);

    const fingerprintPath = encodeURIComponent(walletCertificate.fingerprint256);
    expect(
      (await call('DELETE', `/v1/participants/${WALLET.id}/client-certificates/${fingerprintPath}`, { key: sw.operatorKey })).status,
    ).toBe(204);
    const missing = await call('DELETE', `/v1/participants/${WALLET.id}/client-certificates/${fingerprintPath}`, { key: sw.operatorKey });
    expect([missing.status, errorCode(missing)]).toEqual([404, 'CLIENT_CERTIFICATE_NOT_FOUND']);
    const unbound = await call('GET', `/v1/participants/${WALLET.id}`, { key: walletKey, certificate: walletCertificate });
    expect([unbound.status, errorCode(unbound)]).toEqual([403, 'CLIENT_CERTIFICATE_MISMATCH']);
    // Bound again, it serves again.
    expect(
      (
        await call('POST', `/v1/participants/${WALLET.id}/client-certificates`, {
          key: sw.operatorKey,
          body: { certificate: walletCertificate.certificatePem },
        })
      ).status,
    ).toBe(201);
    expect((await call('GET', `/v1/participants/${WALLET.id}`, { key: walletKey, certificate: walletCertificate })).status).toBe(200);
  });
});

describe('ISO 8583 over TLS with a client CA', () => {
  const peers: RawIsoPeer[] = [];
  afterAll(() => {
    for (const peer of peers) peer.destroy();
  });

  const connect = async (certificate: IssuedCertificate | null): Promise<RawIsoPeer> => {
    const peer = await RawIsoPeer.connectTls(sw.running.iso8583Port, {
      ca: ca.certificatePem,
      ...(certificate === null ? {} : { cert: certificate.certificatePem, key: certificate.keyPem }),
    });
    peers.push(peer);
    return peer;
  };

  it('signs a bank on over its own bound certificate', async () => {
    const peer = await connect(bankCertificate);
    const answer = await peer.exchange(signOn(BANK.institutionId), 5_000);
    expect([answer.mti, answer.fields[39]]).toEqual(['0810', '00']);
  });

  it("refuses the sign-on over another participant's certificate (05)", async () => {
    const peer = await connect(walletCertificate);
    const answer = await peer.exchange(signOn(BANK.institutionId), 5_000);
    expect([answer.mti, answer.fields[39]]).toEqual(['0810', '05']);
  });

  it('closes a connection without a certificate, or with one another CA signed, at the handshake', async () => {
    for (const certificate of [null, strangerCertificate]) {
      // TLS 1.3 completes the client's side before the server has checked the certificate: the server's refusal
      // arrives as the connection closing, and no sign-on is ever answered.
      const peer = await connect(certificate).catch(() => null);
      if (peer === null) continue;
      peer.send(signOn(BANK.institutionId));
      expect(await peer.closedWithin(5_000)).toBe(true);
      expect(await peer.noMessageWithin(100)).toBeNull();
    }
  });
});

describe('TLS without a client CA', () => {
  it('serves HTTPS and ISO 8583 over TLS and asks no certificate of anyone: the bearer key and the host decide', async () => {
    const server = await ca.issueServer();
    const write = (name: string, text: string): string => {
      const path = join(files.path, name);
      writeFileSync(path, text);
      return path;
    };
    const plain = await startTestSwitch({
      environment: {
        HISAAB_TLS_CERT: write('plain-server.pem', server.certificatePem),
        HISAAB_TLS_KEY: write('plain-server-key.pem', server.keyPem),
      },
    });
    const previous = sw;
    sw = plain;
    try {
      expect(plain.url.startsWith('https://')).toBe(true);
      expect(
        (await call('POST', '/v1/participants', { key: plain.operatorKey, body: participantBody(WALLET.id, WALLET.bankCode) })).status,
      ).toBe(201);
      const bankBody = participantBody(BANK.id, BANK.bankCode, {
        type: 'BANK',
        endpoints: { iso8583: '127.0.0.1:9', institutionId: BANK.institutionId },
      });
      expect((await call('POST', '/v1/participants', { key: plain.operatorKey, body: bankBody })).status).toBe(201);
      const key = (await call('POST', `/v1/participants/${WALLET.id}/keys`, { key: plain.operatorKey })).body.key as string;
      expect((await call('GET', `/v1/participants/${WALLET.id}`, { key })).status).toBe(200);
      const peer = await RawIsoPeer.connectTls(plain.running.iso8583Port, { ca: ca.certificatePem });
      try {
        const answer = await peer.exchange(signOn(BANK.institutionId), 5_000);
        expect([answer.mti, answer.fields[39]]).toEqual(['0810', '00']);
      } finally {
        peer.destroy();
      }
    } finally {
      sw = previous;
      await plain.close();
    }
  });
});
