import { randomUUID } from 'node:crypto';
import { errorCode, type HttpAnswer } from '../support/http-client';
import {
  issueRegulatorKey,
  onboardParticipant,
  participantBody,
  startTestSwitch,
  stateEventsSince,
  type TestSwitch,
} from '../support/switch-process';

/**
 * Every endpoint called as every kind of caller: no key, a bad key, the operator, the participant that owns the
 * resource, another participant, and a regulator. The resource is always MARGALLA's.
 */
type Caller = 'none' | 'bad' | 'operator' | 'owner' | 'other' | 'regulator';
const callers: Caller[] = ['none', 'bad', 'operator', 'owner', 'other', 'regulator'];

let sw: TestSwitch;
const keys: Record<Caller, string | undefined> = {
  none: undefined,
  bad: undefined,
  operator: undefined,
  owner: undefined,
  other: undefined,
  regulator: undefined,
};
let sequence = 0;
const next = () => (sequence += 1);

beforeAll(async () => {
  sw = await startTestSwitch();
  keys.operator = sw.operatorKey;
  keys.owner = (await onboardParticipant(sw, 'MARGALLA', 'MRGL')).key;
  keys.other = (await onboardParticipant(sw, 'RAVI', 'RAVI')).key;
  keys.regulator = await issueRegulatorKey(sw);
  // A key of the right form whose secret is wrong, for a known key id: must be refused like garbage.
  keys.bad = `${keys.owner.slice(0, 20)}${'A'.repeat(keys.owner.length - 20)}`;
  await sw.client.post('/v1/aliases', {
    key: keys.owner,
    body: { type: 'MSISDN', value: '923001111111', account: { type: 'WALLET', value: '03001111111' }, name: 'Ayesha Khan' },
  });
  await sw.client.post('/v1/aliases', {
    key: keys.other,
    body: { type: 'MSISDN', value: '923002222222', account: { type: 'WALLET', value: '03002222222' }, name: 'Bilal Ahmed' },
  });
});
afterAll(async () => {
  await sw.close();
});

type Endpoint = {
  name: string;
  /** Creates what the call needs (a key to revoke, an alias to remove) before the log is watched. */
  prepare?: () => Promise<string>;
  call: (key: string | undefined, prepared: string) => Promise<HttpAnswer>;
  expected: Record<Exclude<Caller, 'none' | 'bad'>, number>;
  public?: boolean;
};

const fundsBody = { direction: 'IN', amount: '10.00', reference: 'RTGS-M' };
async function freshParticipantKeyId(): Promise<string> {
  return ((await sw.client.post('/v1/participants/MARGALLA/keys', { key: sw.operatorKey })).body as { keyId: string }).keyId;
}
async function freshRegulatorKeyId(): Promise<string> {
  return (
    (await sw.client.post('/v1/keys', { key: sw.operatorKey, body: { role: 'REGULATOR', name: 'matrix' } })).body as { keyId: string }
  ).keyId;
}
async function freshAlias(): Promise<string> {
  const value = `9230020${String(next()).padStart(5, '0')}`;
  await sw.client.post('/v1/aliases', {
    key: keys.owner,
    body: { type: 'MSISDN', value, account: { type: 'WALLET', value: '03001111111' }, name: 'Ayesha Khan' },
  });
  return value;
}

/** A payment to RAVI's customer: MARGALLA (the owner) may send it; RAVI sending it would pay itself (on-us, 422). */
function paymentToRavi(): Record<string, unknown> {
  return {
    id: randomUUID(),
    payer: { type: 'WALLET', value: '03001111111' },
    payee: { type: 'MSISDN', value: '923002222222' },
    amount: '1.00',
    currency: 'PKR',
    purpose: 'P2P',
  };
}
async function freshTransferId(): Promise<string> {
  return ((await sw.client.post('/v1/transfers', { key: keys.owner, body: paymentToRavi() })).body as { id: string }).id;
}

