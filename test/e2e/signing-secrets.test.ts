import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { masterKeyFileName } from '../../api/master-key';
import { errorCode, type HttpAnswer } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';

/**
 * Issue 9, defects 4 and 12, against a real switch and real simulated wallets over HTTP: signing secrets rotate
 * on their own with an overlap in which both sign, a revoked key stays revoked across a restart, the data files
 * are private, and no signing secret is in them in plain text. The switch and the wallets share one clock that
 * the test moves on, so an overlap of an hour passes without waiting for it.
 */
let clockMs = Date.parse('2026-01-15T09:00:00.000Z');
const now = (): Date => new Date(clockMs);
let network: PaymentNetwork;
/** Every signing secret the switch handed out in this file: none may be in the data dir's bytes. */
const secretsHandedOut: string[] = [];

type Transfer = { id: string; state: string; abortReason: string | null };
type RotatedSecret = { secretId: string; signingSecret: string; previousSecretsRetireAt: string | null };

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002' },
    ],
    { HISAAB_PAYEE_DEADLINE_MS: '2000' },
    now,
  );
  for (const wallet of network.wallets) if (wallet.key.signingSecret !== null) secretsHandedOut.push(wallet.key.signingSecret);
});

afterAll(async () => {
  await network.close();
});

async function payRavi(): Promise<Transfer> {
  const answer = await network.sw.client.post('/v1/transfers', {
    key: network.wallet('MARGALLA').key.key,
    body: {
      id: randomUUID(),
      payer: { type: 'WALLET', value: 'WMARGALLA0001', name: 'Customer MARGALLA' },
      payee: { type: 'MSISDN', value: '923000000002' },
      amount: '10.00',
      currency: 'PKR',
      purpose: 'P2P',
    },
  });
  expect([201, 422, 502, 504]).toContain(answer.status);
  return answer.body as Transfer;
}

function lastSignatureRaviSaw(): string {
  const received = network.wallet('RAVI').simulator.received();
  return received[received.length - 1]?.signature ?? 'nothing received';
}

async function rotate(participantId: string, body: unknown, key = network.sw.operatorKey): Promise<HttpAnswer> {
  return network.sw.client.post(`/v1/participants/${participantId}/signing-secrets`, {
    key,
    body,
    headers: { 'idempotency-key': randomUUID() },
  });
}

describe('signing secrets rotate on their own (defect 4)', () => {
  let oldSecret: string;
  let newSecret: string;

  it('a new API key leaves the signing secret alone: a running wallet keeps accepting callbacks', async () => {
    oldSecret = network.wallet('RAVI').key.signingSecret as string;
    expect((await payRavi()).state).toBe('COMMITTED');
    const issued = await network.sw.client.post('/v1/participants/RAVI/keys', { key: network.sw.operatorKey });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ signingSecret: null });
    expect((await payRavi()).state).toBe('COMMITTED');
    expect(lastSignatureRaviSaw()).toBe('VALID');
  });

  it('rotation answers the new secret once, not stored, and both secrets sign during the overlap', async () => {
    const answer = await rotate('RAVI', { overlapSeconds: 3600 });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const rotated = answer.body as RotatedSecret;
    expect(rotated.signingSecret).toMatch(/^whsec_/);
    expect(rotated.previousSecretsRetireAt).toBe(new Date(clockMs + 3_600_000).toISOString());
    newSecret = rotated.signingSecret;
    secretsHandedOut.push(newSecret);
    const ravi = network.wallet('RAVI').simulator;
    // The wallet has not taken the new secret yet: the old one still signs.
    expect((await payRavi()).state).toBe('COMMITTED');
    expect(lastSignatureRaviSaw()).toBe('VALID');
    // A wallet that holds only the new one accepts too: the header carries a v1 value for each.
    ravi.setSigningSecrets([newSecret]);
    expect((await payRavi()).state).toBe('COMMITTED');
    ravi.setSigningSecrets([oldSecret, newSecret]);
    clockMs += 3_599_000;
    expect((await payRavi()).state).toBe('COMMITTED');
  });

  it('after the overlap the old secret no longer signs: a wallet holding only it rejects, one holding the new accepts', async () => {
    clockMs += 2_000;
    const ravi = network.wallet('RAVI').simulator;
    ravi.setSigningSecrets([oldSecret]);
    const refused = await payRavi();
    expect(refused.state).not.toBe('COMMITTED');
    expect(lastSignatureRaviSaw()).toBe('SIGNATURE_MISMATCH');
    ravi.setSigningSecrets([newSecret]);
    expect((await payRavi()).state).toBe('COMMITTED');
    expect(lastSignatureRaviSaw()).toBe('VALID');
  });

  it("a participant rotates its own secret, never another's; the overlap is bounded; so is the number signing at once", async () => {
    const raviKey = network.wallet('RAVI').key.key;
    expect((await rotate('MARGALLA', {}, raviKey)).status).toBe(403);
    const tooLong = await rotate('RAVI', { overlapSeconds: 8 * 24 * 3600 }, raviKey);
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body)).toContain('overlapSeconds');
    expect((await rotate('RAVI', { overlapSeconds: -1 }, raviKey)).status).toBe(400);
    expect((await rotate('RAVI', { overlap: 5 }, raviKey)).status).toBe(400);
    const first = await rotate('RAVI', {}, raviKey);
    expect(first.status).toBe(201);
    const second = await rotate('RAVI', {}, raviKey);
    expect(second.status).toBe(201);
    const third = await rotate('RAVI', {}, raviKey);
    expect(third.status).toBe(409);
    expect(errorCode(third)).toBe('SIGNING_SECRET_LIMIT_REACHED');
    // Overlap 0 replaces the current secret at once, which always fits (a leaked secret must be stoppable).
    const immediate = await rotate('RAVI', { overlapSeconds: 0 }, raviKey);
    expect(immediate.status).toBe(201);
    for (const answer of [first, second, immediate]) secretsHandedOut.push((answer.body as RotatedSecret).signingSecret);
    // The wallet holds the newest and the two still in their default 24-hour overlap: every callback verifies.
    network.wallet('RAVI').simulator.setSigningSecrets([(immediate.body as RotatedSecret).signingSecret]);
    expect((await payRavi()).state).toBe('COMMITTED');
  });
});

