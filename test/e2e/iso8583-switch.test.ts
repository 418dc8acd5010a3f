import { randomUUID } from 'node:crypto';
import type { Iso8583Message } from '../../adapters/iso8583/message';
import {
  buildReversalAdvice,
  buildTransferRequest,
  originalDataElementsOf,
  transferIdFor,
  type FinancialRequest,
} from '../../adapters/iso8583/mapping';
import { RawIsoPeer } from '../integration/iso8583/raw-iso-peer';
import { PaymentNetwork, customerIban, openingBalanceMinor } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';

/**
 * Issue 5 item 6, through the real switch: bank hosts (simulated, real TCP on loopback) and wallets (simulated,
 * real HTTP) paying each other through the switch's ISO 8583 port and its REST API.
 */

type Transfer = {
  id: string;
  state: string;
  abortReason: string | null;
  payerParticipant: string;
  payeeParticipant: string;
  amount: string;
  reversed: boolean;
  payer: { type: string; value: string };
};
type Participant = { id: string; position: string; reserved: string };

const INDUS = { id: 'INDUS', bankCode: 'INDB', institutionId: '600001' };
const MEEZAN = { id: 'MEEZAN', bankCode: 'MEZN', institutionId: '600002' };
const TINY = { id: 'TINY', bankCode: 'TINY', institutionId: '600003', netDebitCap: '100.00' };
const FARAWAY = { id: 'FARAWAY', bankCode: 'FARW', institutionId: '600004' };
const MARGALLA = { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923001234567' };

let network: PaymentNetwork;
const peers: RawIsoPeer[] = [];
let stanCounter = 100;

beforeAll(async () => {
  network = await PaymentNetwork.start([INDUS, MEEZAN, TINY], [MARGALLA], { HISAAB_PAYEE_DEADLINE_MS: '1000' });
  // A bank registered at another address: its DE32 must not sign on from loopback.
  await network.operator.onboard({
    id: FARAWAY.id,
    name: 'Faraway Bank',
    type: 'BANK',
    bankCode: FARAWAY.bankCode,
    netDebitCap: '1000.00',
    endpoints: { iso8583: '192.0.2.10:5000', institutionId: FARAWAY.institutionId },
  });
  await network.connectBank(INDUS.id);
});

afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await network.close();
});

afterEach(() => {
  for (const bank of network.banks) bank.simulator.configure({ decline: false, delayMs: 0, refuseConnections: false });
});

async function transfer(id: string): Promise<Transfer> {
  const answer = await network.sw.client.get(`/v1/transfers/${id}`, { key: network.sw.operatorKey });
  expect(answer.status).toBe(200);
  return answer.body as Transfer;
}

async function participant(id: string): Promise<Participant> {
  return (await network.sw.client.get(`/v1/participants/${id}`, { key: network.sw.operatorKey })).body as Participant;
}

async function transferEvents(id: string): Promise<string[]> {
  return (await network.sw.running.store.readStream(`transfer-${id}`, 0n, 100)).map((event) => event.type);
}

function nextStan(): string {
  stanCounter += 1;
  return String(stanCounter).padStart(6, '0');
}

async function signedOnPeer(institutionId: string, terminalId = 'RAWPEER1'): Promise<RawIsoPeer> {
  const peer = await RawIsoPeer.connect(network.iso8583Port);
  peers.push(peer);
  const answer = await peer.exchange({
    mti: '0800',
    fields: { 7: '1128101530', 11: nextStan(), 32: institutionId, 41: terminalId, 70: '001' },
  });
  expect(answer.fields[39]).toBe('00');
  return peer;
}

function request(overrides: Partial<FinancialRequest> = {}): FinancialRequest {
  const stan = nextStan();
  return {
    systemTraceAuditNumber: stan,
    transmissionDateTime: '1128101530',
    localTime: '151530',
    localDate: '1128',
    acquirerInstitutionId: INDUS.institutionId,
    retrievalReferenceNumber: `53321${stan.padStart(7, '0')}`,
    terminalId: 'RAWPEER1',
    processingCode: '400000',
    amountMinor: 25_000n,
    currency: 'PKR',
    payerAccount: customerIban(INDUS.bankCode, 1),
    payeeAccount: MARGALLA.msisdn,
    ...overrides,
  };
}

