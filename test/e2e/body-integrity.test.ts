import { randomUUID } from 'node:crypto';
import { createConnection } from 'node:net';
import { errorCode, rawHttpRequest, type HttpAnswer } from '../support/http-client';
import { expectLogUnchanged, onboardPayerAndAdvicePayee, startTestSwitch, type TestSwitch } from '../support/switch-process';

/**
 * A body that two readers could read differently is refused and changes nothing (api/body-integrity.ts): another
 * charset (UTF-7 would turn `+ADI-` into `2`), a field given twice, bytes that are not UTF-8, a lone surrogate. Found
 * by an outside test of 2026-12-04, where each of these paid. The same payment written plainly still pays.
 */
let sw: TestSwitch;
let payerKey = '';

beforeAll(async () => {
  sw = await startTestSwitch();
  ({ payerKey } = await onboardPayerAndAdvicePayee(sw));
});
afterAll(async () => {
  await sw.close();
});

/** A payment's JSON text with the amount written as given, so that a test can spell it in any way. */
function paymentText(amountMember: string, name = 'Ayesha Khan'): string {
  return `{"id":"${randomUUID()}","payer":{"type":"WALLET","value":"03001111111","name":"${name}"},"payee":{"type":"MSISDN","value":"923002222222"},${amountMember},"currency":"PKR","purpose":"P2P"}`;
}

function send(body: Buffer | string, contentType = 'application/json'): Promise<HttpAnswer> {
  return rawHttpRequest(sw.url, 'POST', '/v1/transfers', { key: payerKey, rawBody: body, headers: { 'content-type': contentType } });
}

function refusal(answer: HttpAnswer): { status: number; code: string | undefined } {
  return { status: answer.status, code: errorCode(answer) };
}

it.each([
  'application/json; charset=utf-7',
  'application/json; charset=utf-16le',
  'application/json; charset=UTF-32',
  'application/json; charset=iso-8859-1',
  // A header two parsers could read two ways: a quoted parameter that holds "charset=utf-8", then the real one.
  'application/json; x="; charset=utf-8"; charset=utf-7',
])('refuses a body sent as %s (415) and records nothing', async (contentType) => {
  const answer = await expectLogUnchanged(sw, () => send(paymentText('"amount":"+ADI-.00"'), contentType));
  expect(refusal(answer)).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
});

it('refuses a field given twice, however it is spelled, and records nothing', async () => {
  for (const members of ['"amount":"1.00","amount":"90000.00"', '"amount":"1.00","am\\u006funt":"90000.00"']) {
    const answer = await expectLogUnchanged(sw, () => send(paymentText(members)));
    expect(refusal(answer)).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(answer.body).toMatchObject({ error: { details: [{ path: ['body', 'amount'] }] } });
  }
});

it('refuses bytes that are not UTF-8 and a lone surrogate, and records nothing', async () => {
  const invalidBytes = Buffer.concat([Buffer.from(paymentText('"amount":"1.00"', 'Ay').slice(0, -1)), Buffer.from([0xff])]);
  const withInvalidName = Buffer.from(paymentText('"amount":"1.00"', 'AyXsha'), 'utf8');
  withInvalidName[withInvalidName.indexOf('X')] = 0xff;
  expect(refusal(await expectLogUnchanged(sw, () => send(withInvalidName)))).toEqual({ status: 400, code: 'MALFORMED_JSON' });
  expect(refusal(await expectLogUnchanged(sw, () => send(invalidBytes)))).toEqual({ status: 400, code: 'MALFORMED_JSON' });
  const surrogate = await expectLogUnchanged(sw, () => send(paymentText('"amount":"1.00"', 'Ay\\ud800sha')));
  expect(refusal(surrogate)).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  expect(surrogate.body).toMatchObject({ error: { details: [{ path: ['body', 'payer', 'name'] }] } });
});

/** Bytes written to the switch's port as they are, and everything it answers until it closes the connection. */
function rawExchange(bytes: string): Promise<string> {
  const { hostname, port } = new URL(sw.url);
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: hostname, port: Number(port) }, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
  });
}

function statusAndBody(answer: string): { status: string; code: string | undefined } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } };
  expect(parsed.error?.message).toEqual(expect.any(String));
  expect(head).toMatch(/\r\ncontent-type: application\/json/i);
  return { status: head.split(' ')[1] ?? '', code: parsed.error?.code };
}

