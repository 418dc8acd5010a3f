import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import type { RecordedEvent } from '../../core/eventstore/event';
import { START_POSITION } from '../../core/eventstore/event-store';
import type { InwardRemittanceLine } from '../../core/fx/inward-remittance-report';
import { purposeCodes } from '../../core/fx/purpose-codes';
import { formatAmount } from '../../core/money';
import { declineClassOf } from '../../core/reports/decline-classes';
import { launchHeadlessBrowser } from '../support/headless-browser';
import { customerIban, PaymentNetwork } from '../support/payment-network';
import { issueRegulatorKey, participantBody } from '../support/switch-process';
import { waitUntil } from '../support/wait-until';

/**
 * The regulator's dashboard (issue 13) in a real headless Chromium against a real switch with simulated wallets:
 * traffic of every outcome (approved, business and technical declines, a reversal, a dispute, a closed window), then
 * the page's figures against the API's and a recount from the events; a date range, a participant; a CSV downloaded
 * through the page; and refusals of a wrong key and a participant's key. Screenshots go to test-results/.
 */
type Side = {
  count: number;
  value: string;
  approved: number;
  businessDeclines: number;
  technicalDeclines: number;
  approvedPercent: number;
};
type ParticipantLine = {
  participant: string;
  asPayer: Side;
  asPayee: Side;
  reversals: { count: number; delivered: number };
  p50CompletionMs: number | null;
  p99CompletionMs: number | null;
  position: string | null;
  netDebitCap: string | null;
  capUtilisationPercent: number;
};
type Bucket = { start: string; count: number; value: string; approved: number; businessDeclines: number; technicalDeclines: number };

const screenshotFolder = join(__dirname, '..', '..', 'test-results');
const karachiOffsetMs = 5 * 60 * 60 * 1000;

let network: PaymentNetwork;
let regulatorKey: string;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let page: Page;
const violations: string[] = [];
let closedWindowId: string;

/** Today in Karachi as YYYY-MM-DD, and the range of that day as the page asks for it. */
const todayInKarachi = (): string => new Date(Date.now() + karachiOffsetMs).toISOString().slice(0, 10);
const dayRange = (day: string): string => {
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return `from=${encodeURIComponent(`${day}T00:00:00+05:00`)}&to=${encodeURIComponent(`${next}T00:00:00+05:00`)}`;
};

async function pay(payer: string, payee: string, amount: string): Promise<{ id: string; state: string; abortReason: string | null }> {
  const body = {
    id: randomUUID(),
    payer: { type: 'WALLET', value: network.wallet(payer).walletNumber },
    payee: { type: 'MSISDN', value: network.wallet(payee).msisdn },
    amount,
    currency: 'PKR',
    purpose: 'P2P',
  };
  const answer = await network.sw.client.post('/v1/transfers', { key: network.wallet(payer).key.key, body });
  expect(answer.status).toBe(201);
  return answer.body as { id: string; state: string; abortReason: string | null };
}