function idOf(message: Iso8583Message): string {
  return transferIdFor({
    acquirerInstitutionId: message.fields[32] ?? '',
    retrievalReferenceNumber: message.fields[37] ?? '',
    systemTraceAuditNumber: message.fields[11] ?? '',
    transmissionDateTime: message.fields[7] ?? '',
  });
}

describe('sign-on and echo through the switch', () => {
  it('signs on a registered bank from its registered address and answers echoes', async () => {
    const peer = await RawIsoPeer.connect(network.iso8583Port);
    peers.push(peer);
    const echo = await peer.exchange({ mti: '0800', fields: { 7: '1128101530', 11: nextStan(), 41: 'RAWPEER1', 70: '301' } });
    expect(echo).toMatchObject({ mti: '0810', fields: { 39: '00', 70: '301' } });
    const signOn = await peer.exchange({
      mti: '0800',
      fields: { 7: '1128101530', 11: nextStan(), 32: MEEZAN.institutionId, 41: 'RAWPEER1', 70: '001' },
    });
    expect(signOn).toMatchObject({ mti: '0810', fields: { 39: '00', 32: MEEZAN.institutionId } });
    const signOff = await peer.exchange({
      mti: '0800',
      fields: { 7: '1128101530', 11: nextStan(), 32: MEEZAN.institutionId, 41: 'RAWPEER1', 70: '002' },
    });
    expect(signOff.fields[39]).toBe('00');
  });

  it('refuses (05) an unknown institution, a bank signing on from an address not its own, and money before sign-on', async () => {
    const peer = await RawIsoPeer.connect(network.iso8583Port);
    peers.push(peer);
    const unknown = await peer.exchange({
      mti: '0800',
      fields: { 7: '1128101530', 11: nextStan(), 32: '699999', 41: 'RAWPEER1', 70: '001' },
    });
    expect(unknown.fields[39]).toBe('05');
    const elsewhere = await peer.exchange({
      mti: '0800',
      fields: { 7: '1128101530', 11: nextStan(), 32: FARAWAY.institutionId, 41: 'RAWPEER1', 70: '001' },
    });
    expect(elsewhere.fields[39]).toBe('05');
    const before = await network.sw.running.store.headPosition();
    const money = await peer.exchange(buildTransferRequest(request()));
    expect(money).toMatchObject({ mti: '0210', fields: { 39: '05' } });
    expect(await network.sw.running.store.headPosition()).toBe(before);
  });

  it('refuses the sign-on of a bank the operator deactivated', async () => {
    const deactivated = await fetch(`${network.sw.url}/v1/participants/${TINY.id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${network.sw.operatorKey}`,
        'content-type': 'application/json',
        'idempotency-key': `deactivate-${TINY.id}`,
      },
      body: JSON.stringify({ active: false }),
    });
    expect(deactivated.status).toBe(200);
    const record = (await network.sw.client.get(`/v1/participants/${TINY.id}`, { key: network.sw.operatorKey })).body as {
      active: boolean;
    };
    expect(record.active).toBe(false);
    const peer = await RawIsoPeer.connect(network.iso8583Port);
    peers.push(peer);
    const answer = await peer.exchange({
      mti: '0800',
      fields: { 7: '1128101530', 11: nextStan(), 32: TINY.institutionId, 41: 'RAWPEER1', 70: '001' },
    });
    expect(answer.fields[39]).toBe('05');
  });
});

