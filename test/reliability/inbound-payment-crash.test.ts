import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { defaultEventStoreFileName } from '../../adapters/eventstore-factory';
import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import { legTransferId } from '../../core/fx/inbound-payment-service';
import type { LedgerEvent } from '../../core/ledger/events';
import { ledgerFacts } from '../../core/ledger/ledger-record';
import { webhookEventId } from '../../core/webhooks/webhook-event';
import { errorCode, HttpClient } from '../support/http-client';
import { inboundPaymentBody, setUpInboundPayments, type InboundParties } from '../support/inbound-payments';
import { spawnSwitch, startTestSwitch, testOperatorKey, type SwitchChild } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * Issue 17: an in-bound payment is recorded once its legs are reserved, and posted after. The switch as
 * `npm run serve` runs it is SIGKILLed in between (test/reliability/children/switch-kill-point.ts) with the PSP's
 * request open; restarted, it finishes the payment before it serves, with no retry from the PSP: COMPLETED, its
 * merchant told once, the ledgers verified, and a retry answered with the same payment. Restarted after the
 * reservations ran out (the clock 6 minutes on), the payment is FAILED instead and nothing stays moved.
 */
const repositoryRoot = join(__dirname, '..', '..');
const killPointEntry = join('test', 'reliability', 'children', 'switch-kill-point.ts');

let directory: ReturnType<typeof tempDir>;
let receiver: WebhookReceiver;
let running: SwitchChild | null = null;

beforeEach(async () => {
  directory = tempDir('hisaab-inbound-crash-');
  receiver = new WebhookReceiver();
  await receiver.start();
});

afterEach(async () => {
  await running?.stop('SIGKILL');
  running = null;
  await receiver.close();
  directory.remove();
});

const environment = (): Record<string, string> => ({
  HISAAB_DATA_DIR: directory.path,
  HISAAB_OPERATOR_KEY: testOperatorKey,
  HISAAB_PORT: '0',
});

/** Sets up the parties, sends one payment, and checks that the switch died at its kill point without answering. */
async function payIntoKillPoint(killPoint: string): Promise<{ parties: InboundParties; paymentId: string }> {
  running = await spawnSwitch({ ...environment(), HISAAB_TEST_KILL_POINT: killPoint }, 20_000, killPointEntry);
  const parties = await setUpInboundPayments(new HttpClient(running.url), testOperatorKey, receiver.url);
  const paymentId = randomUUID();
  const answered = await fetch(`${running.url}/v1/inbound/payments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${parties.pspKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(inboundPaymentBody(paymentId)),
    signal: AbortSignal.timeout(10_000),
  }).then(
    (response) => response.status,
    () => 0,
  );
  expect(answered).toBe(0);
  const child = running.child;
  await waitUntil(() => child.exitCode !== null || child.signalCode !== null, 'the switch dying at its kill point', 10_000);
  await running.stop('SIGKILL');
  running = null;
  return { parties, paymentId };
}

function verify(dataDir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      join(repositoryRoot, 'node_modules', '.bin', 'tsx'),
      ['scripts/verify.ts', '--data-dir', dataDir],
      { cwd: repositoryRoot, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` });
      },
    );
  });
}

const completedEvents = (paymentId: string) =>
  receiver.received
    .map((request) => JSON.parse(request.rawBody.toString('utf8')) as { id: string; type: string; data: { object: { id: string } } })
    .filter((event) => event.type === 'inbound_payment.completed' && event.data.object.id === paymentId);

type InboundBalance = {
  received: { count: number; amount: string; retained: string; converted: string };
  conversions: { count: number; amount: string };
  credited: string;
};

