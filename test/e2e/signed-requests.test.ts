import { exportJWK, flattenedVerify, FlattenedSign, generateKeyPair, importJWK, type CryptoKey } from 'jose';
import { randomUUID } from 'node:crypto';
import { errorCode, type HttpAnswer } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';

/**
 * Issue 15 item 1 against a real switch over HTTP and real simulated wallets: a participant registers a public
 * key, the operator requires signed writes, and every refusal answers 401 with the code of the check that failed;
 * a replay is refused, also after a restart; a signed transfer keeps its JWS as evidence that anyone re-verifies
 * with jose; and a wallet checks the switch's own Hisaab-JWS against /.well-known/jwks.json across a rotation.
 */
let clockMs = Date.parse('2026-03-01T10:00:00.000Z');
const now = (): Date => new Date(clockMs);
let network: PaymentNetwork;
let privateKey: CryptoKey;
let publicJwk: Record<string, unknown>;
let kid: string;

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002' },
    ],
    { HISAAB_PAYEE_DEADLINE_MS: '3000' },
    now,
  );
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)) };
});

afterAll(async () => {
  await network.close();
});

const margallaKey = (): string => network.wallet('MARGALLA').key.key;

type Claims = { alg?: string; kid?: string; htm?: string; htu?: string; iat?: number; jti?: string };

async function sign(
  method: string,
  pathWithQuery: string,
  body: string,
  claims: Claims = {},
  key: CryptoKey = privateKey,
): Promise<string> {
  const jws = await new FlattenedSign(Buffer.from(body, 'utf8'))
    .setProtectedHeader({
      alg: 'EdDSA',
      kid,
      htm: method,
      htu: pathWithQuery,
      iat: Math.floor(clockMs / 1000),
      jti: randomUUID(),
      ...claims,
    })
    .sign(key);
  return `${jws.protected}..${jws.signature}`;
}

function transferBody(payerWallet = 'WMARGALLA0001'): string {
  return JSON.stringify({
    id: randomUUID(),
    payer: { type: 'WALLET', value: payerWallet, name: 'Customer MARGALLA' },
    payee: { type: 'MSISDN', value: '923000000002' },
    amount: '10.00',
    currency: 'PKR',
    purpose: 'P2P',
  });
}

function postTransfer(body: string, jws: string | null): Promise<HttpAnswer> {
  return network.sw.client.post('/v1/transfers', {
    key: margallaKey(),
    rawBody: body,
    headers: jws === null ? {} : { 'hisaab-jws': jws },
  });
}

