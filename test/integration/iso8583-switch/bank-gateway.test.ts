import { randomUUID } from 'node:crypto';
import { payerScopedTransferId } from '../../../core/transfers/transfer-id';
import { outboundIdentifiers } from '../../../adapters/iso8583-switch/outbound-identifiers';
import { RawIsoPeer } from '../iso8583/raw-iso-peer';
import { PaymentNetwork, customerIban } from '../../support/payment-network';
import { waitUntil } from '../../support/wait-until';
import { RecordingBankHost } from './recording-bank-host';

/**
 * The switch's bank gateway as a bank host sees it: what the 0200, 0220 and 0420 carry, how its answers (or its
 * silence) end the transfer, and who may sign on. The bank host is the real ISO 8583 server recording what it
 * gets; the switch is the real one, with a real wallet paying.
 */

const MARGALLA = { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923001234567' };
const SWITCH_INSTITUTION_ID = '999999';
const PAYEE_DEADLINE_MS = 600;

type Transfer = { id: string; switchTransferId: string; state: string; abortReason: string | null; createdAt: string };

let network: PaymentNetwork;
let requestBank: RecordingBankHost;
let adviceBank: RecordingBankHost;
const peers: RawIsoPeer[] = [];

beforeAll(async () => {
  network = await PaymentNetwork.start([], [MARGALLA], { HISAAB_PAYEE_DEADLINE_MS: String(PAYEE_DEADLINE_MS) });
  requestBank = new RecordingBankHost();
  adviceBank = new RecordingBankHost();
  await network.operator.onboard({
    id: 'ASKARI',
    name: 'Askari Bank',
    type: 'BANK',
    bankCode: 'ASKB',
    netDebitCap: '1000000.00',
    endpoints: { iso8583: `127.0.0.1:${await requestBank.start()}`, institutionId: '600021' },
  });
  await network.operator.onboard({
    id: 'HABIB',
    name: 'Habib Bank',
    type: 'BANK',
    bankCode: 'HABB',
    netDebitCap: '1000000.00',
    creditMode: 'ADVICE',
    endpoints: { iso8583: `127.0.0.1:${await adviceBank.start()}`, institutionId: '600022' },
  });
  await network.operator.onboard({
    id: 'LOCALB',
    name: 'Local Name Bank',
    type: 'BANK',
    bankCode: 'LOCB',
    netDebitCap: '1000.00',
    endpoints: { iso8583: 'localhost:9', institutionId: '600023' },
  });
  await network.operator.onboard({
    id: 'NOWHERE',
    name: 'Unresolvable Bank',
    type: 'BANK',
    bankCode: 'NOWH',
    netDebitCap: '1000.00',
    endpoints: { iso8583: 'bank-host.invalid:9', institutionId: '600024' },
  });
});

afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await network.close();
  await requestBank.close();
  await adviceBank.close();
});

async function pay(payeeIban: string, amount: string, id: string = randomUUID()): Promise<Transfer> {
  const wallet = network.wallet(MARGALLA.id);
  const answer = await network.sw.client.post('/v1/transfers', {
    key: wallet.key.key,
    body: {
      id,
      payer: { type: 'WALLET', value: wallet.walletNumber },
      payee: { type: 'IBAN', value: payeeIban },
      amount,
      currency: 'PKR',
      purpose: 'P2P',
    },
  });
  expect(answer.status).toBe(201);
  return answer.body as Transfer;
}

async function eventsOf(stream: string) {
  return network.sw.running.store.readStream(stream, 0n, 1_000);
}

