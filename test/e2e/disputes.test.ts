import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import { errorCode, HttpClient, type HttpAnswer } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';
import { issueRegulatorKey } from '../support/switch-process';
import { waitUntil } from '../support/wait-until';

type Dispute = {
  id: string;
  transferId: string;
  category: string;
  amount: string;
  currency: string;
  state: string;
  outcome: string | null;
  claimant: string;
  respondent: string;
  merchantId: string | null;
  respondBy: string | null;
  deadlineMissed: boolean;
  createdAt: string;
  resolvedAt: string | null;
  chargebackTransferId: string | null;
  timeline: { at: string; type: string; actor: string; note: string | null }[];
};
type Participant = { id: string; position: string };

/** The switch's clock runs this far ahead of the wall clock: tests move it past deadlines and claim windows. */
let clockOffsetMs = 0;
const now = (): Date => new Date(Date.now() + clockOffsetMs);

let network: PaymentNetwork;
let client: HttpClient;
let regulatorKey: string;

beforeAll(async () => {
  network = await PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001', netDebitCap: '1000000.00' },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', netDebitCap: '1000000.00' },
      { id: 'CHENAB', bankCode: 'CHNB', msisdn: '923000000003', netDebitCap: '1000000.00' },
    ],
    { HISAAB_PAYEE_DEADLINE_MS: '700', HISAAB_ODR_CAP: '5000.00', HISAAB_ODR_RESPOND_WITHIN: 'PT30S', HISAAB_ODR_CLAIM_DAYS: '120' },
    now,
  );
  client = network.sw.client;
  regulatorKey = await issueRegulatorKey(network.sw);
});

afterAll(async () => {
  await network.close();
});

afterEach(() => {
  for (const wallet of network.wallets) wallet.simulator.setMode({ mode: 'accept' });
});

const keyOf = (participantId: string): string => network.wallet(participantId).key.key;

async function pay(payerId: string, payeeMsisdn: string, amount: string): Promise<{ id: string; state: string }> {
  const answer = await client.post('/v1/transfers', {
    key: keyOf(payerId),
    body: {
      id: randomUUID(),
      payer: { type: 'WALLET', value: `W${payerId}0001`, name: `Customer ${payerId}` },
      payee: { type: 'MSISDN', value: payeeMsisdn },
      amount,
      currency: 'PKR',
      purpose: 'P2P',
    },
  });
  expect([201, 200]).toContain(answer.status);
  return answer.body as { id: string; state: string };
}

function openDispute(payerId: string, body: Record<string, unknown>, idempotencyKey: string | null = randomUUID()): Promise<HttpAnswer> {
  return client.post('/v1/disputes', {
    key: keyOf(payerId),
    body: { description: 'the customer says so', ...body },
    headers: idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey },
  });
}

function moved(before: string | undefined, after: string): string {
  return new Decimal(after).minus(before ?? '0').toFixed(2);
}

async function position(participantId: string): Promise<string> {
  return ((await client.get(`/v1/participants/${participantId}`, { key: network.sw.operatorKey })).body as Participant).position;
}

