import { issueRegulatorKey, onboardParticipant, startTestSwitch, type TestSwitch } from '../support/switch-process';

let sw: TestSwitch;
let participant: { key: string; keyId: string; signingSecret: string };

beforeAll(async () => {
  sw = await startTestSwitch();
  participant = await onboardParticipant(sw, 'KOHSAR', 'KHSR');
});
afterAll(async () => {
  await sw.close();
});

describe('response headers', () => {
  it('never lets a cache keep an answer that carries a key or a secret', async () => {
    const issued = await sw.client.post('/v1/participants/KOHSAR/keys', { key: sw.operatorKey });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const withIdempotencyKey = await sw.client.post('/v1/participants/KOHSAR/keys', {
      key: sw.operatorKey,
      headers: { 'idempotency-key': '5e0c3f4a-6b1d-4e8f-9a2b-3c4d5e6f7a8b' },
    });
    expect(withIdempotencyKey.status).toBe(201);
    expect(withIdempotencyKey.headers.get('cache-control')).toBe('no-store');
    const regulator = await sw.client.post('/v1/keys', { key: sw.operatorKey, body: { role: 'REGULATOR', name: 'SBP examiner' } });
    expect(regulator.status).toBe(201);
    expect(regulator.headers.get('cache-control')).toBe('no-store');
  });

  it('sets X-Content-Type-Options: nosniff on every answer, errors and system routes included', async () => {
    const answers = [
      await sw.client.get('/healthz'),
      await sw.client.get('/metrics'),
      await sw.client.get('/openapi.json'),
      await sw.client.get('/no/such/route'),
      await sw.client.get('/v1/participants'),
      await sw.client.get('/v1/participants', { key: sw.operatorKey }),
      await sw.client.post('/v1/participants', { key: sw.operatorKey, rawBody: '{not json' }),
      await sw.client.post('/v1/participants/KOHSAR/keys', { key: sw.operatorKey }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 404, 401, 200, 400, 201]);
    for (const answer of answers) expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('request logs', () => {
  it('say who called: participant id, key id and role, never the key', async () => {
    const regulatorKey = await issueRegulatorKey(sw);
    await sw.client.get('/v1/participants/KOHSAR', { key: participant.key, headers: { 'x-request-id': 'who-participant' } });
    await sw.client.get('/v1/participants', { key: sw.operatorKey, headers: { 'x-request-id': 'who-operator' } });
    await sw.client.get('/v1/transfers', { key: regulatorKey, headers: { 'x-request-id': 'who-regulator' } });
    // A valid key used for something its role may not do: the refusal is logged with who tried.
    await sw.client.get('/v1/participants', { key: participant.key, headers: { 'x-request-id': 'who-forbidden' } });
    await sw.client.get('/v1/participants', { key: 'hk_0123456789abcdef.NotAKey', headers: { 'x-request-id': 'who-unknown' } });
    const line = (requestId: string): Record<string, unknown> | undefined =>
      sw.logLines.find((entry) => entry.requestId === requestId && entry.msg === 'request');
    expect(line('who-participant')).toMatchObject({ role: 'participant', participantId: 'KOHSAR', keyId: participant.keyId });
    expect(line('who-operator')).toMatchObject({ role: 'operator', participantId: null, keyId: null });
    expect(line('who-regulator')).toMatchObject({ role: 'regulator', participantId: null, keyId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(line('who-forbidden')).toMatchObject({ status: 403, role: 'participant', participantId: 'KOHSAR', keyId: participant.keyId });
    expect(line('who-unknown')).toMatchObject({ status: 401, role: null, participantId: null, keyId: null });
    const all = JSON.stringify(sw.logLines);
    expect(all).not.toContain(participant.key.split('.')[1]);
    expect(all).not.toContain(regulatorKey.split('.')[1]);
    expect(all).not.toContain(sw.operatorKey);
  });
});