describe('requests node:http cannot read', () => {
  it('answers a malformed request line, a bad Content-Length and oversized headers in JSON, with a code', async () => {
    expect(statusAndBody(await rawExchange('GET /v1/trans fers HTTP/1.1\r\nHost: x\r\n\r\n'))).toEqual({
      status: '400',
      code: 'BAD_REQUEST',
    });
    expect(
      statusAndBody(await rawExchange('POST /v1/transfers HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}')),
    ).toEqual({ status: '400', code: 'BAD_REQUEST' });
    expect(statusAndBody(await rawExchange(`GET /v1/transfers/${'x'.repeat(17_000)} HTTP/1.1\r\nHost: x\r\n\r\n`))).toEqual({
      status: '431',
      code: 'HEADERS_TOO_LARGE',
    });
  });

  it('logs each such request at warn with the request log fields it has, its path masked as every request path is', async () => {
    const logged = (from: number) => sw.logLines.slice(from).filter((line) => line.msg === 'request' && line.level === 'warn');
    const before = sw.logLines.length;
    statusAndBody(
      await rawExchange('GET /v1/parties/MSISDN/923001234567 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'),
    );
    statusAndBody(await rawExchange('GET /v1/trans fers HTTP/1.1\r\nHost: x\r\n\r\n'));
    statusAndBody(await rawExchange(`GET /v1/transfers HTTP/1.1\r\nHost: x\r\nX-Filler: ${'x'.repeat(17_000)}\r\n\r\n`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const lines = logged(before);
    expect(lines).toEqual([
      expect.objectContaining({ method: 'GET', path: '/v1/parties/MSISDN/********4567', status: 400, code: 'BAD_REQUEST' }),
      expect.objectContaining({ method: null, path: null, status: 400, code: 'BAD_REQUEST', parserCode: expect.any(String) }),
      expect.objectContaining({ method: 'GET', path: '/v1/transfers', status: 431, code: 'HEADERS_TOO_LARGE' }),
    ]);
    for (const line of lines) expect(line.remoteAddress).toEqual(expect.stringMatching(/127\.0\.0\.1$/));
    expect(JSON.stringify(lines)).not.toContain('923001234567');
    expect(JSON.stringify(lines)).not.toContain('xxxxxxxx');
  });

  it('answers a bad request that follows a good one on a kept-alive connection', async () => {
    const { hostname, port } = new URL(sw.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: hostname, port: Number(port) }, () =>
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'),
      );
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => {
        // The first answer has come in whole when its body has: then the bad request goes on the same connection.
        if (chunks.length === 0) setTimeout(() => socket.write('GET /v1/trans fers HTTP/1.1\r\nHost: x\r\n\r\n'), 50);
        chunks.push(chunk);
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    });
    const second = answer.slice(answer.indexOf('HTTP/1.1', 1));
    expect(answer.startsWith('HTTP/1.1 200')).toBe(true);
    expect(statusAndBody(second)).toEqual({ status: '400', code: 'BAD_REQUEST' });
  });

  it('refuses two Authorization headers, whichever comes first, and records nothing', async () => {
    const answer = await expectLogUnchanged(sw, () =>
      rawExchange(
        `GET /v1/transfers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${payerKey}\r\nAuthorization: Bearer ${payerKey}\r\nConnection: close\r\n\r\n`,
      ),
    );
    expect(statusAndBody(answer)).toEqual({ status: '400', code: 'BAD_REQUEST' });
  });
});

it('names body.amount in the details of an amount it refuses, and records nothing', async () => {
  for (const amount of ['1.001', '-1.00', '1e3']) {
    const answer = await expectLogUnchanged(sw, () => send(paymentText(`"amount":"${amount}"`)));
    expect(refusal(answer)).toEqual({ status: 400, code: 'INVALID_AMOUNT' });
    expect(answer.body).toMatchObject({ error: { details: [{ path: ['body', 'amount'] }] } });
  }
});

// Last: an ADVICE payment leaves the advice intake writing to the log for a moment, which the tests above would see.
it('pays a plain UTF-8 body, with or without the charset named', async () => {
  expect((await send(paymentText('"amount":"1.00"'))).status).toBe(201);
  expect((await send(paymentText('"amount":"1.00"', 'عائشہ 👋'), 'application/json; charset=utf-8')).status).toBe(201);
});
