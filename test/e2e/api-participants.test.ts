import { errorCode } from '../support/http-client';
import { expectLogUnchanged, onboardParticipant, participantBody, startTestSwitch, type TestSwitch } from '../support/switch-process';

let sw: TestSwitch;
beforeAll(async () => {
  sw = await startTestSwitch();
});
afterAll(async () => {
  await sw.close();
});

const operator = () => sw.operatorKey;
let idempotencyCounter = 0;
const freshIdempotencyKey = () => `funds-${Date.now()}-${(idempotencyCounter += 1)}`;

describe('POST /v1/participants', () => {
  it('onboards a participant: 201 with the contract fields and amounts as decimal strings', async () => {
    const answer = await sw.client.post('/v1/participants', { key: operator(), body: participantBody('MARGALLA', 'MRGL') });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: 'MARGALLA',
      name: 'MARGALLA Wallet',
      type: 'WALLET',
      bankCode: 'MRGL',
      currency: 'PKR',
      active: true,
      creditMode: 'REQUEST',
      endpoints: { creditUrl: 'http://127.0.0.1:9/credit', reversalUrl: 'http://127.0.0.1:9/reversal', rtpUrl: 'http://127.0.0.1:9/rtp' },
      netDebitCap: '1000000.00',
      position: '0.00',
      reserved: '0.00',
      liquidity: '0.00',
      rateLimitPerSecond: null,
      fxProvider: false,
      currencies: [{ currency: 'PKR', netDebitCap: '1000000.00', position: '0.00', reserved: '0.00', liquidity: '0.00' }],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    // Read-your-writes: the next read sees it.
    const read = await sw.client.get('/v1/participants/MARGALLA', { key: operator() });
    expect(read.body).toEqual(answer.body);
  });

  it('onboards a bank reached over ISO 8583, in ADVICE mode, with a zero cap', async () => {
    const answer = await sw.client.post('/v1/participants', {
      key: operator(),
      body: participantBody('INDUS_BANK', 'INDB', {
        type: 'BANK',
        creditMode: 'ADVICE',
        netDebitCap: '0',
        endpoints: { iso8583: 'bank-host.local:5000', institutionId: '600001' },
      }),
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      type: 'BANK',
      creditMode: 'ADVICE',
      netDebitCap: '0.00',
      endpoints: { iso8583: 'bank-host.local:5000', institutionId: '600001' },
    });
  });

  it('refuses a second participant with the same id (409 PARTICIPANT_EXISTS) and changes nothing', async () => {
    await sw.client.post('/v1/participants', { key: operator(), body: participantBody('DUPLICATE', 'DUPA') });
    const answer = await expectLogUnchanged(sw, () =>
      sw.client.post('/v1/participants', { key: operator(), body: participantBody('DUPLICATE', 'DUPB') }),
    );
    expect(answer.status).toBe(409);
    expect(errorCode(answer)).toBe('PARTICIPANT_EXISTS');
  });

  it('refuses a second bank with the same ISO 8583 institution id (409 INSTITUTION_ID_TAKEN) and changes nothing', async () => {
    const bank = (id: string, code: string) =>
      participantBody(id, code, { type: 'BANK', endpoints: { iso8583: '127.0.0.1:5000', institutionId: '700007' } });
    expect((await sw.client.post('/v1/participants', { key: operator(), body: bank('FIRST_BANK', 'FRST') })).status).toBe(201);
    const answer = await expectLogUnchanged(sw, () =>
      sw.client.post('/v1/participants', { key: operator(), body: bank('SECOND_BANK', 'SCND') }),
    );
    expect(answer.status).toBe(409);
    expect(errorCode(answer)).toBe('INSTITUTION_ID_TAKEN');
  });

  it('refuses a second participant with the same bank code (409 BANK_CODE_TAKEN)', async () => {
    await sw.client.post('/v1/participants', { key: operator(), body: participantBody('FIRSTCODE', 'SAME') });
    const answer = await sw.client.post('/v1/participants', { key: operator(), body: participantBody('SECONDCODE', 'SAME') });
    expect(answer.status).toBe(409);
    expect(errorCode(answer)).toBe('BANK_CODE_TAKEN');
    expect((await sw.client.get('/v1/participants/SECONDCODE', { key: operator() })).status).toBe(404);
  });

  it('lets exactly one of many concurrent registrations of one bank code win', async () => {
    const answers = await Promise.all(
      ['RACE_A', 'RACE_B', 'RACE_C', 'RACE_D', 'RACE_E'].map((id) =>
        sw.client.post('/v1/participants', { key: operator(), body: participantBody(id, 'RACE') }),
      ),
    );
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409).every((answer) => errorCode(answer) === 'BANK_CODE_TAKEN')).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string, (string | number)[]]>([
    ['a lower-case id', { id: 'margalla' }, 'VALIDATION_FAILED', ['body', 'id']],
    ['an id too long', { id: 'A'.repeat(17) }, 'VALIDATION_FAILED', ['body', 'id']],
    ['a bank code of digits', { bankCode: '1234' }, 'VALIDATION_FAILED', ['body', 'bankCode']],
    ['an unknown type', { type: 'MFB' }, 'VALIDATION_FAILED', ['body', 'type']],
    // JPY is in the ISO 4217 table but not enabled by default (HISAAB_CURRENCIES).
    ['a currency not enabled', { currency: 'JPY' }, 'VALIDATION_FAILED', ['body', 'currency']],
    ['a cap as a number', { netDebitCap: 1000 }, 'VALIDATION_FAILED', ['body', 'netDebitCap']],
    ['a cap with three decimals', { netDebitCap: '10.001' }, 'INVALID_AMOUNT', ['body', 'netDebitCap']],
    ['a negative cap', { netDebitCap: '-5.00' }, 'INVALID_AMOUNT', ['body', 'netDebitCap']],
    ['a cap in exponent notation', { netDebitCap: '1e6' }, 'INVALID_AMOUNT', ['body', 'netDebitCap']],
    ['an empty name', { name: '   ' }, 'VALIDATION_FAILED', ['body', 'name']],
    [
      'a credit URL that is not http',
      { endpoints: { creditUrl: 'ftp://x/credit', reversalUrl: 'http://x/r' } },
      'VALIDATION_FAILED',
      ['body', 'endpoints', 'creditUrl'],
    ],
    [
      'endpoints missing the reversal URL',
      { endpoints: { creditUrl: 'http://x/c' } },
      'VALIDATION_FAILED',
      ['body', 'endpoints', 'reversalUrl'],
    ],
    [
      'an ISO 8583 endpoint without port',
      { endpoints: { iso8583: 'host', institutionId: '600001' } },
      'VALIDATION_FAILED',
      ['body', 'endpoints', 'iso8583'],
    ],
    [
      'an unknown endpoint field',
      { endpoints: { creditUrl: 'http://x/c', reversalUrl: 'http://x/r', smsUrl: 'http://x/s' } },
      'VALIDATION_FAILED',
      ['body', 'endpoints'],
    ],
    ['an unknown top-level field', { colour: 'green' }, 'VALIDATION_FAILED', ['body']],
    ['a creditMode outside the contract', { creditMode: 'PUSH' }, 'VALIDATION_FAILED', ['body', 'creditMode']],
  ])('refuses %s with 400 %s at its path, changing nothing', async (_name, overrides, code, path) => {
    const answer = await expectLogUnchanged(sw, () =>
      sw.client.post('/v1/participants', { key: operator(), body: participantBody('BADINPUT', 'BADI', overrides) }),
    );
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe(code);
    const body = answer.body as { error: { message: string; details: { path: unknown[] }[] } };
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(body.error.details.map((detail) => detail.path)).toContainEqual(path);
    expect((await sw.client.get('/v1/participants/BADINPUT', { key: operator() })).status).toBe(404);
  });

  it('lists every missing field at once', async () => {
    const answer = await expectLogUnchanged(sw, () => sw.client.post('/v1/participants', { key: operator(), body: {} }));
    expect(answer.status).toBe(400);
    const paths = (answer.body as { error: { details: { path: string[] }[] } }).error.details.map((detail) => detail.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['body.id', 'body.name', 'body.type', 'body.bankCode', 'body.currency', 'body.netDebitCap', 'body.endpoints']),
    );
  });
});