describe('registering keys and requiring signatures', () => {
  it('registers a public key (201 with its thumbprint as kid), lists it, and refuses a private key', async () => {
    const { d: _d, ...publicOnly } = publicJwk;
    const withPrivate = await network.sw.client.post('/v1/participants/MARGALLA/signing-keys', {
      key: margallaKey(),
      body: { alg: 'EdDSA', publicKey: { ...publicOnly, d: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(withPrivate.status).toBe(400);
    expect(withPrivate.text).toContain('private key');
    const wrongCurve = await network.sw.client.post('/v1/participants/MARGALLA/signing-keys', {
      key: margallaKey(),
      body: { alg: 'ES256', publicKey: publicOnly },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(wrongCurve.status).toBe(400);
    const registered = await network.sw.client.post('/v1/participants/MARGALLA/signing-keys', {
      key: margallaKey(),
      body: { alg: 'EdDSA', publicKey: publicOnly },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(registered.status).toBe(201);
    kid = (registered.body as { kid: string }).kid;
    expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const listed = await network.sw.client.get('/v1/participants/MARGALLA/signing-keys', { key: margallaKey() });
    expect(listed.body).toMatchObject({ requireSignedRequests: false, signingKeys: [{ kid, alg: 'EdDSA', revokedAt: null }] });
    // Another participant neither reads nor adds keys for it.
    const ravi = network.wallet('RAVI').key.key;
    expect((await network.sw.client.get('/v1/participants/MARGALLA/signing-keys', { key: ravi })).status).toBe(403);
  });

  it('refuses to require signatures of a participant without a key, and requires them of one with a key', async () => {
    const refused = await network.sw.client.patch('/v1/participants/RAVI', {
      key: network.sw.operatorKey,
      body: { requireSignedRequests: true },
    });
    expect(refused.status).toBe(409);
    expect(errorCode(refused)).toBe('SIGNING_KEY_REQUIRED');
    const required = await network.sw.client.patch('/v1/participants/MARGALLA', {
      key: network.sw.operatorKey,
      body: { requireSignedRequests: true },
    });
    expect(required.status).toBe(200);
    const listed = await network.sw.client.get('/v1/participants/MARGALLA/signing-keys', { key: margallaKey() });
    expect(listed.body).toMatchObject({ requireSignedRequests: true });
  });
});

describe('each refusal answers 401 with its code and moves no money', () => {
  it('missing, malformed, unknown key, mismatched method or path, stale, and a wrong signature', async () => {
    const body = transferBody();
    const cases: [string, string | null][] = [
      ['JWS_MISSING', null],
      ['JWS_MALFORMED', 'not-a-jws'],
      ['JWS_MALFORMED', `${Buffer.from('{"alg":"EdDSA"}').toString('base64url')}..c2ln`],
      // An unencoded payload or a critical extension would change what the signature covers.
      ['JWS_MALFORMED', await sign('POST', '/v1/transfers', body, { b64: false, crit: ['b64'] } as Claims)],
      ['JWS_MALFORMED', `${'A'.repeat(5000)}..c2ln`],
      ['JWS_MALFORMED', (await sign('POST', '/v1/transfers', body)).replace('..', '.e30.')],
      ['JWS_KEY_UNKNOWN', await sign('POST', '/v1/transfers', body, { kid: 'A'.repeat(43) })],
      ['JWS_MISMATCH', await sign('PUT', '/v1/transfers', body)],
      ['JWS_MISMATCH', await sign('POST', '/v1/transfers?x=1', body)],
      ['JWS_STALE', await sign('POST', '/v1/transfers', body, { iat: Math.floor(clockMs / 1000) - 301 })],
      ['JWS_STALE', await sign('POST', '/v1/transfers', body, { iat: Math.floor(clockMs / 1000) + 301 })],
      ['JWS_SIGNATURE_INVALID', await sign('POST', '/v1/transfers', body.replace('10.00', '99.00'))],
      ['JWS_SIGNATURE_INVALID', await sign('POST', '/v1/transfers', body, {}, (await generateKeyPair('EdDSA')).privateKey)],
    ];
    for (const [code, jws] of cases) {
      const answer = await postTransfer(body, jws);
      expect([code, answer.status, errorCode(answer)]).toEqual([code, 401, code]);
    }
    const id = (JSON.parse(body) as { id: string }).id;
    expect((await network.sw.client.get(`/v1/transfers/${id}`, { key: margallaKey() })).status).toBe(404);
  });

  it('reads need no signature: only writes do', async () => {
    expect((await network.sw.client.get('/v1/participants/MARGALLA', { key: margallaKey() })).status).toBe(200);
  });
});

describe('a good signed write, a replay, and the evidence', () => {
  let body: string;
  let jws: string;

  it('accepts a transfer whose signature verifies', async () => {
    body = transferBody();
    jws = await sign('POST', '/v1/transfers', body);
    const answer = await postTransfer(body, jws);
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ state: 'COMMITTED' });
  });

  it('refuses the same request sent again (JWS_REPLAYED), within the window and after a restart', async () => {
    const again = await postTransfer(body, jws);
    expect([again.status, errorCode(again)]).toEqual([401, 'JWS_REPLAYED']);
    clockMs += 10_000;
    await network.restartSwitch();
    const afterRestart = await postTransfer(body, jws);
    expect([afterRestart.status, errorCode(afterRestart)]).toEqual([401, 'JWS_REPLAYED']);
    // Past the window the same JWS is stale rather than replayed: that is why the registry may forget its jti.
    clockMs += 300_000;
    const late = await postTransfer(body, jws);
    expect([late.status, errorCode(late)]).toEqual([401, 'JWS_STALE']);
  });

  it('keeps the JWS with the transfer: payer, payee, operator and regulator read it, and jose verifies it with the registered key', async () => {
    const id = (JSON.parse(body) as { id: string }).id;
    const forPayer = await network.sw.client.get(`/v1/transfers/${id}/evidence`, { key: margallaKey() });
    expect(forPayer.status).toBe(200);
    const evidence = forPayer.body as {
      switchTransferId: string;
      signedRequests: {
        kid: string;
        alg: string;
        publicKey: Record<string, unknown>;
        method: string;
        pathWithQuery: string;
        jws: { protected: string; payload: string; signature: string };
      }[];
    };
    expect(evidence.signedRequests).toHaveLength(1);
    const [entry] = evidence.signedRequests;
    if (entry === undefined) throw new Error('no evidence');
    expect(entry).toMatchObject({ kid, alg: 'EdDSA', method: 'POST', pathWithQuery: '/v1/transfers' });
    const verified = await flattenedVerify(entry.jws, await importJWK(entry.publicKey, entry.alg));
    expect(Buffer.from(verified.payload).toString('utf8')).toBe(body);
    expect(`${entry.jws.protected}..${entry.jws.signature}`).toBe(jws);
    const payee = await network.sw.client.get(`/v1/transfers/${evidence.switchTransferId}/evidence`, {
      key: network.wallet('RAVI').key.key,
    });
    expect(payee.status).toBe(200);
    expect((await network.sw.client.get(`/v1/transfers/${id}/evidence`, { key: network.sw.operatorKey })).status).toBe(200);
    const regulator = await network.sw.client.post('/v1/keys', { key: network.sw.operatorKey, body: { role: 'REGULATOR', name: 'SBP' } });
    const regulatorKey = (regulator.body as { key: string }).key;
    expect((await network.sw.client.get(`/v1/transfers/${id}/evidence`, { key: regulatorKey })).status).toBe(200);
  });

  it('signs a batch once and links it to every transfer in it', async () => {
    const items = [JSON.parse(transferBody()) as { id: string }, JSON.parse(transferBody()) as { id: string }];
    const batch = JSON.stringify({ transfers: items });
    const answer = await network.sw.client.post('/v1/transfers/batch', {
      key: margallaKey(),
      rawBody: batch,
      headers: { 'hisaab-jws': await sign('POST', '/v1/transfers/batch', batch) },
    });
    expect(answer.status).toBe(200);
    for (const item of items) {
      const evidence = await network.sw.client.get(`/v1/transfers/${item.id}/evidence`, { key: margallaKey() });
      const [entry] = (evidence.body as { signedRequests: { jws: { protected: string; payload: string; signature: string } }[] })
        .signedRequests;
      expect(Buffer.from(entry?.jws.payload ?? '', 'base64url').toString('utf8')).toBe(batch);
    }
  });

  it('keeps the body sealed for the subjects it names: erasing one of them erases the body, the header and signature stay', async () => {
    const erasedPayer = 'WMARGALLA0999';
    const erasable = transferBody(erasedPayer);
    const erasableJws = await sign('POST', '/v1/transfers', erasable);
    expect((await postTransfer(erasable, erasableJws)).status).toBe(201);
    const id = (JSON.parse(erasable) as { id: string }).id;
    type Entry = { jws: { protected: string; payload: string; signature: string }; bodyErased: boolean; remark: string | null };
    const evidenceOf = async (transferId: string): Promise<Entry> => {
      const answer = await network.sw.client.get(`/v1/transfers/${transferId}/evidence`, { key: margallaKey() });
      expect(answer.status).toBe(200);
      const [entry] = (answer.body as { signedRequests: Entry[] }).signedRequests;
      if (entry === undefined) throw new Error('no evidence');
      return entry;
    };
    const before = await evidenceOf(id);
    expect([Buffer.from(before.jws.payload, 'base64url').toString('utf8'), before.bodyErased, before.remark]).toEqual([
      erasable,
      false,
      null,
    ]);
    const erased = await network.sw.client.post('/v1/data-subjects/erase', {
      key: network.sw.operatorKey,
      body: { type: 'ACCOUNT', value: erasedPayer },
    });
    expect(erased.status).toBe(200);
    const after = await evidenceOf(id);
    expect(after.jws).toEqual({ protected: before.jws.protected, payload: '[erased]', signature: before.jws.signature });
    expect(after.bodyErased).toBe(true);
    expect(after.remark).toMatch(/can no longer be re-verified/);
    // The first transfer named another payer: its evidence still verifies.
    const untouched = await evidenceOf((JSON.parse(body) as { id: string }).id);
    expect([untouched.bodyErased, Buffer.from(untouched.jws.payload, 'base64url').toString('utf8')]).toEqual([false, body]);
  });

  it('a revoked key signs no more', async () => {
    const revoke = `/v1/participants/MARGALLA/signing-keys/${kid}`;
    const revoked = await network.sw.client.delete(revoke, {
      key: margallaKey(),
      headers: { 'hisaab-jws': await sign('DELETE', revoke, '') },
    });
    expect(revoked.status).toBe(204);
    const body = transferBody();
    const refused = await postTransfer(body, await sign('POST', '/v1/transfers', body));
    expect([refused.status, errorCode(refused)]).toEqual([401, 'JWS_KEY_UNKNOWN']);
    await network.sw.client.patch('/v1/participants/MARGALLA', { key: network.sw.operatorKey, body: { requireSignedRequests: false } });
    expect((await postTransfer(transferBody(), null)).status).toBe(201);
  });
});

describe("the switch's own signature (Hisaab-JWS) on what it sends", () => {
  it('a wallet verifies it against /.well-known/jwks.json, before and after the operator rotates the key', async () => {
    const jwks = await network.sw.client.get('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    const keys = (jwks.body as { keys: Record<string, unknown>[] }).keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
    const ravi = network.wallet('RAVI').simulator;
    ravi.setSwitchJwks(`${network.sw.url}/.well-known/jwks.json`);
    expect((await postTransfer(transferBody(), null)).body).toMatchObject({ state: 'COMMITTED' });
    expect(ravi.received().at(-1)?.jws).toBe('VALID');
    const rotated = await network.sw.client.post('/v1/switch/signing-keys', {
      key: network.sw.operatorKey,
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(rotated.status).toBe(201);
    const { kid: newKid, publishedKids } = rotated.body as { kid: string; publishedKids: string[] };
    expect(publishedKids).toEqual([newKid, keys[0]?.kid]);
    expect((await postTransfer(transferBody(), null)).body).toMatchObject({ state: 'COMMITTED' });
    const last = ravi.received().at(-1);
    expect(last?.jws).toBe('VALID');
    expect(
      (await network.sw.client.post('/v1/switch/signing-keys', { key: margallaKey(), headers: { 'idempotency-key': randomUUID() } }))
        .status,
    ).toBe(403);
  });
});