describe('revoking a key (defect 4) and the data at rest (defect 12), across a restart', () => {
  it('a revoked key answers 401 from then on, also after a restart, and the switch still signs with what it sealed', async () => {
    const issued = await network.sw.client.post('/v1/participants/MARGALLA/keys', { key: network.sw.operatorKey });
    const { keyId, key } = issued.body as { keyId: string; key: string };
    expect((await network.sw.client.get('/v1/participants/MARGALLA', { key })).status).toBe(200);
    expect((await network.sw.client.delete(`/v1/participants/MARGALLA/keys/${keyId}`, { key: network.sw.operatorKey })).status).toBe(204);
    expect((await network.sw.client.get('/v1/participants/MARGALLA', { key })).status).toBe(401);
    const masterKeyBefore = readFileSync(join(network.sw.dataDir, masterKeyFileName), 'utf8');
    await network.restartSwitch();
    expect(readFileSync(join(network.sw.dataDir, masterKeyFileName), 'utf8')).toBe(masterKeyBefore);
    expect((await network.sw.client.get('/v1/participants/MARGALLA', { key })).status).toBe(401);
    expect((await network.sw.client.get('/v1/participants/MARGALLA', { key: network.wallet('MARGALLA').key.key })).status).toBe(200);
    expect((await payRavi()).state).toBe('COMMITTED');
    expect(lastSignatureRaviSaw()).toBe('VALID');
    expect(network.sw.logLines.some((line) => String(line.msg).includes('HISAAB_MASTER_KEY is not set'))).toBe(true);
  });

  it('creates the data dir 0700 and every file in it 0600, the SQLite -wal and -shm files included', () => {
    const dataDir = network.sw.dataDir;
    const names = readdirSync(dataDir);
    for (const expected of [
      'hisaab.db',
      'hisaab.db-wal',
      'hisaab.db-shm',
      'read-models.db',
      'read-models.db-wal',
      'read-models.db-shm',
      masterKeyFileName,
    ]) {
      expect(names).toContain(expected);
    }
    for (const name of names) expect([name, (statSync(join(dataDir, name)).mode & 0o777).toString(8)]).toEqual([name, '600']);
  });

  it('holds no signing secret in plain text in any file of the data dir', () => {
    expect(secretsHandedOut.length).toBeGreaterThanOrEqual(6);
    const dataDir = network.sw.dataDir;
    for (const name of readdirSync(dataDir)) {
      const bytes = readFileSync(join(dataDir, name));
      for (const secret of secretsHandedOut) {
        expect([name, bytes.includes(Buffer.from(secret, 'utf8'))]).toEqual([name, false]);
        // The random part alone either: no encoding of the secret that keeps its text.
        expect([name, bytes.includes(Buffer.from(secret.slice('whsec_'.length), 'utf8'))]).toEqual([name, false]);
      }
    }
  });
});