const endpoints: Endpoint[] = [
  {
    name: 'POST /v1/transfers',
    call: (key) => sw.client.post('/v1/transfers', { key, body: paymentToRavi() }),
    expected: { operator: 403, owner: 201, other: 422, regulator: 403 },
  },
  {
    name: 'POST /v1/transfers/batch',
    call: (key) => sw.client.post('/v1/transfers/batch', { key, body: { transfers: [paymentToRavi()] } }),
    expected: { operator: 403, owner: 200, other: 200, regulator: 403 },
  },
  {
    name: 'GET /v1/transfers',
    call: (key) => sw.client.get('/v1/transfers', { key }),
    expected: { operator: 200, owner: 200, other: 200, regulator: 200 },
  },
  {
    name: 'GET /v1/transfers/{id}',
    prepare: freshTransferId,
    // RAVI is the payee of MARGALLA's transfer, so it may read it too; a stranger gets 404 (test/e2e/transfers.test.ts).
    call: (key, transferId) => sw.client.get(`/v1/transfers/${transferId}`, { key }),
    expected: { operator: 200, owner: 200, other: 200, regulator: 200 },
  },
  {
    name: 'POST /v1/participants',
    call: (key) => {
      const id = `NEW_${next()}`;
      return sw.client.post('/v1/participants', {
        key,
        body: participantBody(
          id,
          `N${String.fromCharCode(65 + (sequence % 26))}${String.fromCharCode(65 + (Math.floor(sequence / 26) % 26))}Z`,
        ),
      });
    },
    expected: { operator: 201, owner: 403, other: 403, regulator: 403 },
  },
  {
    name: 'GET /v1/participants',
    call: (key) => sw.client.get('/v1/participants', { key }),
    expected: { operator: 200, owner: 403, other: 403, regulator: 200 },
  },
  {
    name: 'GET /v1/participants/{id}',
    call: (key) => sw.client.get('/v1/participants/MARGALLA', { key }),
    expected: { operator: 200, owner: 200, other: 403, regulator: 200 },
  },
  {
    name: 'PATCH /v1/participants/{id}',
    call: (key) => sw.client.patch('/v1/participants/MARGALLA', { key, body: { netDebitCap: `${1000 + next()}.00` } }),
    expected: { operator: 200, owner: 403, other: 403, regulator: 403 },
  },
  {
    name: 'POST /v1/participants/{id}/keys',
    call: (key) => sw.client.post('/v1/participants/MARGALLA/keys', { key }),
    expected: { operator: 201, owner: 403, other: 403, regulator: 403 },
  },
  {
    name: 'DELETE /v1/participants/{id}/keys/{keyId}',
    prepare: freshParticipantKeyId,
    call: (key, keyId) => sw.client.delete(`/v1/participants/MARGALLA/keys/${keyId}`, { key }),
    expected: { operator: 204, owner: 403, other: 403, regulator: 403 },
  },
  {
    name: 'POST /v1/participants/{id}/funds',
    call: (key) =>
      sw.client.post('/v1/participants/MARGALLA/funds', { key, body: fundsBody, headers: { 'idempotency-key': `matrix-${next()}` } }),
    expected: { operator: 201, owner: 403, other: 403, regulator: 403 },
  },
  {
    name: 'POST /v1/keys',
    call: (key) => sw.client.post('/v1/keys', { key, body: { role: 'REGULATOR', name: 'matrix' } }),
    expected: { operator: 201, owner: 403, other: 403, regulator: 403 },
  },
  {
    name: 'DELETE /v1/keys/{keyId}',
    prepare: freshRegulatorKeyId,
    call: (key, keyId) => sw.client.delete(`/v1/keys/${keyId}`, { key }),
    expected: { operator: 204, owner: 403, other: 403, regulator: 403 },
  },
  {
    name: 'POST /v1/aliases',
    call: (key) =>
      sw.client.post('/v1/aliases', {
        key,
        body: { type: 'MSISDN', value: '923001111111', account: { type: 'WALLET', value: '03001111111' }, name: 'Ayesha Khan' },
      }),
    // The other participant is refused because MARGALLA holds the alias.
    expected: { operator: 403, owner: 201, other: 409, regulator: 403 },
  },
  {
    name: 'DELETE /v1/aliases/{type}/{value}',
    prepare: freshAlias,
    call: (key, value) => sw.client.delete(`/v1/aliases/MSISDN/${value}`, { key }),
    expected: { operator: 403, owner: 204, other: 403, regulator: 403 },
  },
  {
    name: 'GET /v1/parties/{type}/{value}',
    call: (key) => sw.client.get('/v1/parties/MSISDN/923001111111', { key }),
    // Looking up another participant's customer is what confirmation of payee is for.
    expected: { operator: 403, owner: 200, other: 200, regulator: 403 },
  },
  {
    name: 'GET /healthz',
    call: (key) => sw.client.get('/healthz', { key }),
    expected: { operator: 200, owner: 200, other: 200, regulator: 200 },
    public: true,
  },
  {
    name: 'GET /metrics',
    call: (key) => sw.client.get('/metrics', { key }),
    expected: { operator: 200, owner: 200, other: 200, regulator: 200 },
    public: true,
  },
  {
    name: 'GET /openapi.json',
    call: (key) => sw.client.get('/openapi.json', { key }),
    expected: { operator: 200, owner: 200, other: 200, regulator: 200 },
    public: true,
  },
];