async function generateTraffic(): Promise<void> {
  const paid = await pay('MARGALLA', 'RAVI', '100.00');
  expect(paid.state).toBe('COMMITTED');
  expect((await pay('RAVI', 'MARGALLA', '30.50')).state).toBe('COMMITTED');
  expect((await pay('CAPPED', 'RAVI', '2000.00')).abortReason).toBe('NET_DEBIT_CAP_EXCEEDED');
  const ravi = network.wallet('RAVI').simulator;
  ravi.setMode({ mode: 'reject', reason: 'ACCOUNT_BLOCKED' });
  expect((await pay('MARGALLA', 'RAVI', '10.00')).abortReason).toBe('PAYEE_REJECTED');
  await ravi.refuseConnections();
  try {
    expect((await pay('MARGALLA', 'RAVI', '20.00')).abortReason).toBe('PAYEE_UNAVAILABLE');
  } finally {
    await ravi.acceptConnections();
  }
  ravi.setMode({ mode: 'slow', delayMs: 1_500 }, ['CREDIT_REQUEST']);
  ravi.setMode({ mode: 'accept' }, ['REVERSAL']);
  expect((await pay('MARGALLA', 'RAVI', '50.00')).abortReason).toBe('PAYEE_TIMEOUT');
  ravi.setMode({ mode: 'accept' });
  await waitUntil(() => ravi.received('REVERSAL').length === 1, 'the reversal reaches RAVI', 10_000);

  const opened = await network.sw.client.post('/v1/disputes', {
    key: network.wallet('MARGALLA').key.key,
    body: { transferId: paid.id, category: 'GOODS_NOT_RECEIVED', amount: '40.00', description: 'the customer says so' },
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(opened.status).toBe(201);
  const answered = await network.sw.client.post(`/v1/disputes/${(opened.body as { id: string }).id}/respond`, {
    key: network.wallet('RAVI').key.key,
    body: { action: 'CONTEST', note: 'delivered' },
  });
  expect(answered.status).toBe(200);

  const closed = await network.sw.client.post('/v1/settlement/windows/close', {
    key: network.sw.operatorKey,
    body: { currency: 'PKR' },
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(closed.status).toBe(200);
  closedWindowId = (closed.body as { closed: { id: string } }).closed.id;
}

const remittanceFigures = (line: InwardRemittanceLine): string[] =>
  [
    line.count,
    line.amount,
    line.retained,
    line.converted,
    line.rupees,
    line.averageRate,
    line.b2bCount,
    line.b2bAmount,
    line.b2bRetained,
    line.b2bRupees,
    line.b2cCount,
    line.b2cAmount,
    line.b2cRetained,
    line.b2cRupees,
  ].map(String);

/**
 * In-bound traffic (issue 17): an authorised dealer posting rates, an in-bound PSP prefunded (capped) in USD, EUR and
 * GBP, an exporter acquired by a bank that holds those currencies, and receipts of several purpose codes, currencies
 * and payer types.
 */
async function generateInboundTraffic(): Promise<void> {
  const client = network.sw.client;
  const keys: Record<string, string> = {};
  for (const [id, bankCode, overrides] of [
    ['ALLIED', 'ABPL', { type: 'BANK', fxProvider: true, currencies: ['PKR', 'USD', 'EUR', 'GBP'], netDebitCap: '10000000.00' }],
    ['TAMEER', 'TMER', { type: 'BANK', currencies: ['PKR', 'USD', 'EUR', 'GBP'] }],
    [
      'REMITLY',
      'RMTL',
      {
        type: 'INBOUND_PSP',
        currency: undefined,
        currencies: ['USD', 'EUR', 'GBP'],
        netDebitCap: '50000.00',
        netDebitCaps: { EUR: '50000.00', GBP: '50000.00' },
      },
    ],
  ] as const) {
    const created = await client.post('/v1/participants', { key: network.sw.operatorKey, body: participantBody(id, bankCode, overrides) });
    expect([id, created.status]).toEqual([id, 201]);
    keys[id] = ((await client.post(`/v1/participants/${id}/keys`, { key: network.sw.operatorKey })).body as { key: string }).key;
  }
  const merchant = await client.post('/v1/merchants', {
    key: network.sw.operatorKey,
    body: {
      id: 'KARACHI_SOFT',
      name: 'Karachi Soft',
      mcc: '7372',
      city: 'Karachi',
      acquirer: 'TAMEER',
      settlementAccount: { type: 'IBAN', value: customerIban('TMER', 9) },
      webhookUrl: 'http://127.0.0.1:9/webhooks',
    },
  });
  expect([merchant.status, merchant.text]).toEqual([201, merchant.text]);
  const enabled = await client.patch('/v1/merchants/KARACHI_SOFT', {
    key: network.sw.operatorKey,
    body: { inbound: { enabled: true, retentionShare: '0.35', purposeCodes: ['9184', '9182'] } },
  });
  expect(enabled.status).toBe(200);
  for (const [from, rate] of [
    ['USD', '278.4500'],
    ['EUR', '301.1000'],
    ['GBP', '352.2000'],
  ]) {
    const posted = await client.put(`/v1/fx/rates/${from}/PKR`, { key: keys['ALLIED'], body: { rate, validForSeconds: 3_600 } });
    expect(posted.status).toBe(200);
  }
  for (const [amount, currency, purposeCode, type] of [
    ['100.00', 'USD', '9184', 'BUSINESS'],
    ['50.00', 'USD', '9184', 'PERSON'],
    ['10.01', 'USD', '9182', 'BUSINESS'],
    ['80.00', 'EUR', '9182', 'BUSINESS'],
    ['25.50', 'GBP', '9184', 'PERSON'],
  ]) {
    const paid = await client.post('/v1/inbound/payments', {
      key: keys['REMITLY'],
      body: {
        id: randomUUID(),
        merchantId: 'KARACHI_SOFT',
        amount,
        currency,
        purposeCode,
        payer: { type, name: type === 'BUSINESS' ? 'Acme Ltd' : 'Jane Doe', country: 'GB' },
        invoiceNumber: `INV-${currency}-${amount}`,
      },
    });
    expect([paid.status, paid.text]).toEqual([201, paid.text]);
  }
}

beforeAll(async () => {
  mkdirSync(screenshotFolder, { recursive: true });
  // The page's default range is today in Karachi: a run that would straddle midnight there (19:00Z) starts after it.
  const untilKarachiMidnightMs = 86_400_000 - ((Date.now() + karachiOffsetMs) % 86_400_000);
  if (untilKarachiMidnightMs < 90_000) await new Promise((resolve) => setTimeout(resolve, untilKarachiMidnightMs + 1_000));
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001', netDebitCap: '1000000.00' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', netDebitCap: '1000000.00' },
      { id: 'CAPPED', bankCode: 'CAPD', msisdn: '923000000003', netDebitCap: '1000.00' },
    ],
    { HISAAB_PAYEE_DEADLINE_MS: '700' },
  );
  regulatorKey = await issueRegulatorKey(network.sw);
  await generateTraffic();
  await generateInboundTraffic();
  ({ browser, close: closeBrowser } = await launchHeadlessBrowser());
  // One context and one tab for the whole file: the key lives in this tab's sessionStorage, as a regulator's would.
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
}, 240_000);

afterAll(async () => {
  await closeBrowser?.();
  await network?.close();
});

async function signIn(key: string): Promise<void> {
  await page.getByLabel('Regulator or operator key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Waits until every panel shows the filters asked for (the script marks the body once all four answered). */
async function waitForPanels(fromDate: string, toDate: string, participant = '', currency = 'PKR'): Promise<void> {
  await page.locator(`body[data-loaded="${fromDate}/${toDate}/${currency}/${participant}"]`).waitFor({ timeout: 20_000 });
}

async function figure(name: string): Promise<string> {
  return (await page.locator(`#totals dd[data-figure="${name}"]`).textContent()) ?? '';
}

/** A table's body as text cells, row by row. */
async function tableRows(id: string): Promise<string[][]> {
  // The callback runs in the browser; this project's TypeScript has no DOM types, so the cells are typed by hand.
  type Row = { children: ArrayLike<{ textContent: string | null }> };
  return page
    .locator(`#${id} tbody tr`)
    .evaluateAll((rows: Row[]) => rows.map((row) => Array.from(row.children).map((cell) => (cell.textContent ?? '').trim())));
}

/** Transfers created in the range, counted from the log alone with the decline table of core/. */
async function recount(fromMs: number, toMs: number): Promise<{ count: number; valueMinor: bigint; outcomes: number[] }> {
  const events: RecordedEvent[] = await network.sw.running.store.readAll(START_POSITION, 10_000);
  const inRange = new Set<string>();
  const result = { count: 0, valueMinor: 0n, outcomes: [0, 0, 0] };
  for (const event of events) {
    const data = event.data as Record<string, unknown>;
    if (event.type === 'TransferInitiated') {
      const createdMs = Date.parse(data['createdAt'] as string);
      if (createdMs < fromMs || createdMs >= toMs || data['currency'] !== 'PKR') continue;
      inRange.add(data['transferId'] as string);
      result.count += 1;
      result.valueMinor += BigInt(data['amountMinor'] as string);
    } else if (event.type === 'TransferCommitted' && inRange.has(data['transferId'] as string)) {
      result.outcomes[0]! += 1;
    } else if (event.type === 'TransferAborted' && inRange.has(data['transferId'] as string)) {
      result.outcomes[declineClassOf(data['reason'] as string) === 'BUSINESS' ? 1 : 2]! += 1;
    }
  }
  return result;
}

it('refuses a wrong key and a participant key with an error and shows nothing else', async () => {
  const response = await page.goto(`${network.sw.url}/regulator`);
  expect(response?.status()).toBe(200);
  const csp = response?.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("form-action 'none'");
  expect(csp).not.toContain('unsafe-inline');

  await signIn('not-a-key-the-switch-knows');
  await expect(page.getByRole('alert').first().textContent()).resolves.toContain('does not know this key');
  await expect(page.locator('#dashboard').isHidden()).resolves.toBe(true);

  await signIn(network.wallet('RAVI').key.key);
  await page.getByText("This is not a regulator's or the operator's key").waitFor();
  await expect(page.locator('#dashboard').isHidden()).resolves.toBe(true);
  await expect(page.locator('#totals dd').count()).resolves.toBe(0);
  await expect(page.evaluate('sessionStorage.length + localStorage.length')).resolves.toBe(0);
  expect(page.url()).toBe(`${network.sw.url}/regulator`);
  await page.screenshot({ path: join(screenshotFolder, 'regulator-dashboard-refused.png') });
});

it("signs in with the keyboard and shows today's figures as the API and the events give them", async () => {
  await page.goto(`${network.sw.url}/regulator`);
  await page.getByLabel('Regulator or operator key').focus();
  await page.keyboard.type(regulatorKey);
  await page.keyboard.press('Enter');
  const today = todayInKarachi();
  await waitForPanels(today, today);
  // The key is in this tab's sessionStorage only, never in the address or localStorage.
  expect(page.url()).toBe(`${network.sw.url}/regulator`);
  await expect(page.evaluate('localStorage.length')).resolves.toBe(0);
  await expect(page.evaluate("Object.values(sessionStorage).includes('" + regulatorKey + "')")).resolves.toBe(true);

  const api = async <Body>(path: string): Promise<Body> => (await network.sw.client.get(path, { key: regulatorKey })).body as Body;
  const series = await api<{ buckets: Bucket[]; totals: Side }>(`/v1/reports/timeseries?${dayRange(today)}&bucket=hour`);
  const fromMs = Date.parse(`${today}T00:00:00+05:00`);
  const counted = await recount(fromMs, fromMs + 86_400_000);
  expect(counted.count).toBe(6);
  expect(await figure('count')).toBe(String(series.totals.count));
  expect(await figure('count')).toBe(String(counted.count));
  expect(await figure('value')).toBe(series.totals.value);
  expect(await figure('value')).toBe(formatAmount(counted.valueMinor, 'PKR'));
  expect([await figure('approved'), await figure('businessDeclines'), await figure('technicalDeclines')]).toEqual(
    counted.outcomes.map(String),
  );
  expect(await figure('approvedPercent')).toBe(`${series.totals.approvedPercent}%`);
  // Chart.js came from the switch (node_modules, not a CDN) and drew all three charts.
  await expect(page.evaluate("typeof Chart === 'function' && Object.keys(Chart.instances).length")).resolves.toBe(3);

  // The hourly table: one row per hour of the Karachi day, its figures the API's.
  const volume = await tableRows('volume-table');
  expect(volume).toHaveLength(24);
  expect(volume.map((row) => row.slice(1))).toEqual(
    series.buckets.map((bucket) =>
      [bucket.count, bucket.value, bucket.approved, bucket.businessDeclines, bucket.technicalDeclines].map(String),
    ),
  );
  expect(volume[0]![0]).toBe(`${today} 00:00`);

  // Per participant: every cell the API's figure.
  const report = (await api<{ participants: ParticipantLine[] }>(`/v1/reports/participants?${dayRange(today)}`)).participants;
  const side = (line: Side) => [line.count, line.value, line.approved, line.businessDeclines, line.technicalDeclines, line.approvedPercent];
  const expectedRows = report.map((line) =>
    [
      line.participant,
      ...side(line.asPayer),
      ...side(line.asPayee),
      line.reversals.count,
      line.reversals.delivered,
      line.p50CompletionMs,
      line.p99CompletionMs,
      line.position,
      line.netDebitCap,
      line.capUtilisationPercent,
    ].map((value) => (value === null ? '' : String(value))),
  );
  expect(await tableRows('participants-table')).toEqual(expectedRows);
  const raviRow = (await tableRows('participants-table')).find((row) => row[0] === 'RAVI')!;
  // RAVI received the reversal of the timed-out transfer, and it was delivered.
  expect(raviRow.slice(13, 15)).toEqual(['1', '1']);
  await expect(page.locator('#participants-chart').getAttribute('aria-label')).resolves.toContain(
    'CAPPED 0 approved, 1 business, 0 technical',
  );

  // The README's picture (docs/images/regulator-dashboard.png is a copy): the filters, totals and the first chart.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(screenshotFolder, 'regulator-dashboard.png') });

  // The closed window, with its report; the dispute RAVI answered in time.
  const windows = await tableRows('windows-table');
  expect(windows.map((row) => row[0])).toContain(closedWindowId);
  await page.getByRole('button', { name: `Show the report of ${closedWindowId}` }).click();
  await page.locator('#window-report').waitFor({ state: 'visible' });
  const windowReport = await api<{ participants: { participant: string }[] }>(`/v1/settlement/windows/${closedWindowId}/report`);
  expect((await tableRows('window-report-table')).map((row) => row[0])).toEqual(windowReport.participants.map((line) => line.participant));
  expect(await tableRows('disputes-table')).toEqual([
    ['MARGALLA', '1', '0', '0', '0', '', ''],
    ['RAVI', '0', '1', '1', '0', '100.00', ''],
  ]);
  expect(violations).toEqual([]);
  await page.screenshot({ path: join(screenshotFolder, 'regulator-dashboard-full.png'), fullPage: true });
});

it('changes every panel with the date range and the participant', async () => {
  const today = todayInKarachi();
  const weekAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 7 * 86_400_000).toISOString().slice(0, 10);
  const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('From (Karachi date)').fill(weekAgo);
  await page.getByLabel('To (Karachi date, included)').fill(yesterday);
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await waitForPanels(weekAgo, yesterday);
  expect(await figure('count')).toBe('0');
  expect(await figure('value')).toBe('0.00');
  // Seven Karachi days, by day; no participant, window or dispute in a week that saw no traffic.
  const days = await tableRows('volume-table');
  expect(days.map((row) => row[0])).toEqual(
    [0, 1, 2, 3, 4, 5, 6].map((index) => new Date(Date.parse(`${weekAgo}T00:00:00Z`) + index * 86_400_000).toISOString().slice(0, 10)),
  );
  for (const table of ['participants-table', 'windows-table', 'disputes-table'])
    expect(await tableRows(table)).toEqual([['Nothing in this range.']]);

  await page.getByLabel('From (Karachi date)').fill(today);
  await page.getByLabel('To (Karachi date, included)').fill(today);
  await page.getByLabel('Participant', { exact: true }).selectOption('CAPPED');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await waitForPanels(today, today, 'CAPPED');
  expect([await figure('count'), await figure('value'), await figure('businessDeclines')]).toEqual(['1', '2000.00', '1']);
  expect((await tableRows('participants-table')).map((row) => row[0])).toEqual(['CAPPED']);
  expect(await tableRows('disputes-table')).toEqual([['Nothing in this range.']]);

  // A range the API would refuse is refused on the page, and the panels keep what they showed.
  await page.getByLabel('From (Karachi date)').fill('2026-01-01');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await page.getByText('Choose at most 31 days.').waitFor();
  expect(await figure('count')).toBe('1');
  await page.getByLabel('From (Karachi date)').fill(today);
  await page.getByLabel('Participant', { exact: true }).selectOption('');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await waitForPanels(today, today);
});

it('downloads the participants table and a window report as CSV through the page, with the key in a header', async () => {
  const today = todayInKarachi();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page
      .locator('section', { has: page.locator('#participants-table') })
      .getByRole('button', { name: 'Download this table as CSV' })
      .click(),
  ]);
  expect(download.suggestedFilename()).toBe(`participants-PKR-${today}-${today}.csv`);
  const rows = parse<Record<string, string>>(readFileSync(await download.path(), 'utf8'), { columns: true });
  const api = (
    await network.sw.client.get(`/v1/reports/participants?${dayRange(today)}`, { key: regulatorKey, headers: { accept: 'text/csv' } })
  ).text;
  expect(rows).toEqual(parse(api, { columns: true }));
  expect(rows.map((row) => row['participant'])).toEqual(['CAPPED', 'MARGALLA', 'RAVI']);
  expect(rows.find((row) => row['participant'] === 'MARGALLA')!['asPayer.technicalDeclines']).toBe('2');

  const [report] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: `Download the report of ${closedWindowId} as CSV` }).click(),
  ]);
  const reportCsv = readFileSync(await report.path(), 'utf8');
  expect(report.suggestedFilename()).toBe(`${closedWindowId}-report.csv`);
  expect(reportCsv).toBe(
    (await network.sw.client.get(`/v1/settlement/windows/${closedWindowId}/report?format=csv`, { key: regulatorKey })).text,
  );
  expect(parse(reportCsv, { columns: true, relax_column_count: true }).length).toBeGreaterThan(0);

  const [windows] = await Promise.all([
    page.waitForEvent('download'),
    page
      .locator('section', { has: page.locator('#windows-table') })
      .getByRole('button', { name: 'Download this table as CSV' })
      .click(),
  ]);
  const windowRows = parse<Record<string, string>>(readFileSync(await windows.path(), 'utf8'), { columns: true });
  expect(windowRows.map((row) => [row['id'], row['state']])).toEqual([
    ['PKR-000002', 'OPEN'],
    [closedWindowId, 'CLOSED'],
  ]);
});