describe('opening a dispute', () => {
  it('refuses without an Idempotency-Key, on a transfer the caller did not pay, above the amount, above the cap, and a second open one', async () => {
    const transfer = await pay('MARGALLA', '923000000002', '100.00');
    expect(transfer.state).toBe('COMMITTED');
    const claim = { transferId: transfer.id, category: 'GOODS_NOT_RECEIVED', amount: '100.00' };

    expect(errorCode(await openDispute('MARGALLA', claim, null))).toBe('IDEMPOTENCY_KEY_REQUIRED');
    const foreign = await openDispute('CHENAB', claim);
    expect([foreign.status, errorCode(foreign)]).toEqual([404, 'TRANSFER_NOT_FOUND']);
    const tooMuch = await openDispute('MARGALLA', { ...claim, amount: '100.01' });
    expect([tooMuch.status, errorCode(tooMuch)]).toEqual([422, 'AMOUNT_EXCEEDS_TRANSFER']);
    const big = await pay('MARGALLA', '923000000002', '6000.00');
    const aboveCap = await openDispute('MARGALLA', { ...claim, transferId: big.id, amount: '5000.01' });
    expect([aboveCap.status, errorCode(aboveCap)]).toEqual([422, 'ABOVE_ODR_CAP']);

    const key = randomUUID();
    const opened = await openDispute('MARGALLA', claim, key);
    expect(opened.status).toBe(201);
    const dispute = opened.body as Dispute;
    expect(dispute).toMatchObject({
      transferId: transfer.id,
      category: 'GOODS_NOT_RECEIVED',
      amount: '100.00',
      currency: 'PKR',
      state: 'OPEN',
      outcome: null,
      claimant: 'MARGALLA',
      respondent: 'RAVI',
      merchantId: null,
      deadlineMissed: false,
      resolvedAt: null,
      chargebackTransferId: null,
    });
    expect(dispute.id).toMatch(/^dp_[0-9a-f]{24}$/);
    expect(Date.parse(dispute.respondBy ?? '') - Date.parse(dispute.createdAt)).toBe(30_000);
    // The same key and body: the same answer; another key on the same transfer and category: 409.
    const replay = await openDispute('MARGALLA', claim, key);
    expect((replay.body as Dispute).id).toBe(dispute.id);
    const again = await openDispute('MARGALLA', claim);
    expect([again.status, errorCode(again)]).toEqual([409, 'DISPUTE_EXISTS']);
    // Another category is another claim.
    expect((await openDispute('MARGALLA', { ...claim, category: 'NOT_AS_DESCRIBED', amount: '10.00' })).status).toBe(201);
  });

  it('resolves DEBITED_NOT_CREDITED on an aborted transfer at once, citing the ledger, with no money moved', async () => {
    network.wallet('RAVI').simulator.setMode({ mode: 'reject', reason: 'account closed' });
    const transfer = await pay('MARGALLA', '923000000002', '250.00');
    expect(transfer.state).toBe('ABORTED');
    const before = [await position('MARGALLA'), await position('RAVI')];
    const answer = await openDispute('MARGALLA', { transferId: transfer.id, category: 'DEBITED_NOT_CREDITED', amount: '250.00' });
    expect(answer.status).toBe(201);
    const dispute = answer.body as Dispute;
    expect(dispute).toMatchObject({
      state: 'RESOLVED',
      outcome: 'CLAIMANT',
      respondBy: null,
      chargebackTransferId: null,
      deadlineMissed: false,
    });
    expect(dispute.timeline[0]?.note).toContain(':void');
    expect(dispute.timeline[0]?.note).toContain('MARGALLA must re-credit its customer');
    expect([await position('MARGALLA'), await position('RAVI')]).toEqual(before);
  });

  it('resolves DUPLICATE from the log with a chargeback and a credit to the claimant naming the dispute', async () => {
    const original = await pay('MARGALLA', '923000000003', '75.00');
    const duplicate = await pay('MARGALLA', '923000000003', '75.00');
    const before = [await position('MARGALLA'), await position('CHENAB')];
    const answer = await openDispute('MARGALLA', { transferId: duplicate.id, category: 'DUPLICATE', amount: '75.00' });
    const dispute = answer.body as Dispute;
    expect(dispute).toMatchObject({ state: 'RESOLVED', outcome: 'CLAIMANT', chargebackTransferId: `chargeback-${dispute.id}` });
    expect(dispute.timeline[0]?.note).toContain(original.id);
    expect(dispute.timeline.map((entry) => entry.type)).toEqual(['OPENED', 'RESOLVED', 'CHARGEBACK_POSTED']);
    // A position is a net obligation: the claimant's falls by the chargeback, the respondent's rises.
    expect(moved(before[0], await position('MARGALLA'))).toBe('-75.00');
    expect(moved(before[1], await position('CHENAB'))).toBe('75.00');
    const credits = () => network.wallet('MARGALLA').simulator.received('CREDIT_ADVICE');
    await waitUntil(
      () => credits().some((message) => message.transferId === dispute.chargebackTransferId),
      'the claimant is credited',
      10_000,
    );
    const credit = credits().find((message) => message.transferId === dispute.chargebackTransferId);
    expect(credit?.body).toMatchObject({
      disputeId: dispute.id,
      amount: '75.00',
      payee: { type: 'WALLET', value: 'WMARGALLA0001' },
      payer: { participant: 'CHENAB' },
    });
  });
});
