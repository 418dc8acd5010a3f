import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import Decimal from 'decimal.js';
import { join } from 'node:path';
import { disputesProjection } from '../../adapters/readmodel-sqlite/projections/disputes-projection';
import { readModelPath, SqliteReadModelStore } from '../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { ProjectionRunner } from '../../core/eventstore/projection-runner';
import { tempDir } from '../support/temp-dir';
import { onboardMerchant, sessionBody } from '../support/gateway';
import { WebhookReceiver } from '../support/webhook-receiver';
import { errorCode, HttpClient, type HttpAnswer } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';
import { issueRegulatorKey } from '../support/switch-process';
import { waitUntil } from '../support/wait-until';
import { sealedLogOf } from '../../core/personal-data/personal-data-event-store';

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
    // The original has nothing like it before it: a DUPLICATE claim on it goes to the respondent.
    const onOriginal = await openDispute('MARGALLA', { transferId: original.id, category: 'DUPLICATE', amount: '75.00' });
    expect(onOriginal.body).toMatchObject({ state: 'OPEN', outcome: null });
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

async function openOn(amount: string, category = 'GOODS_NOT_RECEIVED', payee = '923000000002'): Promise<Dispute> {
  const transfer = await pay('MARGALLA', payee, amount);
  const answer = await openDispute('MARGALLA', { transferId: transfer.id, category, amount });
  expect(answer.status).toBe(201);
  return answer.body as Dispute;
}

function respond(participantId: string, disputeId: string, action: string, note = 'our answer'): Promise<HttpAnswer> {
  return client.post(`/v1/disputes/${disputeId}/respond`, { key: keyOf(participantId), body: { action, note } });
}

describe('answering, deciding and withdrawing', () => {
  it('ACCEPT resolves for the claimant with a chargeback; a repeated answer is 409 naming RESOLVED', async () => {
    const dispute = await openOn('40.00');
    const accepted = await respond('RAVI', dispute.id, 'ACCEPT');
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ state: 'RESOLVED', outcome: 'CLAIMANT', chargebackTransferId: `chargeback-${dispute.id}` });
    const again = await respond('RAVI', dispute.id, 'ACCEPT');
    expect([again.status, errorCode(again)]).toEqual([409, 'DISPUTE_STATE']);
    expect((again.body as { error: { message: string } }).error.message).toContain('RESOLVED');
  });

  it('CONTEST waits for the operator, who decides; only in RESPONDED', async () => {
    const dispute = await openOn('41.00');
    const early = await client.post(`/v1/disputes/${dispute.id}/decision`, {
      key: network.sw.operatorKey,
      body: { outcome: 'CLAIMANT', note: 'too early' },
    });
    expect([early.status, errorCode(early)]).toEqual([409, 'DISPUTE_STATE']);
    expect((await respond('RAVI', dispute.id, 'CONTEST', 'delivered on Monday')).body).toMatchObject({ state: 'RESPONDED' });
    const decided = await client.post(`/v1/disputes/${dispute.id}/decision`, {
      key: network.sw.operatorKey,
      body: { outcome: 'RESPONDENT', note: 'the courier receipt is signed' },
    });
    expect(decided.body).toMatchObject({ state: 'RESOLVED', outcome: 'RESPONDENT', chargebackTransferId: null });
    expect((decided.body as Dispute).timeline.map((entry) => entry.type)).toEqual(['OPENED', 'CONTEST', 'RESOLVED']);
  });

  it('CREDIT_CONFIRMED resolves DEBITED_NOT_CREDITED on a committed transfer for the respondent; elsewhere it is refused', async () => {
    const dispute = await openOn('42.00', 'DEBITED_NOT_CREDITED');
    expect(Date.parse(dispute.respondBy ?? '')).toBeGreaterThan(Date.parse(dispute.createdAt));
    const other = await openOn('43.00');
    expect(errorCode(await respond('RAVI', other.id, 'CREDIT_CONFIRMED'))).toBe('DISPUTE_ACTION_NOT_APPLICABLE');
    expect((await respond('RAVI', dispute.id, 'CREDIT_CONFIRMED')).body).toMatchObject({ state: 'RESOLVED', outcome: 'RESPONDENT' });
  });

  it('the claimant withdraws before resolution; a party not in the dispute gets 404 everywhere', async () => {
    const dispute = await openOn('44.00');
    for (const answer of [
      await client.get(`/v1/disputes/${dispute.id}`, { key: keyOf('CHENAB') }),
      await respond('CHENAB', dispute.id, 'ACCEPT'),
      await respond('MARGALLA', dispute.id, 'ACCEPT'),
      await client.post(`/v1/disputes/${dispute.id}/withdraw`, { key: keyOf('CHENAB'), body: {} }),
      await client.post(`/v1/disputes/${dispute.id}/withdraw`, { key: keyOf('RAVI'), body: {} }),
    ]) {
      expect([answer.status, errorCode(answer)]).toEqual([404, 'DISPUTE_NOT_FOUND']);
    }
    const withdrawn = await client.post(`/v1/disputes/${dispute.id}/withdraw`, { key: keyOf('MARGALLA'), body: { note: 'found it' } });
    expect(withdrawn.body).toMatchObject({ state: 'RESOLVED', outcome: 'WITHDRAWN' });
    expect(errorCode(await client.post(`/v1/disputes/${dispute.id}/withdraw`, { key: keyOf('MARGALLA'), body: {} }))).toBe('DISPUTE_STATE');
  });

  it('concurrent answers and decisions: exactly one wins, the chargeback is posted once', async () => {
    const dispute = await openOn('45.00');
    const before = await position('MARGALLA');
    const answers = await Promise.all([
      respond('RAVI', dispute.id, 'ACCEPT'),
      respond('RAVI', dispute.id, 'CONTEST'),
      respond('RAVI', dispute.id, 'ACCEPT'),
      respond('RAVI', dispute.id, 'CONTEST'),
    ]);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => errorCode(answer) === 'DISPUTE_STATE')).toHaveLength(3);
    const winner = answers.find((answer) => answer.status === 200)?.body as Dispute;
    if (winner.state === 'RESPONDED') {
      const decisions = await Promise.all(
        ['CLAIMANT', 'RESPONDENT', 'CLAIMANT'].map((outcome) =>
          client.post(`/v1/disputes/${dispute.id}/decision`, { key: network.sw.operatorKey, body: { outcome, note: 'decided' } }),
        ),
      );
      expect(decisions.filter((answer) => answer.status === 200)).toHaveLength(1);
    }
    const final = (await client.get(`/v1/disputes/${dispute.id}`, { key: network.sw.operatorKey })).body as Dispute;
    expect(final.timeline.filter((entry) => entry.type === 'CHARGEBACK_POSTED')).toHaveLength(final.outcome === 'CLAIMANT' ? 1 : 0);
    expect(moved(before, await position('MARGALLA'))).toBe(final.outcome === 'CLAIMANT' ? '-45.00' : '0.00');
  });
});

