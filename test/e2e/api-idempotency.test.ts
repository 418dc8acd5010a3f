import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { idempotencyPath } from '../../api/sqlite-idempotency-store';
import { DomainError } from '../../core/errors';
import { errorCode, HttpClient } from '../support/http-client';
import { expectLogUnchanged, onboardParticipant, participantBody, startTestSwitch, type TestSwitch } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';

const directory = tempDir('hisaab-idem-');
let sw: TestSwitch;
let margalla: string;
let ravi: string;

beforeAll(async () => {
  sw = await startTestSwitch({ dataDir: directory.path });
  margalla = (await onboardParticipant(sw, 'MARGALLA', 'MRGL')).key;
  ravi = (await onboardParticipant(sw, 'RAVI', 'RAVI')).key;
});
afterAll(async () => {
  await sw.close();
  directory.remove();
});

const withKey = (idempotencyKey: string) => ({ 'idempotency-key': idempotencyKey });

/** Simulates a crash after the effect and before its answer was recorded: the record is gone, the effect is not. */
async function restartLosingIdempotencyRecords(): Promise<void> {
  await sw.stop();
  const path = idempotencyPath(directory.path);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  sw = await startTestSwitch({ dataDir: directory.path });
}

describe('Idempotency-Key on POST', () => {
  it('answers a repeated request with the original answer and does nothing again', async () => {
    const body = participantBody('IDEM_ONE', 'IDMA');
    const first = await sw.client.post('/v1/participants', { key: sw.operatorKey, body, headers: withKey('create-idem-one') });
    expect(first.status).toBe(201);
    const again = await expectLogUnchanged(sw, () =>
      sw.client.post('/v1/participants', { key: sw.operatorKey, body, headers: withKey('create-idem-one') }),
    );
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('treats the same JSON with its keys in another order as the same request', async () => {
    const body = participantBody('IDEM_ORDER', 'IDMO');
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const first = await sw.client.post('/v1/participants', { key: sw.operatorKey, body, headers: withKey('create-idem-order') });
    const again = await sw.client.post('/v1/participants', { key: sw.operatorKey, body: reordered, headers: withKey('create-idem-order') });
    expect(again.status).toBe(first.status);
    expect(again.text).toBe(first.text);
  });

  it('refuses the same key with a different body: 409 IDEMPOTENCY_CONFLICT, nothing done', async () => {
    await sw.client.post('/v1/participants', {
      key: sw.operatorKey,
      body: participantBody('IDEM_TWO', 'IDMB'),
      headers: withKey('create-idem-two'),
    });
    const conflict = await expectLogUnchanged(sw, () =>
      sw.client.post('/v1/participants', {
        key: sw.operatorKey,
        body: participantBody('IDEM_THREE', 'IDMC'),
        headers: withKey('create-idem-two'),
      }),
    );
    expect(conflict.status).toBe(409);
    expect(errorCode(conflict)).toBe('IDEMPOTENCY_CONFLICT');
    expect((await sw.client.get('/v1/participants/IDEM_THREE', { key: sw.operatorKey })).status).toBe(404);
  });

  it('refuses the same key on another route as a conflict', async () => {
    await sw.client.post('/v1/participants/MARGALLA/funds', {
      key: sw.operatorKey,
      body: { direction: 'IN', amount: '1.00', reference: 'X' },
      headers: withKey('shared-key'),
    });
    const other = await sw.client.post('/v1/participants/RAVI/funds', {
      key: sw.operatorKey,
      body: { direction: 'IN', amount: '1.00', reference: 'X' },
      headers: withKey('shared-key'),
    });
    expect(errorCode(other)).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('replays an error answer too', async () => {
    const body = participantBody('MARGALLA', 'MRGZ');
    const first = await sw.client.post('/v1/participants', { key: sw.operatorKey, body, headers: withKey('create-existing') });
    expect(errorCode(first)).toBe('PARTICIPANT_EXISTS');
    const again = await sw.client.post('/v1/participants', { key: sw.operatorKey, body, headers: withKey('create-existing') });
    expect(again.status).toBe(409);
    expect(again.text).toBe(first.text);
  });

  it('keeps keys of different callers apart', async () => {
    const alias = (value: string) => ({ type: 'MSISDN', value, account: { type: 'WALLET', value: '03001234567' }, name: 'Ayesha Khan' });
    const mine = await sw.client.post('/v1/aliases', { key: margalla, body: alias('923001000001'), headers: withKey('alias-1') });
    const theirs = await sw.client.post('/v1/aliases', { key: ravi, body: alias('923001000002'), headers: withKey('alias-1') });
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.body).toMatchObject({ participant: 'RAVI' });
  });

  it('gives concurrent identical requests one effect and the same answer', async () => {
    const body = { direction: 'IN', amount: '100.00', reference: 'RTGS-CONCURRENT' };
    const before = (await sw.client.get('/v1/participants/RAVI', { key: sw.operatorKey })).body as { liquidity: string };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        sw.client.post('/v1/participants/RAVI/funds', { key: sw.operatorKey, body, headers: withKey('funds-concurrent') }),
      ),
    );
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([201]));
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    const after = (await sw.client.get('/v1/participants/RAVI', { key: sw.operatorKey })).body as { liquidity: string };
    expect(Number(after.liquidity) - Number(before.liquidity)).toBeCloseTo(100, 2);
  });

  it.each([['x'.repeat(129)], ['has space'], ['semi;colon'], ['quote"d']])(
    'refuses a malformed key %j with 400 INVALID_IDEMPOTENCY_KEY',
    async (idempotencyKey) => {
      const answer = await expectLogUnchanged(sw, () =>
        sw.client.post('/v1/participants', {
          key: sw.operatorKey,
          body: participantBody('IDEM_BAD', 'IDMX'),
          headers: withKey(idempotencyKey),
        }),
      );
      expect(answer.status).toBe(400);
      expect(errorCode(answer)).toBe('INVALID_IDEMPOTENCY_KEY');
    },
  );
});