describe('GET /v1/participants', () => {
  it('lists participants by id, page by page with an opaque cursor', async () => {
    for (const [id, bankCode] of [
      ['PAGE_1', 'PGAA'],
      ['PAGE_2', 'PGBB'],
      ['PAGE_3', 'PGCC'],
    ] as const) {
      expect((await sw.client.post('/v1/participants', { key: operator(), body: participantBody(id, bankCode) })).status).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page += 1) {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const answer = await sw.client.get(`/v1/participants${query}`, { key: operator() });
      expect(answer.status).toBe(200);
      const body = answer.body as { participants: { id: string }[]; nextCursor: string | null };
      expect(body.participants.length).toBeLessThanOrEqual(2);
      seen.push(...body.participants.map((participant) => participant.id));
      cursor = body.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['MARGALLA', 'PAGE_1', 'PAGE_2', 'PAGE_3']));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it.each([
    ['limit=0', 'VALIDATION_FAILED'],
    ['limit=501', 'VALIDATION_FAILED'],
    ['limit=abc', 'VALIDATION_FAILED'],
    ['cursor=not-a-cursor!', 'INVALID_CURSOR'],
    ['cursor=bm9wZQ', 'INVALID_CURSOR'],
    ['sort=name', 'VALIDATION_FAILED'],
  ])('refuses the query %s with 400 %s', async (query, code) => {
    const answer = await sw.client.get(`/v1/participants?${query}`, { key: operator() });
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe(code);
  });

  it('answers 404 PARTICIPANT_NOT_FOUND for an unknown id and 400 for a malformed one', async () => {
    const missing = await sw.client.get('/v1/participants/NOBODY', { key: operator() });
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('PARTICIPANT_NOT_FOUND');
    const malformed = await sw.client.get('/v1/participants/no-body', { key: operator() });
    expect(malformed.status).toBe(400);
  });
});

describe('PATCH /v1/participants/{id}', () => {
  beforeAll(async () => {
    await sw.client.post('/v1/participants', { key: operator(), body: participantBody('PATCHME', 'PTCH') });
  });

  it('deactivates, reactivates and changes the net debit cap', async () => {
    const deactivated = await sw.client.patch('/v1/participants/PATCHME', {
      key: operator(),
      body: { active: false, netDebitCap: '2500.50' },
    });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body).toMatchObject({ active: false, netDebitCap: '2500.50' });
    const reactivated = await sw.client.patch('/v1/participants/PATCHME', { key: operator(), body: { active: true } });
    expect(reactivated.body).toMatchObject({ active: true, netDebitCap: '2500.50' });
    expect((await sw.client.get('/v1/participants/PATCHME', { key: operator() })).body).toMatchObject({
      active: true,
      netDebitCap: '2500.50',
    });
  });

  it('applies the new cap to the ledger', async () => {
    await sw.client.patch('/v1/participants/PATCHME', { key: operator(), body: { netDebitCap: '700.00' } });
    const account = await sw.running.ledgers[0]?.lookupAccount('PATCHME:position');
    expect(account?.debitLimitMinor).toBe(70000n);
  });

  it('records nothing for a change to the current values', async () => {
    const current = (await sw.client.get('/v1/participants/PATCHME', { key: operator() })).body as { netDebitCap: string };
    const answer = await expectLogUnchanged(sw, () =>
      sw.client.patch('/v1/participants/PATCHME', { key: operator(), body: { active: true, netDebitCap: current.netDebitCap } }),
    );
    expect(answer.status).toBe(200);
  });

  it.each<[string, unknown, number, string]>([
    ['an empty change', {}, 400, 'VALIDATION_FAILED'],
    ['active as a string', { active: 'false' }, 400, 'VALIDATION_FAILED'],
    ['a bad cap', { netDebitCap: '12,000.00' }, 400, 'INVALID_AMOUNT'],
    ['a field that cannot change', { bankCode: 'ZZZZ' }, 400, 'VALIDATION_FAILED'],
  ])('refuses %s, changing nothing', async (_name, body, status, code) => {
    const answer = await expectLogUnchanged(sw, () => sw.client.patch('/v1/participants/PATCHME', { key: operator(), body }));
    expect(answer.status).toBe(status);
    expect(errorCode(answer)).toBe(code);
  });

  it('refuses a currency the participant holds no position in with 422 CURRENCY_NOT_SUPPORTED, changing nothing', async () => {
    // The body is schema-valid (USD is enabled on the switch); only the participant's state refuses it.
    const answer = await expectLogUnchanged(sw, () =>
      sw.client.patch('/v1/participants/PATCHME', { key: operator(), body: { netDebitCap: '10.00', currency: 'USD' } }),
    );
    expect(answer.status).toBe(422);
    expect(errorCode(answer)).toBe('CURRENCY_NOT_SUPPORTED');
  });

  it('answers 404 for an unknown participant', async () => {
    const answer = await sw.client.patch('/v1/participants/GHOST', { key: operator(), body: { active: false } });
    expect(answer.status).toBe(404);
    expect(errorCode(answer)).toBe('PARTICIPANT_NOT_FOUND');
  });
});