describe('the missed deadline', () => {
  it('refuses an answer after respondBy and resolves the dispute for the claimant within a sweep, deadlineMissed', async () => {
    const dispute = await openOn('46.00');
    clockOffsetMs += 31_000;
    const late = await respond('RAVI', dispute.id, 'CONTEST');
    expect([late.status, errorCode(late)]).toEqual([409, 'DISPUTE_STATE']);
    // Overdue at once, whether or not the sweeper has resolved it yet.
    const overdueAtOnce = (await client.get('/v1/disputes?overdue=true', { key: network.sw.operatorKey })).body as {
      disputes: Dispute[];
    };
    expect(overdueAtOnce.disputes.map((listed) => listed.id)).toContain(dispute.id);
    // The switch's own sweeper (every 5 s) resolves it: no sweep is called here.
    const read = async (): Promise<Dispute> => (await client.get(`/v1/disputes/${dispute.id}`, { key: keyOf('MARGALLA') })).body as Dispute;
    await waitUntil(async () => (await read()).state === 'RESOLVED', 'the sweeper resolves the missed deadline', 15_000);
    const resolved = await read();
    expect(resolved).toMatchObject({
      state: 'RESOLVED',
      outcome: 'CLAIMANT',
      deadlineMissed: true,
      chargebackTransferId: `chargeback-${dispute.id}`,
    });
    const overdue = (await client.get('/v1/disputes?overdue=true', { key: network.sw.operatorKey })).body as { disputes: Dispute[] };
    expect(overdue.disputes.map((listed) => listed.id)).toContain(dispute.id);
    expect(overdue.disputes.every((listed) => listed.deadlineMissed)).toBe(true);
  });
});