describe('answers that ask the client to retry', () => {
  it('are not recorded: a retry with the same key runs again instead of replaying "retry"', async () => {
    // The switch's own app and dependencies, plus one route whose first attempt meets a concurrent writer
    // (handleStreamCommand's CONCURRENT_UPDATE after its bounded attempts), served over real HTTP.
    let attempts = 0;
    const app = createApp(sw.running.dependencies, [
      (router, kit) => {
        router.post('/v1/test-contended', kit.allow('operator'), async (request, response) => {
          await kit.idempotency.run(request, response, { role: 'operator' }, async () => {
            attempts += 1;
            if (attempts === 1)
              throw new DomainError('CONCURRENT_UPDATE', 'test-stream kept changing while this request was decided; retry it');
            return { status: 201, body: { attempt: attempts } };
          });
        });
      },
    ]);
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new HttpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const post = () => client.post('/v1/test-contended', { key: sw.operatorKey, body: { a: 1 }, headers: withKey('contended-1') });
      const first = await post();
      expect(first.status).toBe(409);
      expect(errorCode(first)).toBe('CONCURRENT_UPDATE');
      const retry = await post();
      expect({ status: retry.status, body: retry.body, replayed: retry.headers.get('idempotent-replayed') }).toEqual({
        status: 201,
        body: { attempt: 2 },
        replayed: null,
      });
      // The successful answer is the one recorded.
      const again = await post();
      expect({ status: again.status, body: again.body, replayed: again.headers.get('idempotent-replayed') }).toEqual({
        status: 201,
        body: { attempt: 2 },
        replayed: 'true',
      });
      expect(attempts).toBe(2);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('issued keys and idempotency', () => {
  it('never stores a shown-once key for replay: a retry revokes the lost key and issues a new one', async () => {
    const first = (await sw.client.post('/v1/participants/MARGALLA/keys', { key: sw.operatorKey, headers: withKey('issue-key-1') }))
      .body as { key: string; signingSecret: string | null };
    expect((await sw.client.get('/v1/participants/MARGALLA', { key: first.key })).status).toBe(200);
    const retry = await sw.client.post('/v1/participants/MARGALLA/keys', { key: sw.operatorKey, headers: withKey('issue-key-1') });
    expect(retry.status).toBe(201);
    const second = retry.body as { key: string };
    expect(second.key).not.toBe(first.key);
    expect((await sw.client.get('/v1/participants/MARGALLA', { key: first.key })).status).toBe(401);
    expect((await sw.client.get('/v1/participants/MARGALLA', { key: second.key })).status).toBe(200);
    const stored =
      readFileSync(idempotencyPath(directory.path)).toString('latin1') +
      readFileSync(`${idempotencyPath(directory.path)}-wal`).toString('latin1');
    expect(stored).not.toContain(first.key.split('.')[1]);
    expect(stored).not.toContain(second.key.split('.')[1]);
    // Not MARGALLA's first key: it brings no signing secret (issue 9); the first key's secret is checked elsewhere.
    for (const secret of [first.signingSecret, (retry.body as { signingSecret: string | null }).signingSecret])
      if (secret !== null) expect(stored).not.toContain(secret);
  });
});

describe('durability across restarts', () => {
  it('replays the recorded answer after a restart', async () => {
    const body = { direction: 'IN', amount: '40.00', reference: 'RTGS-RESTART' };
    const first = await sw.client.post('/v1/participants/MARGALLA/funds', { key: sw.operatorKey, body, headers: withKey('funds-restart') });
    await sw.stop();
    sw = await startTestSwitch({ dataDir: directory.path });
    const again = await expectLogUnchanged(sw, () =>
      sw.client.post('/v1/participants/MARGALLA/funds', { key: sw.operatorKey, body, headers: withKey('funds-restart') }),
    );
    expect(again.text).toBe(first.text);
    // Keys survive the restart: they are events, read back into the keys projection.
    expect((await sw.client.get('/v1/participants/MARGALLA', { key: margalla })).status).toBe(200);
  });

  it('does not move funds twice when the answer was lost in a crash (the ledger knows the derived transfer id)', async () => {
    const body = { direction: 'IN', amount: '25.00', reference: 'RTGS-CRASH' };
    const first = await sw.client.post('/v1/participants/MARGALLA/funds', { key: sw.operatorKey, body, headers: withKey('funds-crash') });
    expect(first.status).toBe(201);
    await restartLosingIdempotencyRecords();
    const retry = await expectLogUnchanged(sw, () =>
      sw.client.post('/v1/participants/MARGALLA/funds', { key: sw.operatorKey, body, headers: withKey('funds-crash') }),
    );
    expect(retry.status).toBe(201);
    expect((retry.body as { liquidity: string }).liquidity).toBe((first.body as { liquidity: string }).liquidity);
  });

  it('does not register twice when the answer was lost in a crash (the registration carries its request reference)', async () => {
    const body = participantBody('CRASHED', 'CRSH');
    const first = await sw.client.post('/v1/participants', { key: sw.operatorKey, body, headers: withKey('create-crashed') });
    expect(first.status).toBe(201);
    await restartLosingIdempotencyRecords();
    const retry = await expectLogUnchanged(sw, () =>
      sw.client.post('/v1/participants', { key: sw.operatorKey, body, headers: withKey('create-crashed') }),
    );
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    // Without the key it is simply a second registration of the same id.
    const withoutKey = await sw.client.post('/v1/participants', { key: sw.operatorKey, body });
    expect(errorCode(withoutKey)).toBe('PARTICIPANT_EXISTS');
  });
});