describe('transfers between banks and wallets', () => {
  it('bank → wallet: a 0200 from a bank host credits a wallet customer and is approved with an approval code', async () => {
    const indus = network.bank(INDUS.id).simulator;
    const wallet = network.wallet(MARGALLA.id);
    const payer = customerIban(INDUS.bankCode, 1);
    const result = await indus.sendTransfer({ payerAccount: payer, payee: MARGALLA.msisdn, amountMinor: 150_050n, timeoutMs: 5_000 });
    expect(result.status).toBe('approved');
    if (result.status !== 'approved') return;
    expect(result.authorizationCode).toMatch(/^[0-9]{6}$/);
    const view = await transfer(result.transferId);
    expect(view).toMatchObject({
      state: 'COMMITTED',
      payerParticipant: INDUS.id,
      payeeParticipant: MARGALLA.id,
      amount: '1500.50',
      payer: { type: 'IBAN', value: payer },
    });
    expect(wallet.simulator.creditRecord(result.transferId)).toBeDefined();
    expect(wallet.simulator.balanceOf(wallet.walletNumber)).toBe(openingBalanceMinor + 150_050n);
    expect(indus.accounts.balanceOf(payer)).toBe(openingBalanceMinor - 150_050n);
  });

  it('wallet → bank: POST /v1/transfers to an IBAN at a bank host is credited there over ISO 8583', async () => {
    const meezan = network.bank(MEEZAN.id);
    const payee = meezan.customers[0];
    const before = meezan.simulator.accounts.balanceOf(payee) ?? 0n;
    const id = randomUUID();
    const answer = await network.sw.client.post('/v1/transfers', {
      key: network.wallet(MARGALLA.id).key.key,
      body: {
        id,
        payer: { type: 'WALLET', value: network.wallet(MARGALLA.id).walletNumber },
        payee: { type: 'IBAN', value: payee },
        amount: '2500.00',
        currency: 'PKR',
        purpose: 'P2P',
      },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ id, state: 'COMMITTED', payeeParticipant: MEEZAN.id });
    expect(meezan.simulator.accounts.balanceOf(payee)).toBe(before + 250_000n);
    expect(meezan.simulator.statistics().creditsApplied).toBeGreaterThanOrEqual(1);
  });

  it('wallet → bank: a decline (05) from the bank aborts the transfer with PAYEE_REJECTED and moves nothing', async () => {
    const meezan = network.bank(MEEZAN.id);
    meezan.simulator.configure({ decline: true });
    const payee = meezan.customers[1];
    const id = randomUUID();
    const answer = await network.sw.client.post('/v1/transfers', {
      key: network.wallet(MARGALLA.id).key.key,
      body: {
        id,
        payer: { type: 'WALLET', value: network.wallet(MARGALLA.id).walletNumber },
        payee: { type: 'IBAN', value: payee },
        amount: '10.00',
        currency: 'PKR',
        purpose: 'P2P',
      },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ id, state: 'ABORTED', abortReason: 'PAYEE_REJECTED' });
    expect(meezan.simulator.accounts.balanceOf(payee)).toBe(openingBalanceMinor);
    expect(await participant(MARGALLA.id)).toMatchObject({ reserved: '0.00' });
  });

  it('bank → bank: a 0200 from one bank host is credited at the other over ISO 8583', async () => {
    const indus = network.bank(INDUS.id).simulator;
    const meezan = network.bank(MEEZAN.id);
    const payee = meezan.customers[1];
    const before = meezan.simulator.accounts.balanceOf(payee) ?? 0n;
    const result = await indus.sendTransfer({
      payerAccount: customerIban(INDUS.bankCode, 2),
      payee,
      amountMinor: 99_999n,
      timeoutMs: 5_000,
    });
    expect(result.status).toBe('approved');
    if (result.status !== 'approved') return;
    expect(await transfer(result.transferId)).toMatchObject({
      state: 'COMMITTED',
      payerParticipant: INDUS.id,
      payeeParticipant: MEEZAN.id,
      amount: '999.99',
    });
    expect(meezan.simulator.accounts.balanceOf(payee)).toBe(before + 99_999n);
  });
});

