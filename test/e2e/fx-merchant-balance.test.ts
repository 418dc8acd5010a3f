import Database from 'better-sqlite3';
import Decimal from 'decimal.js';
import { randomUUID } from 'node:crypto';
import { readModelPath } from '../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { onboardExporter } from '../support/inbound-payments';
import { onboardParticipant, startTestSwitch, type TestSwitch } from '../support/switch-process';
import { rebuildSwitchProjection } from '../support/rebuild-switch-projection';

/**
 * Issue 17, item 4: the merchant's balance shows its in-bound payments in both currencies, over the real switch. In
 * each foreign currency the amounts received, kept and converted; in rupees what the conversions brought. The sums
 * are those of the payments' own answers, the checkout amounts stay as they were, the windows follow each currency's
 * closes, and the view rebuilds from the log into the same rows. (A FAILED payment, which only a crash can make, is
 * left out of the balance in test/reliability/inbound-payment-crash.test.ts.)
 */
let sw: TestSwitch;
const keys: Record<string, string> = {};
let merchantKey = '';

type Balance = {
  currency: string;
  collected: string;
  net: string;
  inbound: Inbound;
  byWindow: { windowId: string; collected: string; net: string; inbound: Inbound }[];
};
type Inbound = {
  received: { count: number; amount: string; retained: string; converted: string };
  conversions: { count: number; amount: string };
  credited: string;
};
type Paid = { amount: string; currency: string; retained: { amount: string }; converted: { fromAmount: string; toAmount: string } };

async function register(id: string, bankCode: string, overrides: Record<string, unknown>): Promise<void> {
  keys[id] = (await onboardParticipant(sw, id, bankCode, overrides)).key;
}

beforeAll(async () => {
  sw = await startTestSwitch();
  await register('MARGALLA', 'MRGL', { currencies: ['PKR', 'USD', 'EUR'] });
  await register('ALLIED', 'ABPL', { type: 'BANK', fxProvider: true, currencies: ['PKR', 'USD', 'EUR'], netDebitCap: '5000000.00' });
  await register('REMITLY', 'RMTL', {
    type: 'INBOUND_PSP',
    currency: undefined,
    currencies: ['USD', 'EUR'],
    netDebitCap: '50000.00',
    netDebitCaps: { EUR: '50000.00' },
  });
  merchantKey = await onboardExporter(sw.client, keys['MARGALLA'], 'MARGALLA');
  const enabled = await sw.client.patch('/v1/merchants/KARACHI_SOFT', {
    key: keys['MARGALLA'],
    body: { inbound: { enabled: true, retentionShare: '0.35', purposeCodes: ['9184', '9182'] } },
  });
  expect(enabled.status).toBe(200);
  for (const [from, rate] of [
    ['USD', '278.4500'],
    ['EUR', '301.1037'],
  ] as const) {
    const posted = await sw.client.put(`/v1/fx/rates/${from}/PKR`, { key: keys['ALLIED'], body: { rate, validForSeconds: 3600 } });
    expect(posted.status).toBe(200);
  }
}, 60_000);
afterAll(async () => {
  await sw.close();
});

async function pay(amount: string, currency: string): Promise<Paid> {
  const answer = await sw.client.post('/v1/inbound/payments', {
    key: keys['REMITLY'],
    body: {
      id: randomUUID(),
      merchantId: 'KARACHI_SOFT',
      amount,
      currency,
      purposeCode: '9184',
      payer: { type: 'BUSINESS', name: 'Acme Ltd', country: 'GB' },
    },
  });
  expect(answer.status).toBe(201);
  return answer.body as Paid;
}

async function balance(currency: string, key = sw.operatorKey): Promise<Balance> {
  const answer = await sw.client.get(`/v1/merchants/KARACHI_SOFT/balance?currency=${currency}`, { key });
  expect(answer.status).toBe(200);
  return answer.body as Balance;
}

const sum = (values: readonly string[], decimals: number): string =>
  values.reduce((total, value) => total.plus(value), new Decimal(0)).toFixed(decimals);

/** What the merchant's balance in `currency` must say of these payments, from their own answers. */
function expectedInbound(payments: readonly Paid[], currency: string): Inbound {
  const received = payments.filter((payment) => payment.currency === currency);
  const converted = currency === 'PKR' ? payments.filter((payment) => new Decimal(payment.converted.toAmount).gt(0)) : [];
  const retained = sum(
    received.map((payment) => payment.retained.amount),
    2,
  );
  const rupees = sum(
    converted.map((payment) => payment.converted.toAmount),
    2,
  );
  return {
    received: {
      count: received.length,
      amount: sum(
        received.map((payment) => payment.amount),
        2,
      ),
      retained,
      converted: sum(
        received.map((payment) => payment.converted.fromAmount),
        2,
      ),
    },
    conversions: { count: converted.length, amount: rupees },
    credited: new Decimal(retained).plus(rupees).toFixed(2),
  };
}

