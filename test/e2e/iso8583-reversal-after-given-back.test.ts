import { randomUUID } from 'node:crypto';
import { TransferChargebacks } from '../../core/disputes/charged-back-amounts';
import { WrongExpectedRevisionError } from '../../core/eventstore/expected-revision';
import { PaymentPayerReversals } from '../../core/gateway/payer-reversals';
import { positionAccountId } from '../../core/participants/participant-accounts';
import type { IssuedKey } from '../../simulators/operator-client';
import { onboardMerchant, payCheckoutSession, refundSession, type OnboardedMerchant, type PaidSession } from '../support/gateway';
import { errorCode } from '../support/http-client';
import { PaymentNetwork, customerIban } from '../support/payment-network';

/**
 * A bank's 0420 undoes a committed transfer in full. Money that already went back from that transfer (a dispute's
 * chargeback, a merchant's refund that succeeded) would then go back a second time, so such a 0420 is refused
 * (DE39 12: the original cannot be reversed) and nothing moves; and a transfer the bank reversed is neither refunded
 * nor charged back. A reversal racing a chargeback or a refund meets it on the payment's refunds stream: one wins.
 * Real switch, real TCP ISO 8583 from the bank simulator, real SQLite.
 */

const INDUS = { id: 'INDUS', bankCode: 'INDB', institutionId: '600001' };
const MARGALLA = { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923001234567' };

type Transfer = { id: string; state: string; reversed: boolean };
type Dispute = { id: string; state: string; chargebackTransferId: string | null };

let network: PaymentNetwork;
let bankKey: IssuedKey;
let shop: OnboardedMerchant;

beforeAll(async () => {
  network = await PaymentNetwork.start([INDUS], [MARGALLA], { HISAAB_PAYEE_DEADLINE_MS: '3000' });
  await network.connectBank(INDUS.id);
  bankKey = await network.operator.issueKey(INDUS.id);
  shop = await onboardMerchant(network.sw.client, network.sw.operatorKey, 'REVERSEDSHOP', MARGALLA.id);
  network.wallet(MARGALLA.id).simulator.accounts.add({ walletNumber: `W${shop.id}`, name: `${shop.id} Store`, balanceMinor: 0n });
});

afterAll(async () => {
  await network.close();
});

/** A customer of the bank pays the wallet's customer with a 0200; the answer carries the original the 0420 names. */
async function bankPays(amountMinor: bigint) {
  const result = await network.bank(INDUS.id).simulator.sendTransfer({
    payerAccount: network.bank(INDUS.id).customers[0],
    payee: MARGALLA.msisdn,
    amountMinor,
    timeoutMs: 5_000,
  });
  if (result.status !== 'approved') throw new Error(`the 0200 was not approved: ${result.status}`);
  return result;
}

function reverse(original: Awaited<ReturnType<typeof bankPays>>['request']) {
  return network.bank(INDUS.id).simulator.sendReversal(original, { timeoutMs: 5_000, attemptsMax: 1 });
}

async function transfer(id: string): Promise<Transfer> {
  const answer = await network.sw.client.get(`/v1/transfers/${id}`, { key: network.sw.operatorKey });
  expect(answer.status).toBe(200);
  return answer.body as Transfer;
}

async function position(participantId: string): Promise<string> {
  const answer = await network.sw.client.get(`/v1/participants/${participantId}`, { key: network.sw.operatorKey });
  return (answer.body as { position: string }).position;
}

async function positions(): Promise<[string, string]> {
  return [await position(INDUS.id), await position(MARGALLA.id)];
}

async function transferEvents(id: string): Promise<string[]> {
  return (await network.sw.running.store.readStream(`transfer-${id}`, 0n, 100)).map((event) => event.type);
}

async function openDispute(transferId: string, amount: string) {
  return network.sw.client.post('/v1/disputes', {
    key: bankKey.key,
    headers: { 'idempotency-key': randomUUID() },
    body: { transferId, category: 'GOODS_NOT_RECEIVED', amount, description: 'the goods never came' },
  });
}

function accept(disputeId: string) {
  return network.sw.client.post(`/v1/disputes/${disputeId}/respond`, {
    key: network.wallet(MARGALLA.id).key.key,
    body: { action: 'ACCEPT', note: 'refunding the customer' },
  });
}

/** The bank pays a checkout session of the shop over REST with its own key: a P2M payment whose payer is the bank. */
function bankPaysSession(amount: string): Promise<PaidSession> {
  return payCheckoutSession(network.sw.client, shop, {
    payerKey: bankKey.key,
    payer: { type: 'IBAN', value: customerIban(INDUS.bankCode, 1) },
    amount,
  });
}

function refund(sessionId: string, amount: string) {
  return refundSession(network.sw.client, shop, sessionId, amount);
}

/** The payer reversal as the 0420 handler asks for it; a P2M payment cannot be sent as a 0200, so it is asked here. */
function reverseForPayer(transferId: string) {
  return network.sw.running.transfers.service.reverseForPayer(transferId, INDUS.id, 'bank reversal (0420)');
}

it('refuses (12) a 0420 of a transfer partly charged back, and moves nothing', async () => {
  const paid = await bankPays(150_000n);
  const opened = await openDispute(paid.transferId, '500.00');
  expect(opened.status).toBe(201);
  const accepted = await accept((opened.body as Dispute).id);
  expect(accepted.body).toMatchObject({ state: 'RESOLVED', chargebackTransferId: `chargeback-${(opened.body as Dispute).id}` });
  const before = await positions();

  const reversal = await reverse(paid.request);

  expect(reversal).toEqual({ acknowledged: false, attempts: 1, responseCode: '12' });
  expect(await transfer(paid.transferId)).toMatchObject({ state: 'COMMITTED', reversed: false });
  expect(await transferEvents(paid.transferId)).not.toContain('TransferReversed');
  expect(await positions()).toEqual(before);
});

it('refuses a dispute of a transfer the bank reversed: its money is back already', async () => {
  const paid = await bankPays(60_000n);
  expect((await reverse(paid.request)).responseCode).toBe('00');
  const before = await positions();

  const opened = await openDispute(paid.transferId, '600.00');

  expect(opened.status).toBe(422);
  expect(errorCode(opened)).toBe('AMOUNT_EXCEEDS_TRANSFER');
  expect(await positions()).toEqual(before);
});

it('charges back or reverses a transfer, never both, when the 0420 races the chargeback', async () => {
  for (let round = 0; round < 3; round += 1) {
    const beforePayment = await positions();
    const paid = await bankPays(100_000n);
    const opened = await openDispute(paid.transferId, '1000.00');
    expect(opened.status).toBe(201);

    const [reversal] = await Promise.all([reverse(paid.request), accept((opened.body as Dispute).id)]);

    // The whole amount came back once, by the reversal or by the chargeback, not by both.
    expect(await positions()).toEqual(beforePayment);
    const reversed = (await transfer(paid.transferId)).reversed;
    expect(reversal.responseCode).toBe(reversed ? '00' : '12');
  }
});

it('refuses the payer’s reversal of a P2M payment partly refunded, and moves nothing', async () => {
  const { sessionId, transferId } = await bankPaysSession('300.00');
  expect((await refund(sessionId, '100.00')).body).toMatchObject({ status: 'SUCCEEDED' });
  const before = await positions();

  await expect(reverseForPayer(transferId)).rejects.toMatchObject({ code: 'TRANSFER_GIVEN_BACK' });

  expect(await transfer(transferId)).toMatchObject({ state: 'COMMITTED', reversed: false });
  expect(await positions()).toEqual(before);
});

it('refuses a refund of a P2M payment the payer’s bank reversed', async () => {
  const { sessionId, transferId } = await bankPaysSession('200.00');
  expect(await reverseForPayer(transferId)).toMatchObject({ state: 'COMMITTED', reversed: true });
  const before = await positions();

  const refused = await refund(sessionId, '50.00');

  expect(refused.status).toBe(409);
  expect(errorCode(refused)).toBe('SESSION_NOT_PAID');
  expect(await positions()).toEqual(before);
});

it('refunds or reverses a P2M payment, never both, when they race', async () => {
  for (let round = 0; round < 3; round += 1) {
    const beforePayment = await positions();
    const { sessionId, transferId } = await bankPaysSession('400.00');

    const [reversal, refunded] = await Promise.allSettled([reverseForPayer(transferId), refund(sessionId, '400.00')]);

    expect(await positions()).toEqual(beforePayment);
    const reversed = (await transfer(transferId)).reversed;
    expect(reversal.status).toBe(reversed ? 'fulfilled' : 'rejected');
    if (refunded.status !== 'fulfilled') throw new Error('the refund request failed');
    expect(refunded.value.status).toBe(reversed ? 409 : 201);
  }
});

it('refuses the reversal’s write when a refund was held between its read and its write: it decides again', async () => {
  const { sessionId, transferId } = await bankPaysSession('250.00');
  const store = network.sw.running.store;
  const guard = new PaymentPayerReversals({ store, chargebacks: new TransferChargebacks(store) });
  const context = { now: new Date(), actor: 'test', correlationId: transferId };
  const write = await guard.reversalWrite({ transferId, amountMinor: 25_000n, currency: 'PKR' }, context);
  expect(write).not.toBeNull();

  expect((await refund(sessionId, '25.00')).body).toMatchObject({ status: 'SUCCEEDED' });

  await expect(store.appendMany(write === null ? [] : [write])).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  await expect(guard.reversalWrite({ transferId, amountMinor: 25_000n, currency: 'PKR' }, context)).rejects.toMatchObject({
    code: 'TRANSFER_GIVEN_BACK',
  });
});

it('finishes a reversal a crash cut after its durable write: the 0421 answers 00, a chargeback between takes nothing', async () => {
  const before = await positions();
  const paid = await bankPays(70_000n);
  // What the 0420 made durable before the process died: the ledger's REVERSAL and, in the same write, the marker on the
  // refunds stream; the payee's reversal advice and the transfer's TransferReversed were never written.
  const store = network.sw.running.store;
  const guard = new PaymentPayerReversals({ store, chargebacks: new TransferChargebacks(store) });
  const context = { now: new Date(), actor: 'switch:payer-reversal', correlationId: paid.transferId };
  const write = await guard.reversalWrite({ transferId: paid.transferId, amountMinor: 70_000n, currency: 'PKR' }, context);
  if (write === null) throw new Error('the reversal decided nothing');
  const ledger = network.sw.running.ledgers[0];
  if (ledger === undefined) throw new Error('no ledger');
  const receipt = await ledger.submit(
    [
      {
        type: 'transfer',
        id: `${paid.transferId}:reversal`,
        ledger: 'PKR',
        debitAccountId: positionAccountId(MARGALLA.id),
        creditAccountId: positionAccountId(INDUS.id),
        amountMinor: 70_000n,
        code: 'REVERSAL',
        userData: { transferId: paid.transferId, reason: 'PAYER_REVERSED' },
      },
    ],
    [{ ...write, placement: 'after_ledger', acceptedWhen: ['ok', 'exists'], accepted: write.events, refused: [] }],
  );
  expect(receipt.results).toEqual(['ok']);
  expect(await transfer(paid.transferId)).toMatchObject({ reversed: false });

  // The transfer's stream does not show the reversal yet, so a dispute opens; its chargeback meets the marker.
  const opened = await openDispute(paid.transferId, '700.00');
  expect(opened.status).toBe(201);
  expect((await accept((opened.body as Dispute).id)).body).toMatchObject({ state: 'RESOLVED', chargebackTransferId: null });

  expect(await reverse(paid.request)).toMatchObject({ responseCode: '00' });
  expect(await transfer(paid.transferId)).toMatchObject({ state: 'COMMITTED', reversed: true });
  expect(await positions()).toEqual(before);
});

it('reverses once when a 0420 and its 0421 are applied at the same moment (two workers): both read it reversed', async () => {
  const before = await positions();
  const paid = await bankPays(45_000n);

  const both = await Promise.all([reverseForPayer(paid.transferId), reverseForPayer(paid.transferId)]);

  expect(both).toEqual([expect.objectContaining({ reversed: true }), expect.objectContaining({ reversed: true })]);
  expect((await transferEvents(paid.transferId)).filter((type) => type === 'TransferReversed')).toHaveLength(1);
  expect(await positions()).toEqual(before);
});