/** The merchant's in-bound balance in dollars and rupees (issue 17, item 4), once its projection shows `count` payments. */
async function inboundBalance(
  client: HttpClient,
  merchantKey: string,
  count: number,
): Promise<{ USD: InboundBalance; PKR: InboundBalance }> {
  const read = async (currency: string): Promise<InboundBalance> => {
    const answer = await client.get(`/v1/merchants/KARACHI_SOFT/balance?currency=${currency}`, { key: merchantKey });
    return (answer.body as { inbound: InboundBalance }).inbound;
  };
  // The projection may trail the sweep that marked the payment posted by a moment.
  await waitUntil(async () => (await read('PKR')).conversions.count === count, `a balance of ${count} in-bound payments`, 10_000);
  return { USD: await read('USD'), PKR: await read('PKR') };
}

async function positionOf(client: HttpClient, participantId: string, currency: string): Promise<Record<string, string>> {
  const read = await client.get(`/v1/participants/${participantId}`, { key: testOperatorKey });
  const line = (read.body as { currencies: Record<string, string>[] }).currencies.find((entry) => entry['currency'] === currency);
  if (line === undefined) throw new Error(`${participantId} holds no ${currency}`);
  return line;
}

describe.each([
  ['after:InboundPaymentCompleted', 'killed just after the payment was recorded, before any leg was posted'],
  ['before:InboundPaymentPosted', 'killed after the legs posted and the webhook was queued, before the payment was marked posted'],
])('an in-bound payment across a SIGKILL (%s)', (killPoint, name) => {
  it(`${name}: the restarted switch completes it without a retry, tells the merchant once, and a retry gets the same payment`, async () => {
    const { parties, paymentId } = await payIntoKillPoint(killPoint);

    running = await spawnSwitch(environment());
    const client = new HttpClient(running.url);
    // The start-up sweep ran before the switch listened: no retry, no wait.
    const read = await client.get(`/v1/inbound/payments/${paymentId}`, { key: testOperatorKey });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ status: 'COMPLETED', failureReason: null, amount: '100.00', retained: { amount: '35.00' } });
    expect(read.body).toMatchObject({ converted: { fromAmount: '65.00', toAmount: '18099.25', rate: '278.4500', provider: 'ALLIED' } });
    // A position is what the participant owes: the acquirer is owed the retained dollars and the rupees, the dealer owes them.
    expect(await positionOf(client, 'MARGALLA', 'USD')).toMatchObject({ position: '-35.00', reserved: '0.00' });
    expect(await positionOf(client, 'MARGALLA', 'PKR')).toMatchObject({ position: '-18099.25', reserved: '0.00' });
    expect(await positionOf(client, 'ALLIED', 'PKR')).toMatchObject({ position: '18099.25', reserved: '0.00' });
    // The merchant's balance counts it once, in both currencies.
    expect(await inboundBalance(client, parties.merchantKey, 1)).toEqual({
      USD: {
        received: { count: 1, amount: '100.00', retained: '35.00', converted: '65.00' },
        conversions: { count: 0, amount: '0.00' },
        credited: '35.00',
      },
      PKR: {
        received: { count: 0, amount: '0.00', retained: '0.00', converted: '0.00' },
        conversions: { count: 1, amount: '18099.25' },
        credited: '18099.25',
      },
    });

    const retried = await client.post('/v1/inbound/payments', { key: parties.pspKey, body: inboundPaymentBody(paymentId) });
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(read.body);
    expect(await positionOf(client, 'MARGALLA', 'PKR')).toMatchObject({ position: '-18099.25' });

    await waitUntil(() => completedEvents(paymentId).length > 0, 'the completed webhook after the restart', 15_000);
    // Long enough for a second publication to have been delivered, had there been one.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const events = completedEvents(paymentId);
    expect(events).toHaveLength(1);
    expect(events[0]?.id).toBe(webhookEventId('KARACHI_SOFT', 'inbound_payment.completed', paymentId));
    expect(events[0]?.data.object).toEqual(read.body);

    await running.stop('SIGTERM');
    running = null;
    const verified = await verify(directory.path);
    expect(verified.output).not.toMatch(/FAIL|violat/i);
    expect(verified.code).toBe(0);
  }, 90_000);
});