describe('participant keys', () => {
  it('issues a key shown once, which then authenticates as that participant', async () => {
    const issued = await onboardParticipant(sw, 'KEYED', 'KEYD');
    expect(issued.key).toMatch(/^hk_[0-9a-f]{16}\./);
    expect(issued.signingSecret).toMatch(/^whsec_/);
    const own = await sw.client.get('/v1/participants/KEYED', { key: issued.key });
    expect(own.status).toBe(200);
    // The key itself is stored nowhere: not in the event log.
    const events = await sw.running.store.readStream('participant-KEYED', 0n, 100);
    expect(JSON.stringify(events.map((event) => event.data))).not.toContain(issued.key);
    expect(JSON.stringify(events.map((event) => event.data))).not.toContain(issued.key.split('.')[1]);
  });

  it('revokes a key, after which it is refused', async () => {
    const issued = await sw.client.post('/v1/participants/KEYED/keys', { key: operator() });
    const { key, keyId } = issued.body as { key: string; keyId: string };
    expect((await sw.client.get('/v1/participants/KEYED', { key })).status).toBe(200);
    const revoked = await sw.client.delete(`/v1/participants/KEYED/keys/${keyId}`, { key: operator() });
    expect(revoked.status).toBe(204);
    const refused = await sw.client.get('/v1/participants/KEYED', { key });
    expect(refused.status).toBe(401);
    const again = await sw.client.delete(`/v1/participants/KEYED/keys/${keyId}`, { key: operator() });
    expect(again.status).toBe(404);
    expect(errorCode(again)).toBe('KEY_NOT_FOUND');
  });

  it('refuses malformed key ids, and unknown ones with 404 KEY_NOT_FOUND', async () => {
    const malformed = await expectLogUnchanged(sw, () => sw.client.delete('/v1/participants/KEYED/keys/not-a-key-id', { key: operator() }));
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe('VALIDATION_FAILED');
    const unknown = await expectLogUnchanged(sw, () =>
      sw.client.delete('/v1/participants/KEYED/keys/0123456789abcdef', { key: operator() }),
    );
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe('KEY_NOT_FOUND');
  });

  it('issues and revokes regulator keys, refusing bad input', async () => {
    const issued = await sw.client.post('/v1/keys', { key: operator(), body: { role: 'REGULATOR', name: 'SBP examiner' } });
    expect(issued.status).toBe(201);
    const { key, keyId } = issued.body as { key: string; keyId: string };
    expect((await sw.client.get('/v1/participants', { key })).status).toBe(200);
    const withFields = await expectLogUnchanged(sw, () =>
      sw.client.post('/v1/keys', { key: operator(), body: { role: 'REGULATOR', name: 'SBP', scope: 'all' } }),
    );
    expect(withFields.status).toBe(400);
    expect((await sw.client.delete('/v1/keys/XYZ', { key: operator() })).status).toBe(400);
    expect(errorCode(await sw.client.delete('/v1/keys/0123456789abcdef', { key: operator() }))).toBe('KEY_NOT_FOUND');
    expect((await sw.client.delete(`/v1/keys/${keyId}`, { key: operator() })).status).toBe(204);
    expect((await sw.client.get('/v1/participants', { key })).status).toBe(401);
  });

  it('refuses keys for an unknown participant and a body with fields', async () => {
    const unknown = await expectLogUnchanged(sw, () => sw.client.post('/v1/participants/NOSUCH/keys', { key: operator() }));
    expect(unknown.status).toBe(404);
    const withFields = await expectLogUnchanged(sw, () =>
      sw.client.post('/v1/participants/KEYED/keys', { key: operator(), body: { role: 'operator' } }),
    );
    expect(withFields.status).toBe(400);
  });
});