describe('answers to what a bank sends', () => {
  it('answers a repeated 0200 the same way and records one transfer; the same identifiers with other content get 94', async () => {
    const peer = await signedOnPeer(INDUS.institutionId);
    const message = buildTransferRequest(request({ payeeAccount: network.bank(MEEZAN.id).customers[0], amountMinor: 12_345n }));
    const creditsBefore = network.bank(MEEZAN.id).simulator.statistics().creditsApplied;
    const first = await peer.exchange(message, 5_000);
    const second = await peer.exchange(message, 5_000);
    expect(first).toMatchObject({
      mti: '0210',
      fields: { 39: '00', 11: message.fields[11], 32: INDUS.institutionId, 37: message.fields[37], 41: 'RAWPEER1' },
    });
    expect(first.fields[38]).toMatch(/^[0-9]{6}$/);
    expect(second.fields).toEqual(first.fields);
    const id = idOf(message);
    expect(await transferEvents(id)).toEqual(['TransferInitiated', 'TransferCommitted']);
    expect(network.bank(MEEZAN.id).simulator.statistics().creditsApplied).toBe(creditsBefore + 1);
    const different = await peer.exchange(
      buildTransferRequest({
        ...request(),
        systemTraceAuditNumber: message.fields[11] ?? '',
        retrievalReferenceNumber: message.fields[37] ?? '',
        amountMinor: 54_321n,
      }),
      5_000,
    );
    expect(different.fields[39]).toBe('94');
    expect(await transferEvents(id)).toEqual(['TransferInitiated', 'TransferCommitted']);
  });

  it.each([
    ['an unknown payee alias', '14', { payeeAccount: '923339999999' }],
    ['a payee that is neither an IBAN nor an MSISDN', '14', { payeeAccount: 'ACCT-42' }],
    ['an IBAN of a bank code nobody holds', '14', { payeeAccount: customerIban('NONE', 1) }],
    ['a currency other than the ledger’s (USD)', '13', { currency: 'USD' as const }],
    ['an on-us payment (payee at the payer bank)', '12', { payeeAccount: customerIban(INDUS.bankCode, 2) }],
  ])('answers %s with %s and records no transfer', async (_what, responseCode, overrides) => {
    const peer = await signedOnPeer(INDUS.institutionId);
    const message = buildTransferRequest(request(overrides));
    const before = await network.sw.running.store.headPosition();
    const answer = await peer.exchange(message, 5_000);
    expect(answer).toMatchObject({
      mti: '0210',
      fields: { 39: responseCode, 11: message.fields[11], 37: message.fields[37], 41: 'RAWPEER1' },
    });
    expect(answer.fields[38]).toBeUndefined();
    // At most which transfer the message's DE90 identity names is recorded (a later 0420 finds it by that), before
    // the transfer is decided; a message refused before then (a DE103 that is no payee at all) records nothing.
    const written = (await network.sw.running.store.readAll(before, 100)).map((event) => event.type);
    expect(written.filter((type) => type !== 'Iso8583OriginalRequestReceived')).toEqual([]);
    expect(written.length).toBeLessThanOrEqual(1);
    expect(await transferEvents(idOf(message))).toEqual([]);
  });

  it('answers a breach of the payer bank’s net debit cap with 51', async () => {
    // TINY was deactivated above; a bank with a small cap of its own shows the cap.
    await network.operator.onboard({
      id: 'SMALLCAP',
      name: 'Small Cap Bank',
      type: 'BANK',
      bankCode: 'SMCP',
      netDebitCap: '100.00',
      endpoints: { iso8583: '127.0.0.1:9', institutionId: '600005' },
    });
    const peer = await signedOnPeer('600005');
    const message = buildTransferRequest(
      request({ acquirerInstitutionId: '600005', payerAccount: customerIban('SMCP', 1), amountMinor: 10_001n }),
    );
    const answer = await peer.exchange(message, 5_000);
    expect(answer.fields[39]).toBe('51');
    expect(await transfer(idOf(message))).toMatchObject({ state: 'ABORTED', abortReason: 'NET_DEBIT_CAP_EXCEEDED' });
  });

  it('answers 13 for a currency in the ISO 4217 table that HISAAB_CURRENCIES does not enable, recording nothing', async () => {
    // JPY (392) is in the table but not among the default currencies; USD (840) is, and gets past the currency check.
    const peer = await signedOnPeer(INDUS.institutionId);
    const yen = buildTransferRequest(request({ currency: 'JPY', amountMinor: 25_000n }));
    expect(yen.fields[49]).toBe('392');
    const answer = await peer.exchange(yen, 5_000);
    expect(answer.fields[39]).toBe('13');
    expect((await network.sw.client.get(`/v1/transfers/${idOf(yen)}`, { key: network.sw.operatorKey })).status).toBe(404);
    expect(await transferEvents(idOf(yen))).toEqual([]);
  });

  it('answers 91 when the payee bank is down, and nothing is reversed since nothing reached it', async () => {
    const meezan = network.bank(MEEZAN.id);
    meezan.simulator.configure({ refuseConnections: true });
    meezan.simulator.dropConnections();
    const peer = await signedOnPeer(INDUS.institutionId);
    const message = buildTransferRequest(request({ payeeAccount: meezan.customers[0] }));
    const answer = await peer.exchange(message, 8_000);
    expect(answer.fields[39]).toBe('91');
    expect(await transfer(idOf(message))).toMatchObject({ state: 'ABORTED', abortReason: 'PAYEE_UNAVAILABLE' });
    meezan.simulator.configure({ refuseConnections: false });
  });
});