/**
 * The payment is FAILED because its reservations expired, every position it touched is back to nothing, a retry is
 * told why, and the merchant gets no certificate: no proceeds.
 */
async function expectFailedAndUnwound(client: HttpClient, parties: InboundParties, paymentId: string): Promise<void> {
  const read = await client.get(`/v1/inbound/payments/${paymentId}`, { key: testOperatorKey });
  expect(read.body).toMatchObject({ status: 'FAILED', failureReason: 'RESERVATION_EXPIRED' });
  for (const [participantId, currency] of [
    ['MARGALLA', 'USD'],
    ['MARGALLA', 'PKR'],
    ['ALLIED', 'PKR'],
    ['ALLIED', 'USD'],
    ['REMITLY', 'USD'],
  ] as const) {
    expect(await positionOf(client, participantId, currency)).toMatchObject({ position: '0.00', reserved: '0.00' });
  }
  const retried = await client.post('/v1/inbound/payments', { key: parties.pspKey, body: inboundPaymentBody(paymentId) });
  expect(retried.status).toBe(422);
  expect(errorCode(retried)).toBe('INBOUND_PAYMENT_FAILED');
  const certificate = await client.get(`/v1/inbound/payments/${paymentId}/certificate`, { key: parties.merchantKey });
  expect(certificate.status).toBe(409);
  expect(errorCode(certificate)).toBe('INBOUND_PAYMENT_NOT_COMPLETED');
}

it('restarted after the reservations ran out, the switch fails the recorded payment: nothing stays moved, a retry is told why', async () => {
  const { parties, paymentId } = await payIntoKillPoint('after:InboundPaymentCompleted');

  // The same data dir, served in-process with the clock six minutes on: past the five-minute reservation timeout.
  const later = new Date(Date.now() + 6 * 60 * 1000);
  const restarted = await startTestSwitch({ dataDir: directory.path, now: () => later });
  try {
    await expectFailedAndUnwound(restarted.client, parties, paymentId);
    // The regulator's report counts no failed payment.
    const day = 24 * 60 * 60 * 1000;
    const range = `from=${new Date(later.getTime() - day).toISOString()}&to=${new Date(later.getTime() + day).toISOString()}`;
    const report = await restarted.client.get(`/v1/reports/inward-remittances?${range}&groupBy=currency`, { key: testOperatorKey });
    expect(report.body).toMatchObject({ groups: [], totals: [] });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(completedEvents(paymentId)).toEqual([]);
    // The merchant's balance leaves the failed payment out: nothing now, and after another payment completes, that one only.
    expect(await inboundBalance(restarted.client, parties.merchantKey, 0)).toMatchObject({
      USD: { received: { count: 0, amount: '0.00' }, credited: '0.00' },
      PKR: { conversions: { count: 0, amount: '0.00' }, credited: '0.00' },
    });
    const next = await restarted.client.post('/v1/inbound/payments', { key: parties.pspKey, body: inboundPaymentBody(randomUUID()) });
    expect(next.status).toBe(201);
    const balances = await inboundBalance(restarted.client, parties.merchantKey, 1);
    expect(balances.USD.received).toEqual({ count: 1, amount: '100.00', retained: '35.00', converted: '65.00' });
    expect(balances.PKR.conversions).toEqual({ count: 1, amount: '18099.25' });
  } finally {
    await restarted.close();
  }
  const verified = await verify(directory.path);
  expect(verified.code).toBe(0);
}, 90_000);

/** Every ledger fact of one currency's ledger stream, read from the store's file with the switch stopped. */
async function ledgerFactsOf(dataDir: string, currency: string): Promise<LedgerEvent[]> {
  const store = new SqliteEventStore(join(dataDir, defaultEventStoreFileName));
  try {
    const records = await store.readStream(`ledger-${currency}`, 0n, 10_000);
    return records.flatMap((record) => ledgerFacts(record));
  } finally {
    await store.close();
  }
}

