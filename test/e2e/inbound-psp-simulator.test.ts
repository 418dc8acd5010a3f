import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Decimal from 'decimal.js';
import { onboardExporter } from '../support/inbound-payments';
import { onboardParticipant, startTestSwitch, type TestSwitch } from '../support/switch-process';
import { TsxChild } from '../support/tsx-child';

/**
 * `npm run sim:inbound-psp` as its own process against a real switch, through a real HTTP proxy that misbehaves
 * the way networks and busy switches do: the first quote request of each kind is answered 429 with Retry-After (not
 * forwarded), and the first attempt of every payment is forwarded, recorded by the switch, and its answer replaced
 * by a 502 (the answer lost). The simulator must retry by the same id and pay each order exactly once.
 */
let sw: TestSwitch;
let proxy: Server;
let proxyUrl: string;
const keys: Record<string, string> = {};
const attemptsByPayment = new Map<string, number>();
let quotesRefused = 0;

async function register(id: string, bankCode: string, overrides: Record<string, unknown>): Promise<void> {
  keys[id] = (await onboardParticipant(sw, id, bankCode, overrides)).key;
}

/** Forwards a request to the switch; answers the client with `replace` instead of the switch's answer when given. */
function startFaultyProxy(target: URL): Promise<void> {
  proxy = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      if (incoming.url === '/v1/fx/quotes' && quotesRefused < 2) {
        quotesRefused += 1;
        outgoing.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
        outgoing.end('{"error":{"code":"RATE_LIMITED","message":"slow down"}}');
        return;
      }
      let loseAnswer = false;
      if (incoming.url === '/v1/inbound/payments') {
        const paymentId = (JSON.parse(body.toString('utf8')) as { id: string }).id;
        const attempts = (attemptsByPayment.get(paymentId) ?? 0) + 1;
        attemptsByPayment.set(paymentId, attempts);
        loseAnswer = attempts === 1;
      }
      const forwarded = httpRequest(
        new URL(incoming.url ?? '/', target),
        { method: incoming.method, headers: { ...incoming.headers, host: target.host } },
        (answer) => {
          const answerChunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
          answer.on('end', () => {
            if (loseAnswer) {
              outgoing.writeHead(502, { 'content-type': 'text/plain' });
              outgoing.end('bad gateway');
              return;
            }
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            outgoing.end(Buffer.concat(answerChunks));
          });
        },
      );
      forwarded.on('error', () => {
        outgoing.writeHead(502);
        outgoing.end();
      });
      forwarded.end(body);
    });
  });
  return new Promise((resolve) =>
    proxy.listen(0, '127.0.0.1', () => {
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

beforeAll(async () => {
  sw = await startTestSwitch();
  await register('TAMEER', 'TMER', { type: 'BANK', currencies: ['PKR', 'USD', 'EUR', 'GBP'] });
  await register('ALLIED', 'ABPL', {
    type: 'BANK',
    fxProvider: true,
    currencies: ['PKR', 'USD', 'EUR', 'GBP'],
    netDebitCap: '10000000.00',
  });
  await register('REMITLY', 'RMTL', {
    type: 'INBOUND_PSP',
    currency: undefined,
    currencies: ['USD', 'EUR', 'GBP'],
    netDebitCap: '100000.00',
    netDebitCaps: { EUR: '100000.00', GBP: '100000.00' },
  });
  await onboardExporter(sw.client, sw.operatorKey, 'TAMEER');
  const enabled = await sw.client.patch('/v1/merchants/KARACHI_SOFT', {
    key: sw.operatorKey,
    body: { inbound: { enabled: true, retentionShare: '0.20', purposeCodes: ['9184', '9182'] } },
  });
  expect(enabled.status).toBe(200);
  await startFaultyProxy(new URL(sw.url));
}, 60_000);
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await sw?.close();
});

type Line = {
  msg: string;
  paymentId?: string;
  amount?: string;
  retained?: string;
  rupees?: string;
  attempts?: number;
  sent?: number;
  completed?: number;
};

it('posts the dealer rates, pays every order once through lost answers and 429s, retrying by the same id', async () => {
  const child = new TsxChild('simulators/inbound-psp/main.ts', [
    '--switch-url',
    proxyUrl,
    '--key',
    keys['REMITLY']!,
    '--dealer-key',
    keys['ALLIED']!,
    '--merchant',
    'KARACHI_SOFT',
    '--count',
    '6',
    '--interval-ms',
    '0',
    '--seed',
    '3',
  ]);
  const exit = await child.exited;
  expect(child.stderr).toBe('');
  expect(exit.code).toBe(0);
  const lines = child.lines.map((line) => JSON.parse(line) as Line);
  expect(lines.find((line) => line.msg === 'rates posted')).toBeDefined();
  const paid = lines.filter((line) => line.msg === 'paid');
  expect(paid).toHaveLength(6);
  // Every payment's first answer was lost: the simulator asked again with the same id and got the payment.
  for (const line of paid) expect([line.paymentId, line.attempts]).toEqual([line.paymentId, 2]);
  expect(lines.filter((line) => line.msg === 'retrying by the same id').length).toBeGreaterThanOrEqual(6 + 2);
  expect(quotesRefused).toBe(2);
  expect(lines.at(-1)).toMatchObject({ msg: 'done', sent: 6, completed: 6 });

  // The switch holds each payment once, in three currencies, from both kinds of payer, with the amounts printed.
  const listed = await sw.client.get('/v1/inbound/payments?merchantId=KARACHI_SOFT&limit=100', { key: sw.operatorKey });
  const payments = (listed.body as { payments: { id: string; amount: string; currency: string; payer: { type: string } }[] }).payments;
  expect(payments.map((payment) => payment.id).sort()).toEqual(paid.map((line) => line.paymentId).sort());
  expect(new Set(payments.map((payment) => payment.currency))).toEqual(new Set(['USD', 'EUR', 'GBP']));
  expect(new Set(payments.map((payment) => payment.payer.type))).toEqual(new Set(['BUSINESS', 'PERSON']));
  for (const line of paid) {
    const payment = payments.find((candidate) => candidate.id === line.paymentId)!;
    expect(line.amount).toBe(`${payment.amount} ${payment.currency}`);
    // 20 % retained, rounded down to the minor unit.
    expect(line.retained).toBe(new Decimal(payment.amount).times('0.20').toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(2));
  }
  // The PSP owes exactly what it sent, per currency: nothing was paid twice.
  const psp = (await sw.client.get('/v1/participants/REMITLY', { key: sw.operatorKey })).body as {
    currencies: { currency: string; position: string }[];
  };
  for (const currency of ['USD', 'EUR', 'GBP']) {
    const sent = payments
      .filter((payment) => payment.currency === currency)
      .reduce((sum, payment) => sum.plus(payment.amount), new Decimal(0));
    expect([currency, psp.currencies.find((line) => line.currency === currency)?.position]).toEqual([currency, sent.toFixed(2)]);
  }
}, 90_000);

it('refuses bad flags with a sentence and exit 2, doing nothing', async () => {
  const child = new TsxChild('simulators/inbound-psp/main.ts', ['--switch-url', proxyUrl, '--key', 'x', '--merchant', 'karachi soft']);
  const exit = await child.exited;
  expect(exit.code).toBe(2);
  expect(child.stderr).toContain('a merchant id is 3 to 32 capital letters, digits or _');
  expect(child.stderr).toContain('usage: npm run sim:inbound-psp');
}, 30_000);
