import { randomUUID } from 'node:crypto';
import { PaymentNetwork, customerIban } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';

/**
 * Issue 9 defect 1, read-your-writes across channels: whatever the switch has answered a bank over ISO 8583 (a
 * 0210 approval, a 0430 to a reversal) is what the very next HTTP read shows. A bank host (the simulator, real
 * TCP) sends, and the moment its answer arrives an operator reads the transfer over real HTTP. The projections
 * catch up within milliseconds when the switch is idle, so each try first gives them a backlog, as traffic on
 * other channels does on a busy switch: a burst of events in a stream no read model keeps, appended straight to
 * the store, that the projections must pass before they reach the transfer's own.
 */

const INDUS = { id: 'INDUS', bankCode: 'INDB', institutionId: '600001' };
const MARGALLA = { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923001234567' };
const iterations = 20;
const backlogEvents = 10_000;

type Transfer = { id: string; state: string; reversed: boolean };

let network: PaymentNetwork;

beforeAll(async () => {
  network = await PaymentNetwork.start([INDUS], [MARGALLA]);
  await network.connectBank(INDUS.id);
});

afterAll(async () => {
  await network.close();
});

/** Events the projections must pass before anything appended after them shows in a read. */
async function backlog(): Promise<void> {
  const at = new Date().toISOString();
  const events = Array.from({ length: backlogEvents }, (_, index) => ({
    id: randomUUID(),
    type: 'TestBacklog',
    data: { index },
    metadata: { at, actor: 'test' },
  }));
  await network.sw.running.store.append(`test-backlog-${randomUUID()}`, events, 'no_stream');
}

async function transfer(id: string): Promise<Transfer> {
  const answer = await network.sw.client.get(`/v1/transfers/${id}`, { key: network.sw.operatorKey });
  expect(answer.status).toBe(200);
  return answer.body as Transfer;
}

it(`shows a transfer committed as soon as its 0210 approval reached the bank (${iterations} in a row)`, async () => {
  const indus = network.bank(INDUS.id).simulator;
  const wallet = network.wallet(MARGALLA.id).simulator;
  const running = network.sw.running;
  // The wallet takes a moment to credit, so that the backlog lands between the transfer's start and its commit.
  wallet.setMode({ mode: 'slow', delayMs: 50 }, ['CREDIT_REQUEST']);
  const seen: string[] = [];
  for (let attempt = 0; attempt < iterations; attempt += 1) {
    const creditsBefore = wallet.received('CREDIT_REQUEST').length;
    const sending = indus.sendTransfer({
      payerAccount: customerIban(INDUS.bankCode, 1),
      payee: MARGALLA.msisdn,
      amountMinor: 1_00n,
      timeoutMs: 5_000,
    });
    await waitUntil(() => wallet.received('CREDIT_REQUEST').length > creditsBefore, 'the wallet is asked to credit');
    // The read model shows the transfer in flight; its commit comes after the backlog.
    await running.dependencies.readModels.waitForPosition(await running.store.headPosition(), 5_000);
    await backlog();
    const result = await sending;
    expect(result.status).toBe('approved');
    if (result.status !== 'approved') return;
    const answer = await network.sw.client.get(`/v1/transfers/${result.transferId}`, { key: network.sw.operatorKey });
    seen.push(answer.status === 200 ? (answer.body as Transfer).state : `HTTP ${answer.status}`);
  }
  wallet.setMode({ mode: 'accept' });
  expect(seen).toEqual(Array.from({ length: iterations }, () => 'COMMITTED'));
});

it(`shows a transfer reversed as soon as its 0430 reached the bank (${iterations} in a row)`, async () => {
  const indus = network.bank(INDUS.id).simulator;
  const seen: boolean[] = [];
  for (let attempt = 0; attempt < iterations; attempt += 1) {
    const result = await indus.sendTransfer({
      payerAccount: customerIban(INDUS.bankCode, 1),
      payee: MARGALLA.msisdn,
      amountMinor: 2_00n,
      timeoutMs: 5_000,
    });
    expect(result.status).toBe('approved');
    if (result.status !== 'approved') return;
    await backlog();
    const reversal = await indus.sendReversal(result.request, { timeoutMs: 5_000, attemptsMax: 1 });
    expect(reversal.responseCode).toBe('00');
    seen.push((await transfer(result.transferId)).reversed);
  }
  expect(seen).toEqual(Array.from({ length: iterations }, () => true));
});

it(`shows a transfer reversed by the time the payee is sent its reversal (${iterations} in a row)`, async () => {
  // The payee is told of the reversal store-and-forward; a payee that reads the transfer back on receipt must see it.
  const indus = network.bank(INDUS.id).simulator;
  const wallet = network.wallet(MARGALLA.id).simulator;
  const reader = network.sw.running.transfers.reader;
  const seen: (boolean | null)[] = [];
  for (let attempt = 0; attempt < iterations; attempt += 1) {
    const result = await indus.sendTransfer({
      payerAccount: customerIban(INDUS.bankCode, 1),
      payee: MARGALLA.msisdn,
      amountMinor: 3_00n,
      timeoutMs: 5_000,
    });
    expect(result.status).toBe('approved');
    if (result.status !== 'approved') return;
    await backlog();
    const reversing = indus.sendReversal(result.request, { timeoutMs: 5_000, attemptsMax: 1 });
    const received = (): boolean => wallet.received('REVERSAL').some((message) => message.transferId === result.transferId);
    // Looked at on every turn of the event loop, so the read is the one a payee would make on receipt.
    for (let turns = 0; !received() && turns < 1_000_000; turns += 1) await new Promise((resolve) => setImmediate(resolve));
    seen.push(reader.findTransfer(result.transferId)?.reversed ?? null);
    expect((await reversing).responseCode).toBe('00');
  }
  expect(seen).toEqual(Array.from({ length: iterations }, () => true));
});