/**
 * What a leg of the payment moved in the end, in minor units from its payer to its payee: what its reservation
 * posted, less what a REVERSAL moved back. Also says which of those happened, so the test sees the path taken.
 */
function legOutcome(
  facts: readonly LedgerEvent[],
  pendingId: string,
): { reserved: boolean; posted: bigint; reversed: bigint; expired: boolean } {
  let reserved = false;
  let posted = 0n;
  let reversed = 0n;
  let expired = false;
  for (const fact of facts) {
    if (fact.type === 'LedgerTransferReserved' && fact.data.transferId === pendingId) reserved = true;
    if (fact.type === 'LedgerPendingPosted' && fact.data.pendingId === pendingId) posted += BigInt(fact.data.amountMinor);
    if (fact.type === 'LedgerPendingExpired' && fact.data.pendingId === pendingId) expired = true;
    if (fact.type === 'LedgerTransferPosted' && fact.data.transferId === `${pendingId}:reversal`) {
      expect(fact.data.code).toBe('REVERSAL');
      reversed += BigInt(fact.data.amountMinor);
    }
  }
  return { reserved, posted, reversed, expired };
}

it('killed after the dollar legs posted, restarted after the rupee reservation ran out: the dollar legs are moved back, nothing stays posted, a retry is 422', async () => {
  // The one point between the two ledgers' posts: the dollar ledger's post is durable, the rupee ledger's never happens.
  const { parties, paymentId } = await payIntoKillPoint('after:LedgerPendingPosted@ledger-USD');
  const usdBefore = await ledgerFactsOf(directory.path, 'USD');
  for (const role of ['retained', 'foreign'] as const) {
    expect(legOutcome(usdBefore, legTransferId(paymentId, role))).toMatchObject({
      reserved: true,
      posted: role === 'retained' ? 3500n : 6500n,
    });
  }
  expect(legOutcome(await ledgerFactsOf(directory.path, 'PKR'), legTransferId(paymentId, 'rupees'))).toEqual({
    reserved: true,
    posted: 0n,
    reversed: 0n,
    expired: false,
  });

  // Restarted with the clock six minutes on: the rupees' five-minute reservation has lapsed, the dollars are posted.
  const later = new Date(Date.now() + 6 * 60 * 1000);
  const restarted = await startTestSwitch({ dataDir: directory.path, now: () => later });
  try {
    await expectFailedAndUnwound(restarted.client, parties, paymentId);
    expect(await inboundBalance(restarted.client, parties.merchantKey, 0)).toMatchObject({
      USD: { received: { count: 0, amount: '0.00' }, credited: '0.00' },
      PKR: { conversions: { count: 0, amount: '0.00' }, credited: '0.00' },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(completedEvents(paymentId)).toEqual([]);
  } finally {
    await restarted.close();
  }

  // The store itself: each dollar leg posted once and was moved back once by a REVERSAL of the same amount; the
  // rupee leg expired without ever posting. Every leg nets to nothing.
  const usd = await ledgerFactsOf(directory.path, 'USD');
  expect(legOutcome(usd, legTransferId(paymentId, 'retained'))).toEqual({ reserved: true, posted: 3500n, reversed: 3500n, expired: false });
  expect(legOutcome(usd, legTransferId(paymentId, 'foreign'))).toEqual({ reserved: true, posted: 6500n, reversed: 6500n, expired: false });
  expect(legOutcome(await ledgerFactsOf(directory.path, 'PKR'), legTransferId(paymentId, 'rupees'))).toEqual({
    reserved: true,
    posted: 0n,
    reversed: 0n,
    expired: true,
  });
  const verified = await verify(directory.path);
  expect(verified.output).not.toMatch(/FAIL|violat/i);
  expect(verified.code).toBe(0);
}, 90_000);