describe('credit requests (0200) to a bank in REQUEST mode', () => {
  it('carries identifiers derived from the transfer id and its creation time, the switch as acquirer, and the parties', async () => {
    const payee = customerIban('ASKB', 7);
    const view = await pay(payee, '1234.56');
    expect(view.state).toBe('COMMITTED');
    const received = requestBank.ofKind('request').find((entry) => entry.message.payeeAccount === payee);
    expect(received).toBeDefined();
    if (received === undefined) return;
    const derived = outboundIdentifiers(view.switchTransferId, view.createdAt);
    expect(received.message).toMatchObject({
      systemTraceAuditNumber: derived.systemTraceAuditNumber,
      retrievalReferenceNumber: derived.retrievalReferenceNumber,
      transmissionDateTime: derived.transmissionDateTime,
      localTime: derived.localTime,
      localDate: derived.localDate,
      acquirerInstitutionId: SWITCH_INSTITUTION_ID,
      terminalId: 'HISAAB01',
      processingCode: '400000',
      amountMinor: 123_456n,
      currency: 'PKR',
      payerAccount: network.wallet(MARGALLA.id).walletNumber,
      payeeAccount: payee,
    });
    // The switch signed on to the bank with its own DE32 before sending.
    expect(received.context.institutionId).toBe(SWITCH_INSTITUTION_ID);
  });

  it('aborts with PAYEE_REJECTED, the bank’s DE39 as the reason, when the bank declines', async () => {
    requestBank.answerNext('request', { responseCode: '14' });
    const view = await pay(customerIban('ASKB', 8), '10.00');
    expect(view).toMatchObject({ state: 'ABORTED', abortReason: 'PAYEE_REJECTED' });
    const aborted = (await eventsOf(`transfer-${view.switchTransferId}`)).find((event) => event.type === 'TransferAborted');
    expect(aborted?.data).toMatchObject({ reason: 'PAYEE_REJECTED', detail: '14', reversalQueued: false });
  });

  it('aborts with PAYEE_TIMEOUT when no 0210 comes in time, and reverses with a 0420 naming the original in DE90, repeated as 0421 until 00', async () => {
    requestBank.answerNext('request', { responseCode: '00', delayMs: PAYEE_DEADLINE_MS + 400 });
    requestBank.answerNext('reversal', { responseCode: '96' });
    const payee = customerIban('ASKB', 9);
    const view = await pay(payee, '42.00');
    expect(view).toMatchObject({ state: 'ABORTED', abortReason: 'PAYEE_TIMEOUT' });
    await waitUntil(
      () => requestBank.ofKind('reversal').filter((entry) => entry.message.payeeAccount === payee).length >= 2,
      'the 0420 and its 0421 repeat arrive',
      10_000,
    );
    const request = requestBank.ofKind('request').find((entry) => entry.message.payeeAccount === payee);
    const [first, repeat] = requestBank.ofKind('reversal').filter((entry) => entry.message.payeeAccount === payee);
    expect(request).toBeDefined();
    if (request === undefined || first === undefined || repeat === undefined) return;
    expect(first.message).toMatchObject({
      repeat: false,
      retrievalReferenceNumber: request.message.retrievalReferenceNumber,
      acquirerInstitutionId: SWITCH_INSTITUTION_ID,
      amountMinor: 4_200n,
      currency: 'PKR',
      original: {
        mti: '0200',
        systemTraceAuditNumber: request.message.systemTraceAuditNumber,
        transmissionDateTime: request.message.transmissionDateTime,
        acquirerInstitutionId: SWITCH_INSTITUTION_ID,
        forwardingInstitutionId: null,
      },
      // The bank finds the original by the same derivation it used for the 0200.
      originalTransferId: request.message.transferId,
    });
    expect(repeat.message).toMatchObject({ repeat: true, originalTransferId: request.message.transferId });
    const outbox = network.sw.running.transfers.bankChannel.outbox;
    await waitUntil(() => outbox.inspect(`REVERSAL:${view.switchTransferId}`).status === 'delivered', 'the reversal is recorded delivered');
  });
});