describe.each(endpoints)('$name', (endpoint) => {
  it.each(callers)('as %s', async (caller) => {
    const key = caller === 'bad' ? keys.bad : keys[caller];
    const prepared = endpoint.prepare ? await endpoint.prepare() : '';
    const before = await sw.running.store.headPosition();
    const answer = await endpoint.call(key, prepared);
    // Refused calls are audited, and change nothing else.
    const appended = await stateEventsSince(sw, before);
    if (caller === 'none' || caller === 'bad') {
      if (endpoint.public) {
        expect(answer.status).toBe(200);
        return;
      }
      expect(answer.status).toBe(401);
      expect(errorCode(answer)).toBe('UNAUTHENTICATED');
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(appended).toEqual([]);
      return;
    }
    const expected = endpoint.expected[caller];
    expect({ caller, status: answer.status, body: answer.status >= 400 ? answer.body : undefined }).toMatchObject({
      caller,
      status: expected,
    });
    if (expected === 403) {
      expect(errorCode(answer)).toBe('FORBIDDEN');
      expect(appended).toEqual([]);
    }
  });
});

describe('refused calls change nothing', () => {
  it('accepts the bearer scheme in any case (RFC 7235)', async () => {
    const answer = await sw.client.get('/v1/participants', { headers: { authorization: `bearer ${sw.operatorKey}` } });
    expect(answer.status).toBe(200);
  });

  it.each(['none', 'bad', 'owner', 'other', 'regulator'] as const)(
    'an operator-only write as %s leaves the log as it was',
    async (caller) => {
      const before = await sw.running.store.headPosition();
      const key = caller === 'bad' ? keys.bad : keys[caller];
      await sw.client.post('/v1/participants', { key, body: participantBody(`NOPE_${caller.toUpperCase()}`, 'NOPE') });
      await sw.client.patch('/v1/participants/MARGALLA', { key, body: { active: false } });
      await sw.client.post('/v1/participants/MARGALLA/funds', { key, body: fundsBody, headers: { 'idempotency-key': `nope-${caller}` } });
      await sw.client.post('/v1/participants/MARGALLA/keys', { key });
      expect(await stateEventsSince(sw, before)).toEqual([]);
      expect((await sw.client.get('/v1/participants/MARGALLA', { key: sw.operatorKey })).body).toMatchObject({ active: true });
    },
  );

  it.each([
    ['no scheme', (key: string) => ({ authorization: key })],
    ['Basic scheme', (key: string) => ({ authorization: `Basic ${key}` })],
    ['two spaces', (key: string) => ({ authorization: `Bearer  ${key}` })],
    ['a huge header', (_key: string) => ({ authorization: `Bearer ${'x'.repeat(4000)}` })],
    ['the operator key with a suffix', (_key: string) => ({ authorization: `Bearer ${sw.operatorKey}x` })],
  ])('refuses a malformed Authorization header (%s) with 401', async (_name, header) => {
    const answer = await sw.client.get('/v1/participants', { headers: header(sw.operatorKey) });
    expect(answer.status).toBe(401);
    expect(errorCode(answer)).toBe('UNAUTHENTICATED');
  });
});