describe('POST /v1/participants/{id}/funds', () => {
  beforeAll(async () => {
    await sw.client.post('/v1/participants', { key: operator(), body: participantBody('FUNDED', 'FUND') });
  });

  const funds = (body: unknown, idempotencyKey: string | null = freshIdempotencyKey()) =>
    sw.client.post('/v1/participants/FUNDED/funds', {
      key: operator(),
      body,
      headers: idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey },
    });

  it('records funds in and out, answering with the participant', async () => {
    const inward = await funds({ direction: 'IN', amount: '1000.00', reference: 'RTGS-0001' });
    expect(inward.status).toBe(201);
    expect(inward.body).toMatchObject({ id: 'FUNDED', liquidity: '1000.00' });
    const outward = await funds({ direction: 'OUT', amount: '250.25', reference: 'RTGS-0002' });
    expect(outward.status).toBe(201);
    expect(outward.body).toMatchObject({ liquidity: '749.75' });
  });

  it('refuses OUT beyond what is free with 422 INSUFFICIENT_LIQUIDITY, changing nothing', async () => {
    const answer = await expectLogUnchanged(sw, () => funds({ direction: 'OUT', amount: '749.76', reference: 'RTGS-0003' }));
    expect(answer.status).toBe(422);
    expect(errorCode(answer)).toBe('INSUFFICIENT_LIQUIDITY');
    expect((answer.body as { error: { details: unknown[] } }).error.details).toEqual([{ free: '749.75' }]);
    expect((await sw.client.get('/v1/participants/FUNDED', { key: operator() })).body).toMatchObject({ liquidity: '749.75' });
  });

  it('needs an Idempotency-Key', async () => {
    const answer = await expectLogUnchanged(sw, () => funds({ direction: 'IN', amount: '1.00', reference: 'R' }, null));
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe('IDEMPOTENCY_KEY_REQUIRED');
  });

  it.each<[string, unknown, string]>([
    ['a zero amount', { direction: 'IN', amount: '0.00', reference: 'R' }, 'INVALID_AMOUNT'],
    ['a negative amount', { direction: 'IN', amount: '-1.00', reference: 'R' }, 'INVALID_AMOUNT'],
    ['an amount with leading zeros', { direction: 'IN', amount: '0100.00', reference: 'R' }, 'INVALID_AMOUNT'],
    ['an amount with spaces', { direction: 'IN', amount: ' 100.00', reference: 'R' }, 'INVALID_AMOUNT'],
    ['an amount as a number', { direction: 'IN', amount: 100, reference: 'R' }, 'VALIDATION_FAILED'],
    ['an amount beyond the maximum', { direction: 'IN', amount: '99999999999.00', reference: 'R' }, 'INVALID_AMOUNT'],
    ['an unknown direction', { direction: 'SIDEWAYS', amount: '1.00', reference: 'R' }, 'VALIDATION_FAILED'],
    ['a missing reference', { direction: 'IN', amount: '1.00' }, 'VALIDATION_FAILED'],
    ['an unknown field', { direction: 'IN', amount: '1.00', reference: 'R', colour: 'green' }, 'VALIDATION_FAILED'],
  ])('refuses %s with 400 %s, changing nothing', async (_name, body, code) => {
    const answer = await expectLogUnchanged(sw, () => funds(body));
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe(code);
  });

  it('refuses funds in a currency the participant holds no position in with 422 CURRENCY_NOT_SUPPORTED, changing nothing', async () => {
    const answer = await expectLogUnchanged(sw, () => funds({ direction: 'IN', amount: '1.00', currency: 'USD', reference: 'R' }));
    expect(answer.status).toBe(422);
    expect(errorCode(answer)).toBe('CURRENCY_NOT_SUPPORTED');
  });

  it('answers 404 for funds of an unknown participant', async () => {
    const answer = await sw.client.post('/v1/participants/NOSUCH/funds', {
      key: operator(),
      body: { direction: 'IN', amount: '1.00', reference: 'R' },
      headers: { 'idempotency-key': freshIdempotencyKey() },
    });
    expect(answer.status).toBe(404);
    expect(errorCode(answer)).toBe('PARTICIPANT_NOT_FOUND');
  });
});