describe('two transfers whose derived DE11 coincide', () => {
  /**
   * Two of MARGALLA's transfer ids whose switch ids derive equal STANs: about 1 400 ids make such a pair likely
   * (birthday bound). The STAN derives from the switch's id, which is keyed by payer and the client's id.
   */
  function collidingIds(): [string, string] {
    const byStan = new Map<string, string>();
    for (let attempt = 0; attempt < 200_000; attempt += 1) {
      const id = randomUUID();
      const stan = outboundIdentifiers(payerScopedTransferId(MARGALLA.id, id), '2026-11-28T10:00:00.000Z').systemTraceAuditNumber;
      const other = byStan.get(stan);
      if (other !== undefined) return [other, id];
      byStan.set(stan, id);
    }
    throw new Error('no two ids with the same derived STAN');
  }

  it('are both credited: the second waits for the first’s answer instead of sharing its match key', async () => {
    const [firstId, secondId] = collidingIds();
    requestBank.answerNext('request', { responseCode: '00', delayMs: 150 });
    const [first, second] = await Promise.all([
      pay(customerIban('ASKB', 21), '1.00', firstId),
      pay(customerIban('ASKB', 22), '2.00', secondId),
    ]);
    expect([first.state, second.state]).toEqual(['COMMITTED', 'COMMITTED']);
    const requests = requestBank
      .ofKind('request')
      .filter(
        (entry) => entry.message.payeeAccount === customerIban('ASKB', 21) || entry.message.payeeAccount === customerIban('ASKB', 22),
      );
    expect(requests).toHaveLength(2);
    expect(requests[0]?.message.systemTraceAuditNumber).toBe(requests[1]?.message.systemTraceAuditNumber);
    expect(requests[0]?.message.retrievalReferenceNumber).not.toBe(requests[1]?.message.retrievalReferenceNumber);
  });

  it('each end by their own answer when the first timed out and its late approval arrives while the second waits', async () => {
    const [firstId, secondId] = collidingIds();
    // The first is approved only after its deadline has passed; the second is refused (14), a little after that approval.
    requestBank.answerNext(
      'request',
      { responseCode: '00', delayMs: PAYEE_DEADLINE_MS + 300 },
      { responseCode: '14', delayMs: PAYEE_DEADLINE_MS - 150 },
    );
    const first = await pay(customerIban('ASKB', 23), '3.00', firstId);
    expect(first).toMatchObject({ state: 'ABORTED', abortReason: 'PAYEE_TIMEOUT' });
    const second = await pay(customerIban('ASKB', 24), '4.00', secondId);
    // Taking the first's late 00 for its own answer would commit money the bank never credited.
    expect(second).toMatchObject({ state: 'ABORTED', abortReason: 'PAYEE_REJECTED' });
    const aborted = (await eventsOf(`transfer-${second.switchTransferId}`)).find((event) => event.type === 'TransferAborted');
    expect(aborted?.data).toMatchObject({ reason: 'PAYEE_REJECTED', detail: '14' });
  });
});

describe('credit advices (0220) to a bank in ADVICE mode', () => {
  it('commits at once and advises the bank store-and-forward, with the same derived identifiers on every repeat', async () => {
    adviceBank.answerNext('advice', { responseCode: '91' });
    const payee = customerIban('HABB', 3);
    const view = await pay(payee, '500.00');
    expect(view.state).toBe('COMMITTED');
    const outbox = network.sw.running.transfers.bankChannel.outbox;
    await waitUntil(
      () => outbox.inspect(`CREDIT_ADVICE:${view.switchTransferId}`).status === 'delivered',
      'the advice is delivered',
      10_000,
    );
    const advices = adviceBank.ofKind('advice').filter((entry) => entry.message.payeeAccount === payee);
    expect(advices).toHaveLength(2);
    const derived = outboundIdentifiers(view.switchTransferId, view.createdAt);
    for (const advice of advices) {
      expect(advice.message).toMatchObject({
        systemTraceAuditNumber: derived.systemTraceAuditNumber,
        retrievalReferenceNumber: derived.retrievalReferenceNumber,
        amountMinor: 50_000n,
      });
    }
    expect(advices[0]?.message.transferId).toBe(advices[1]?.message.transferId);
    expect(adviceBank.ofKind('request')).toHaveLength(0);
  });
});

describe('who may sign on', () => {
  async function signOn(institutionId: string): Promise<string | undefined> {
    const peer = await RawIsoPeer.connect(network.iso8583Port);
    peers.push(peer);
    const answer = await peer.exchange({
      mti: '0800',
      fields: { 7: '1128101530', 11: '000001', 32: institutionId, 41: 'RAWPEER1', 70: '001' },
    });
    return answer.fields[39];
  }

  it('accepts a bank registered by host name when the name resolves to the peer’s address', async () => {
    expect(await signOn('600023')).toBe('00');
  });

  it('refuses a bank whose registered host name does not resolve', async () => {
    expect(await signOn('600024')).toBe('05');
  });
});