describe('records, roles and statistics', () => {
  it('every role on every endpoint', async () => {
    const dispute = await openOn('47.00');
    const read = (key: string) => client.get(`/v1/disputes/${dispute.id}`, { key });
    expect((await read(network.sw.operatorKey)).status).toBe(200);
    expect((await read(regulatorKey)).status).toBe(200);
    expect((await read(keyOf('MARGALLA'))).status).toBe(200);
    expect((await read(keyOf('RAVI'))).status).toBe(200);
    expect((await read(keyOf('CHENAB'))).status).toBe(404);
    expect((await client.get(`/v1/disputes/${dispute.id}`)).status).toBe(401);
    // Opening is the payer participant's; the operator and the regulator cannot.
    for (const key of [network.sw.operatorKey, regulatorKey]) {
      const answer = await client.post('/v1/disputes', { key, body: {}, headers: { 'idempotency-key': randomUUID() } });
      expect(answer.status).toBe(403);
    }
    // Answering is the respondent's (or its merchant's); deciding the operator's; the regulator only reads.
    expect(
      (await client.post(`/v1/disputes/${dispute.id}/respond`, { key: regulatorKey, body: { action: 'ACCEPT', note: 'x' } })).status,
    ).toBe(403);
    expect(
      (await client.post(`/v1/disputes/${dispute.id}/respond`, { key: network.sw.operatorKey, body: { action: 'ACCEPT', note: 'x' } }))
        .status,
    ).toBe(403);
    expect(
      (await client.post(`/v1/disputes/${dispute.id}/decision`, { key: keyOf('MARGALLA'), body: { outcome: 'CLAIMANT', note: 'x' } }))
        .status,
    ).toBe(403);
    expect(
      (await client.post(`/v1/disputes/${dispute.id}/decision`, { key: regulatorKey, body: { outcome: 'CLAIMANT', note: 'x' } })).status,
    ).toBe(403);
    expect((await client.post(`/v1/disputes/${dispute.id}/withdraw`, { key: network.sw.operatorKey, body: {} })).status).toBe(403);
    expect(
      (await client.get('/v1/reports/disputes?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z', { key: keyOf('MARGALLA') })).status,
    ).toBe(403);
    expect((await client.get('/v1/reports/disputes?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z', { key: regulatorKey })).status).toBe(
      200,
    );
  });

  it('a participant lists only its own disputes, paged by cursor', async () => {
    const seen: Dispute[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const page = (await client.get(`/v1/disputes${query}`, { key: keyOf('CHENAB') })).body as {
        disputes: Dispute[];
        nextCursor: string | null;
      };
      seen.push(...page.disputes);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((dispute) => dispute.claimant === 'CHENAB' || dispute.respondent === 'CHENAB')).toBe(true);
    const asked = (await client.get('/v1/disputes?participant=RAVI', { key: keyOf('CHENAB') })).body as { disputes: Dispute[] };
    expect(asked.disputes).toEqual([]);
    const all = (await client.get('/v1/disputes?limit=200', { key: network.sw.operatorKey })).body as { disputes: Dispute[] };
    expect(all.disputes.length).toBeGreaterThan(seen.length);
  });

  it('the statistics equal a recount from the events', async () => {
    const report = (await client.get('/v1/reports/disputes?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z', { key: regulatorKey }))
      .body as {
      totals: Record<string, number>;
      byParticipant: {
        participant: string;
        asClaimant: number;
        asRespondent: number;
        answeredInTime: number;
        deadlineMissed: number;
        medianHoursToResolve: string | null;
      }[];
    };
    const opened = new Map<string, { claimant: string; respondent: string; at: string }>();
    const hoursToResolve = new Map<string, Decimal[]>();
    const totals = { opened: 0, resolved: 0, claimantWon: 0, respondentWon: 0, withdrawn: 0, autoResolved: 0, deadlineMissed: 0 };
    const answered = new Map<string, number>();
    let position = 0n;
    for (;;) {
      const events = await network.sw.running.store.readAll(position, 1000);
      if (events.length === 0) break;
      for (const event of events) {
        position = event.position + 1n;
        const data = event.data as Record<string, unknown>;
        if (event.type === 'DisputeOpened') {
          totals.opened += 1;
          opened.set(String(data['disputeId']), {
            claimant: String(data['claimant']),
            respondent: String(data['respondent']),
            at: String(data['at']),
          });
        }
        if (event.type === 'DisputeAnswered') {
          const respondent = opened.get(String(data['disputeId']))?.respondent ?? '';
          answered.set(respondent, (answered.get(respondent) ?? 0) + 1);
        }
        if (event.type === 'DisputeResolved') {
          totals.resolved += 1;
          const claim = opened.get(String(data['disputeId']));
          if (claim !== undefined) {
            const hours = new Decimal(Date.parse(String(data['at'])) - Date.parse(claim.at)).dividedBy(3_600_000);
            hoursToResolve.set(claim.respondent, [...(hoursToResolve.get(claim.respondent) ?? []), hours]);
          }
          if (data['outcome'] === 'CLAIMANT') totals.claimantWon += 1;
          if (data['outcome'] === 'RESPONDENT') totals.respondentWon += 1;
          if (data['outcome'] === 'WITHDRAWN') totals.withdrawn += 1;
          if (data['autoResolved'] === true) totals.autoResolved += 1;
          if (data['deadlineMissed'] === true) totals.deadlineMissed += 1;
        }
      }
    }
    expect(report.totals).toEqual(totals);
    for (const row of report.byParticipant) {
      const claims = [...opened.values()];
      expect(row.asClaimant).toBe(claims.filter((claim) => claim.claimant === row.participant).length);
      expect(row.asRespondent).toBe(claims.filter((claim) => claim.respondent === row.participant).length);
      expect(row.answeredInTime).toBe(answered.get(row.participant) ?? 0);
      const sorted = (hoursToResolve.get(row.participant) ?? []).sort((left, right) => left.comparedTo(right));
      const middle = Math.floor(sorted.length / 2);
      const median =
        sorted.length === 0
          ? null
          : (sorted.length % 2 === 1
              ? (sorted[middle] as Decimal)
              : (sorted[middle - 1] as Decimal).plus(sorted[middle] as Decimal).dividedBy(2)
            )
              .toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN)
              .toFixed(2);
      expect(row.medianHoursToResolve).toBe(median);
    }
  });

  it('the wallet simulator opens a dispute for its customer and the payee wallet answers it', async () => {
    const transfer = await pay('MARGALLA', '923000000003', '49.00');
    const opened = await network.wallet('MARGALLA').simulator.openDispute({
      transferId: transfer.id,
      category: 'WRONG_AMOUNT',
      amount: '9.00',
      description: 'charged 49.00 for 40.00',
    });
    expect(opened).toMatchObject({ kind: 'dispute', httpStatus: 201, dispute: { state: 'OPEN', outcome: null } });
    const disputeId = opened.kind === 'dispute' ? opened.dispute.id : '';
    const answered = await network.wallet('CHENAB').simulator.answerDispute(disputeId, { action: 'ACCEPT', note: 'refund the difference' });
    expect(answered).toMatchObject({
      kind: 'dispute',
      dispute: { state: 'RESOLVED', outcome: 'CLAIMANT', chargebackTransferId: `chargeback-${disputeId}` },
    });
    const again = await network.wallet('CHENAB').simulator.answerDispute(disputeId, { action: 'ACCEPT', note: 'again' });
    expect(again).toMatchObject({ kind: 'refused', httpStatus: 409, code: 'DISPUTE_STATE' });
  });

  it('a checkout payment names its merchant: the merchant answers with its own key and receives dispute.opened and dispute.resolved', async () => {
    const receiver = new WebhookReceiver();
    await receiver.start();
    try {
      const merchant = await onboardMerchant(client, network.sw.operatorKey, 'DISPUTESHOP', 'RAVI', { webhookUrl: receiver.url });
      const session = await client.post('/v1/checkout/sessions', {
        key: merchant.apiKey,
        body: sessionBody({ amount: '30.00' }),
        headers: { 'idempotency-key': randomUUID() },
      });
      const sessionId = (session.body as { id: string }).id;
      const transfer = await pay('MARGALLA', '923000000002', '30.00');
      const switchTransferId = (
        (await client.get(`/v1/transfers/${transfer.id}`, { key: keyOf('MARGALLA') })).body as { switchTransferId: string }
      ).switchTransferId;
      // What the P2M payment (built on another branch) records when it pays a session.
      const gateway = network.sw.running.gateway;
      const completed = await gateway.checkout.apply(
        { type: 'CompleteSession', data: { sessionId, transferId: switchTransferId }, now: now() },
        { now: now(), actor: 'switch:checkout', correlationId: sessionId },
      );
      await network.sw.running.dependencies.readModels.waitForPosition(completed.position ?? 0n, 5_000);

      const opened = await openDispute('MARGALLA', { transferId: transfer.id, category: 'GOODS_NOT_RECEIVED', amount: '30.00' });
      const dispute = opened.body as Dispute;
      expect(dispute).toMatchObject({ merchantId: 'DISPUTESHOP', respondent: 'RAVI', state: 'OPEN' });
      expect((await client.get(`/v1/disputes/${dispute.id}`, { key: merchant.apiKey })).status).toBe(200);
      const listed = (await client.get('/v1/disputes', { key: merchant.apiKey })).body as { disputes: Dispute[] };
      expect(listed.disputes.map((listedDispute) => listedDispute.id)).toEqual([dispute.id]);
      const contested = await client.post(`/v1/disputes/${dispute.id}/respond`, {
        key: merchant.apiKey,
        body: { action: 'CONTEST', note: 'shipped with tracking PK123' },
      });
      expect(contested.body).toMatchObject({ state: 'RESPONDED' });
      // The merchant answers and reads; it does not open, decide, withdraw or read the statistics.
      const merchantKey = { key: merchant.apiKey };
      expect((await client.post('/v1/disputes', { ...merchantKey, body: {}, headers: { 'idempotency-key': randomUUID() } })).status).toBe(
        403,
      );
      expect(
        (await client.post(`/v1/disputes/${dispute.id}/decision`, { ...merchantKey, body: { outcome: 'RESPONDENT', note: 'x' } })).status,
      ).toBe(403);
      expect((await client.post(`/v1/disputes/${dispute.id}/withdraw`, { ...merchantKey, body: {} })).status).toBe(403);
      expect((await client.get('/v1/reports/disputes?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z', merchantKey)).status).toBe(403);
      await client.post(`/v1/disputes/${dispute.id}/decision`, {
        key: network.sw.operatorKey,
        body: { outcome: 'CLAIMANT', note: 'no proof of delivery' },
      });
      const types = (): string[] =>
        receiver.received.map((webhook) => (JSON.parse(webhook.rawBody.toString('utf8')) as { type: string }).type);
      await waitUntil(() => types().includes('dispute.resolved'), 'the merchant hears of the resolution', 15_000);
      expect(types()).toEqual(expect.arrayContaining(['dispute.opened', 'dispute.resolved']));
      const resolved = receiver.received
        .map((webhook) => JSON.parse(webhook.rawBody.toString('utf8')) as { type: string; data: { object: Dispute } })
        .find((event) => event.type === 'dispute.resolved');
      expect(resolved?.data.object).toMatchObject({
        id: dispute.id,
        outcome: 'CLAIMANT',
        chargebackTransferId: `chargeback-${dispute.id}`,
      });
    } finally {
      await receiver.close();
    }
  });

  it('rebuilds the dispute records from the log byte for byte (so the statistics rebuild with them)', async () => {
    // Projections read the log as it is, personal fields sealed, as the switch's own runner does.
    const wrapper = network.sw.running.store;
    const store = sealedLogOf(wrapper);
    await network.sw.running.dependencies.readModels.waitForPosition(await store.headPosition(), 5_000);
    const directory = tempDir('hisaab-dispute-rebuild-');
    const rebuilt = new SqliteReadModelStore(join(directory.path, 'rebuilt.db'));
    const runner = new ProjectionRunner({ store, readModels: rebuilt, projections: [disputesProjection] });
    try {
      await runner.start();
      await runner.waitForPosition(await store.headPosition(), 5_000);
      const live = new Database(readModelPath(network.sw.dataDir), { readonly: true });
      const dump = (database: Database.Database): unknown[] =>
        database.prepare('SELECT * FROM disputes ORDER BY 1').safeIntegers(true).raw().all();
      expect(dump(live).length).toBeGreaterThan(5);
      expect(dump(rebuilt.database)).toEqual(dump(live));
      live.close();
    } finally {
      await runner.stop();
      rebuilt.close();
      directory.remove();
    }
  });

  it('refuses a claim older than the claim window (last: it moves the clock 121 days on)', async () => {
    const transfer = await pay('MARGALLA', '923000000002', '48.00');
    clockOffsetMs += 121 * 86_400_000;
    const answer = await openDispute('MARGALLA', { transferId: transfer.id, category: 'GOODS_NOT_RECEIVED', amount: '48.00' });
    expect([answer.status, errorCode(answer)]).toEqual([422, 'CLAIM_WINDOW_CLOSED']);
  });
});