it('shows in-bound receipts by purpose code and currency, B2B and B2C apart, as the API reports them, and the currency filter narrows them', async () => {
  const today = todayInKarachi();
  const report = async (query: string): Promise<{ groups: InwardRemittanceLine[]; totals: InwardRemittanceLine[] }> =>
    (await network.sw.client.get(`/v1/reports/inward-remittances?${dayRange(today)}&${query}`, { key: regulatorKey })).body as {
      groups: InwardRemittanceLine[];
      totals: InwardRemittanceLine[];
    };
  const byPurpose = await report('groupBy=purposeCode');
  // Five receipts: 9182 in EUR and USD, 9184 in GBP and USD.
  expect(byPurpose.groups.map((line) => `${line.group} ${line.currency} ${line.count}`)).toEqual([
    '9182 EUR 1',
    '9182 USD 1',
    '9184 GBP 1',
    '9184 USD 2',
  ]);
  expect(await tableRows('inbound-purpose-table')).toEqual(
    byPurpose.groups.map((line) => [
      line.group,
      purposeCodes.find((entry) => entry.code === line.group)?.title,
      line.currency,
      ...remittanceFigures(line),
    ]),
  );
  const byCurrency = await report('groupBy=currency');
  expect(await tableRows('inbound-currency-table')).toEqual(byCurrency.groups.map((line) => [line.currency, ...remittanceFigures(line)]));
  // The currency table is the report's per-currency totals, and the USD line adds up: 100.00 + 50.00 + 10.01.
  const byCurrencyName = (left: InwardRemittanceLine, right: InwardRemittanceLine): number => left.currency.localeCompare(right.currency);
  expect(byCurrency.groups.map(remittanceFigures)).toEqual([...byPurpose.totals].sort(byCurrencyName).map(remittanceFigures));
  expect((await tableRows('inbound-currency-table')).find((row) => row[0] === 'USD')).toEqual([
    'USD',
    '3',
    '160.01',
    '56.00',
    '104.01',
    '28961.58',
    '278.4500',
    // B2B: 100.00 and 10.01 (35.00 and 3.50 kept; 18,099.25 and 1,812.71 rupees); B2C: 50.00 (17.50 kept, 9,049.62).
    '2',
    '110.01',
    '38.50',
    '19911.96',
    '1',
    '50.00',
    '17.50',
    '9049.62',
  ]);
  const label = (await page.locator('#inbound-chart').getAttribute('aria-label')) ?? '';
  expect(label).toContain('9184 USD 2 (1 B2B worth 100.00, 1 B2C worth 50.00) worth 150.00 USD');
  expect(await page.locator('#inbound-caption').textContent()).toBe(label);
  await page.locator('#inbound-heading').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(screenshotFolder, 'regulator-dashboard-inbound.png') });

  // A foreign currency chosen narrows the panel to it; the CSV downloaded is the API's own for that filter.
  await page.getByLabel('Currency', { exact: true }).selectOption('USD');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await waitForPanels(today, today, '', 'USD');
  const usd = await report('groupBy=purposeCode&currency=USD');
  expect(usd.groups.map((line) => line.currency)).toEqual(['USD', 'USD']);
  expect((await tableRows('inbound-purpose-table')).map((row) => [row[0], row[2], ...row.slice(3)])).toEqual(
    usd.groups.map((line) => [line.group, line.currency, ...remittanceFigures(line)]),
  );
  expect((await tableRows('inbound-currency-table')).map((row) => row[0])).toEqual(['USD']);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download the purpose-code table as CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`inward-remittances-purposeCode-USD-${today}-${today}.csv`);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv).toBe(
    (
      await network.sw.client.get(`/v1/reports/inward-remittances?${dayRange(today)}&groupBy=purposeCode&currency=USD`, {
        key: regulatorKey,
        headers: { accept: 'text/csv' },
      })
    ).text,
  );
  const rows = parse<Record<string, string>>(csv, { columns: true });
  expect(rows.map((row) => [row['group'], row['currency'], row['b2bCount'], row['b2cCount']])).toEqual([
    ['9182', 'USD', '1', '0'],
    ['9184', 'USD', '1', '1'],
    ['ALL', 'USD', '2', '1'],
  ]);
  expect(violations).toEqual([]);
});
