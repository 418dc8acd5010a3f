import Decimal from 'decimal.js';
import { parse } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { errorCode } from '../support/http-client';
import { onboardParticipant, participantBody, startTestSwitch, type TestSwitch } from '../support/switch-process';

/**
 * Issue 17, item 8: each currency settles in its own windows and reports. In-bound dollar payments move the PSP's,
 * the acquirer's and the dealer's USD positions and the dealer's and acquirer's PKR positions; closing the USD
 * window closes nothing in rupees, its report (JSON and CSV) is in dollars and nets to zero, and every participant's
 * camt.053 statement for it carries Ccy="USD" on every amount and balances (opening + entries = closing). The PKR
 * window closes on its own with the rupee legs.
 */
let sw: TestSwitch;
const keys: Record<string, string> = {};

type Line = {
  participant: string;
  sentCount: number;
  sentValue: string;
  receivedCount: number;
  receivedValue: string;
  fees: string;
  net: string;
};
type Report = {
  windowId: string;
  currency: string;
  state: string;
  participants: Line[];
  totals: { count: number; value: string };
  netSumZero: boolean;
};
type Statement = {
  Document: {
    BkToCstmrStmt: {
      Stmt: {
        Acct: { Ccy: string };
        Bal: { Tp: { CdOrPrtry: { Cd: string } }; Amt: { '#text': string; '@_Ccy': string }; CdtDbtInd: string }[];
        Ntry?: { Amt: { '#text': string; '@_Ccy': string }; CdtDbtInd: string }[];
      };
    };
  };
};

async function register(id: string, bankCode: string, overrides: Record<string, unknown>): Promise<void> {
  keys[id] = (await onboardParticipant(sw, id, bankCode, overrides)).key;
}

const operatorGet = (path: string, headers: Record<string, string> = {}) => sw.client.get(path, { key: sw.operatorKey, headers });
const closeWindow = async (currency: string): Promise<string> => {
  const closed = await sw.client.post('/v1/settlement/windows/close', {
    key: sw.operatorKey,
    body: { currency },
    headers: { 'idempotency-key': `close-${currency}-${Date.now()}` },
  });
  expect(closed.status).toBe(200);
  return (closed.body as { closed: { id: string } }).closed.id;
};

beforeAll(async () => {
  sw = await startTestSwitch();
  await register('MARGALLA', 'MRGL', { currencies: ['PKR', 'USD'] });
  await register('ALLIED', 'ABPL', { type: 'BANK', fxProvider: true, currencies: ['PKR', 'USD'], netDebitCap: '1000000.00' });
  await register('REMITLY', 'RMTL', { type: 'INBOUND_PSP', currency: undefined, currencies: ['USD'], netDebitCap: '10000.00' });
  const funded = await sw.client.post('/v1/participants/REMITLY/funds', {
    key: sw.operatorKey,
    headers: { 'Idempotency-Key': 'remitly-usd-opening' },
    body: { direction: 'IN', amount: '10000.00', currency: 'USD', reference: 'NOSTRO-USD-1' },
  });
  expect(funded.status).toBe(201);
  const merchant = await sw.client.post('/v1/merchants', {
    key: keys['MARGALLA'],
    body: {
      id: 'LAHORE_CODE',
      name: 'Lahore Code',
      mcc: '7372',
      city: 'Lahore',
      acquirer: 'MARGALLA',
      settlementAccount: { type: 'WALLET', value: 'WLAHORECODE' },
      webhookUrl: 'http://127.0.0.1:9/webhooks',
    },
  });
  expect(merchant.status).toBe(201);
  const enabled = await sw.client.patch('/v1/merchants/LAHORE_CODE', {
    key: sw.operatorKey,
    body: { inbound: { enabled: true, retentionShare: '0.25', purposeCodes: ['9182', '9184'] } },
  });
  expect(enabled.status).toBe(200);
  const rate = await sw.client.put('/v1/fx/rates/USD/PKR', { key: keys['ALLIED'], body: { rate: '278.4500', validForSeconds: 600 } });
  expect(rate.status).toBe(200);
  for (const [index, amount, purposeCode] of [
    [1, '100.00', '9184'],
    [2, '40.10', '9182'],
  ] as const) {
    const paid = await sw.client.post('/v1/inbound/payments', {
      key: keys['REMITLY'],
      body: {
        id: `7a2d0c4e-0000-4000-8000-00000000000${index}`,
        merchantId: 'LAHORE_CODE',
        amount,
        currency: 'USD',
        purposeCode,
        payer: { type: 'BUSINESS', name: 'Acme Ltd', country: 'GB' },
        invoiceNumber: `INV-${index}`,
      },
    });
    if (paid.status !== 201) throw new Error(paid.text);
  }
}, 60_000);
afterAll(async () => {
  await sw.close();
});

const signed = (amount: string, indicator: string): Decimal => (indicator === 'CRDT' ? new Decimal(amount) : new Decimal(amount).negated());