describe('0420 from the payer bank', () => {
  it('reverses an approved transfer: compensated on the ledger, the wallet gets its reversal, the transfer reads reversed', async () => {
    const indus = network.bank(INDUS.id).simulator;
    const wallet = network.wallet(MARGALLA.id);
    const positionBefore = (await participant(INDUS.id)).position;
    const result = await indus.sendTransfer({
      payerAccount: customerIban(INDUS.bankCode, 1),
      payee: MARGALLA.msisdn,
      amountMinor: 70_000n,
      timeoutMs: 5_000,
    });
    expect(result.status).toBe('approved');
    if (result.status !== 'approved') return;
    expect((await participant(INDUS.id)).position).not.toBe(positionBefore);
    const reversal = await indus.sendReversal(result.request, { timeoutMs: 5_000, attemptsMax: 1 });
    expect(reversal).toEqual({ acknowledged: true, attempts: 1, responseCode: '00' });
    expect(await transfer(result.transferId)).toMatchObject({ state: 'COMMITTED', reversed: true });
    await waitUntil(
      () => wallet.simulator.received('REVERSAL').some((message) => message.transferId === result.transferId),
      'the wallet receives the reversal',
    );
    await waitUntil(async () => (await participant(INDUS.id)).position === positionBefore, 'the payer bank’s position is restored');
    // A repeat (0421) changes nothing more and is acknowledged again.
    const repeat = await indus.sendReversal(result.request, { timeoutMs: 5_000, attemptsMax: 1 });
    expect(repeat.responseCode).toBe('00');
    expect((await transferEvents(result.transferId)).filter((type) => type === 'TransferReversed')).toHaveLength(1);
  });

  it('acknowledges (00) a reversal of a transfer it never saw, and then declines that transfer’s late 0200 (12)', async () => {
    const peer = await signedOnPeer(INDUS.institutionId);
    const original = buildTransferRequest(request());
    const advice = buildReversalAdvice({
      systemTraceAuditNumber: nextStan(),
      transmissionDateTime: '1128101600',
      acquirerInstitutionId: INDUS.institutionId,
      retrievalReferenceNumber: original.fields[37] ?? '',
      terminalId: 'RAWPEER1',
      processingCode: '400000',
      amountMinor: 25_000n,
      currency: 'PKR',
      original: originalDataElementsOf(original),
    });
    const acknowledged = await peer.exchange(advice, 5_000);
    expect(acknowledged).toMatchObject({ mti: '0430', fields: { 39: '00' } });
    const late = await peer.exchange(original, 5_000);
    expect(late.fields[39]).toBe('12');
    expect(await transferEvents(idOf(original))).toEqual([]);
  });
});