it('shows in-bound payments per currency beside the checkout amounts, which stay as they were, and per window', async () => {
  const before = await balance('USD');
  expect(before.inbound).toEqual(expectedInbound([], 'USD'));
  expect(before.byWindow).toEqual([]);

  // Amounts whose 35 % share and conversion both round: the retained part down, the rupees half-even.
  const early = [await pay('100.00', 'USD'), await pay('33.33', 'USD'), await pay('0.01', 'USD'), await pay('1234.57', 'EUR')];
  const closed = await sw.client.post('/v1/settlement/windows/close', {
    key: sw.operatorKey,
    headers: { 'idempotency-key': `close-usd-${randomUUID()}` },
    body: { currency: 'USD' },
  });
  expect(closed.status).toBe(200);
  const late = [await pay('999.99', 'USD'), await pay('19.07', 'EUR')];
  const all = [...early, ...late];

  const usd = await balance('USD');
  expect(usd.inbound).toEqual(expectedInbound(all, 'USD'));
  // 100.00 → 35.00, 33.33 → 11.66 (11.6655 down), 0.01 → 0.00, 999.99 → 349.99 (349.9965 down).
  expect(usd.inbound.received).toEqual({ count: 4, amount: '1133.33', retained: '396.65', converted: '736.68' });
  // No checkout payment: the rupee-era fields of a USD balance are zero, and in-bound money is not in `net`.
  expect(usd).toMatchObject({ currency: 'USD', collected: '0.00', net: '0.00' });
  // The USD close split the dollars: three payments in the first window, one in the next.
  expect(usd.byWindow.map((window) => window.inbound)).toEqual([expectedInbound(early, 'USD'), expectedInbound(late, 'USD')]);
  expect(usd.byWindow.map((window) => window.windowId)).toEqual(['USD-000001', 'USD-000002']);

  expect((await balance('EUR')).inbound).toEqual(expectedInbound(all, 'EUR'));

  // The rupees of all six conversions (0.01 USD keeps nothing and converts 0.01: 2.78 rupees) in the one open PKR window.
  const pkr = await balance('PKR');
  expect(pkr.inbound).toEqual(expectedInbound(all, 'PKR'));
  expect(pkr.inbound.conversions.count).toBe(6);
  expect(pkr).toMatchObject({ collected: '0.00', net: '0.00' });
  expect(pkr.byWindow).toHaveLength(1);
  expect(pkr.byWindow[0]?.inbound).toEqual(pkr.inbound);

  // The merchant reads the same balance with its own key; its checkout payments list holds none of them.
  expect(await balance('PKR', merchantKey)).toEqual(pkr);
  const payments = await sw.client.get('/v1/merchants/KARACHI_SOFT/payments', { key: merchantKey });
  expect(payments.body).toEqual({ payments: [], nextCursor: null });
});

it('equals the acquirer’s credited positions in each ledger', async () => {
  // MARGALLA acquires no one else and pays nothing out: what it is owed in each currency is this merchant's credit.
  const read = await sw.client.get('/v1/participants/MARGALLA', { key: sw.operatorKey });
  const lines = (read.body as { currencies: { currency: string; position: string }[] }).currencies;
  for (const currency of ['PKR', 'USD', 'EUR']) {
    const position = lines.find((line) => line.currency === currency)?.position;
    expect({ currency, owed: new Decimal(position ?? 'NaN').negated().toFixed(2) }).toEqual({
      currency,
      owed: (await balance(currency)).inbound.credited,
    });
  }
});

it('rebuilds the merchant views, in-bound rows and all, from position 0 into the same rows', async () => {
  const rows = (): unknown[] => {
    const database = new Database(readModelPath(sw.dataDir), { readonly: true });
    try {
      return [
        database.prepare('SELECT * FROM merchant_window_totals ORDER BY merchant_id, currency, window_id').all(),
        database.prepare('SELECT * FROM merchant_view_pending_inbound ORDER BY payment_id').all(),
        database.prepare('SELECT * FROM merchant_view_current ORDER BY currency').all(),
      ];
    } finally {
      database.close();
    }
  };
  const before = rows();
  expect((before[0] as unknown[]).length).toBe(4);
  await rebuildSwitchProjection('merchant-views', sw.dataDir);
  expect(rows()).toEqual(before);
});