it('closes the USD window on its own, with a report in dollars (JSON and CSV) whose nets sum to zero', async () => {
  const usdWindow = await closeWindow('USD');
  expect(usdWindow).toMatch(/^USD-\d+$/);
  // Nothing in rupees closed: the PKR window is still the first one, open.
  const pkrWindows = (await operatorGet('/v1/settlement/windows?currency=PKR')).body as { windows: { id: string; state: string }[] };
  expect(pkrWindows.windows.map((window) => [window.id, window.state])).toEqual([['PKR-000001', 'OPEN']]);

  const report = (await operatorGet(`/v1/settlement/windows/${usdWindow}/report`)).body as Report;
  expect(report).toMatchObject({ currency: 'USD', state: 'CLOSED', netSumZero: true });
  // Two payments, each a chain of two dollar legs (the retained share to the acquirer, the rest to the dealer).
  expect(report.totals.value).toBe('140.10');
  const nets = Object.fromEntries(report.participants.map((line) => [line.participant, line.net]));
  // 25 % retained, rounded down: 25.00 + 10.02 = 35.02 to MARGALLA; the dealer takes the rest, 105.08.
  expect(nets).toEqual({ ALLIED: '105.08', MARGALLA: '35.02', REMITLY: '-140.10' });

  const csv = (await operatorGet(`/v1/settlement/windows/${usdWindow}/report?format=csv`)).text;
  const rows = parse<Record<string, string>>(csv, { columns: true, relax_column_count: true });
  const csvNets = Object.fromEntries(
    rows.filter((row) => (row['participant'] ?? '') in nets).map((row) => [row['participant'], row['net']]),
  );
  expect(csvNets).toEqual(nets);
});

it("serves each participant's camt.053 for the USD window in dollars, balancing", async () => {
  const usdWindow = ((await operatorGet('/v1/settlement/windows?currency=USD&state=CLOSED')).body as { windows: { id: string }[] })
    .windows[0]!.id;
  const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => name === 'Bal' || name === 'Ntry' });
  const expectedClosing: Record<string, string> = { ALLIED: '105.08', MARGALLA: '35.02', REMITLY: '-140.10' };
  for (const participant of ['ALLIED', 'MARGALLA', 'REMITLY']) {
    const answer = await operatorGet(`/v1/settlement/windows/${usdWindow}/statements/${participant}`);
    expect([participant, answer.status]).toEqual([participant, 200]);
    expect(XMLValidator.validate(answer.text)).toBe(true);
    const statement = (parser.parse(answer.text) as Statement).Document.BkToCstmrStmt.Stmt;
    expect(statement.Acct.Ccy).toBe('USD');
    const amounts = [...statement.Bal, ...(statement.Ntry ?? [])].map((entry) => entry.Amt['@_Ccy']);
    expect(new Set(amounts)).toEqual(new Set(['USD']));
    expect(answer.text).not.toContain('Ccy="PKR"');
    const [opening, closing] = statement.Bal;
    const entries = (statement.Ntry ?? []).reduce((sum, entry) => sum.plus(signed(entry.Amt['#text'], entry.CdtDbtInd)), new Decimal(0));
    const openingAmount = signed(opening!.Amt['#text'], opening!.CdtDbtInd);
    const closingAmount = signed(closing!.Amt['#text'], closing!.CdtDbtInd);
    expect(openingAmount.plus(entries).toFixed(2)).toBe(closingAmount.toFixed(2));
    expect([participant, closingAmount.toFixed(2)]).toEqual([participant, expectedClosing[participant]]);
  }
  // A participant that holds no dollars has no USD statement.
  const register = await sw.client.post('/v1/participants', { key: sw.operatorKey, body: participantBody('RUPEES_ONLY', 'RPON') });
  expect(register.status).toBe(201);
  expect(errorCode(await operatorGet(`/v1/settlement/windows/${usdWindow}/statements/RUPEES_ONLY`))).toBe('PARTICIPANT_NOT_FOUND');
});

it('closes the PKR window separately with the rupee legs, and settles each window in its own currency', async () => {
  const pkrWindow = await closeWindow('PKR');
  const report = (await operatorGet(`/v1/settlement/windows/${pkrWindow}/report`)).body as Report;
  expect(report).toMatchObject({ currency: 'PKR', netSumZero: true });
  // 75.00 and 30.08 dollars converted at 278.45: 20,883.75 + 8,375.78 (8,375.776 rounds half-even) rupees.
  const nets = Object.fromEntries(report.participants.map((line) => [line.participant, line.net]));
  expect(nets).toMatchObject({ ALLIED: '-29259.53', MARGALLA: '29259.53' });
  expect(nets).not.toHaveProperty('REMITLY');
  const statement = (await operatorGet(`/v1/settlement/windows/${pkrWindow}/statements/MARGALLA`)).text;
  expect(statement).toContain('<Ccy>PKR</Ccy>');
  expect(statement).not.toContain('Ccy="USD"');

  const usdWindow = ((await operatorGet('/v1/settlement/windows?currency=USD&state=CLOSED')).body as { windows: { id: string }[] })
    .windows[0]!.id;
  for (const id of [usdWindow, pkrWindow]) {
    const settled = await sw.client.post(`/v1/settlement/windows/${id}/settle`, {
      key: sw.operatorKey,
      body: { reference: `RTGS-${id}` },
      headers: { 'idempotency-key': `settle-${id}` },
    });
    expect([id, settled.status]).toEqual([id, 200]);
  }
  const remitly = (await operatorGet('/v1/participants/REMITLY')).body as { currencies: { currency: string; position: string }[] };
  expect(remitly.currencies.find((line) => line.currency === 'USD')?.position).toBe('0.00');
  const allied = (await operatorGet('/v1/participants/ALLIED')).body as { currencies: { currency: string; position: string }[] };
  expect(allied.currencies.map((line) => [line.currency, line.position])).toEqual([
    ['PKR', '0.00'],
    ['USD', '0.00'],
  ]);
});
