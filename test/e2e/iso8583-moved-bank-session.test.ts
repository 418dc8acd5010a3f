import { buildTransferRequest, type FinancialRequest } from '../../adapters/iso8583/mapping';
import { RawIsoPeer } from '../integration/iso8583/raw-iso-peer';
import { PaymentNetwork, customerIban } from '../support/payment-network';

/**
 * A bank's sign-on is judged against its endpoints (institution id, host). Once the operator changes them
 * (PATCH /v1/participants/{id}), a connection that signed on under the old ones no longer speaks for the bank: it
 * must sign on again and be judged against the new ones. Real switch, real TCP, real SQLite.
 */

const INDUS = { id: 'INDUS', bankCode: 'INDB', institutionId: '600001' };
const MEEZAN = { id: 'MEEZAN', bankCode: 'MEZN', institutionId: '600002' };
const MARGALLA = { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923001234567' };

let network: PaymentNetwork;
const peers: RawIsoPeer[] = [];
let stanCounter = 300;

beforeAll(async () => {
  network = await PaymentNetwork.start([INDUS, MEEZAN], [MARGALLA], { HISAAB_PAYEE_DEADLINE_MS: '2000' });
});

afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await network.close();
});

function nextStan(): string {
  stanCounter += 1;
  return String(stanCounter).padStart(6, '0');
}

async function signedOnPeer(institutionId: string): Promise<RawIsoPeer> {
  const peer = await RawIsoPeer.connect(network.iso8583Port);
  peers.push(peer);
  const answer = await peer.exchange({
    mti: '0800',
    fields: { 7: '1128101530', 11: nextStan(), 32: institutionId, 41: 'RAWPEER1', 70: '001' },
  });
  expect(answer.fields[39]).toBe('00');
  return peer;
}

function transferFrom(bank: { bankCode: string; institutionId: string }): FinancialRequest {
  const stan = nextStan();
  return {
    systemTraceAuditNumber: stan,
    transmissionDateTime: '1128101530',
    localTime: '151530',
    localDate: '1128',
    acquirerInstitutionId: bank.institutionId,
    retrievalReferenceNumber: `53321${stan.padStart(7, '0')}`,
    terminalId: 'RAWPEER1',
    processingCode: '400000',
    amountMinor: 10_000n,
    currency: 'PKR',
    payerAccount: customerIban(bank.bankCode, 1),
    payeeAccount: MARGALLA.msisdn,
  };
}

async function changeEndpoints(participantId: string, endpoints: Record<string, unknown>): Promise<void> {
  const answer = await network.sw.client.patch(`/v1/participants/${participantId}`, {
    key: network.sw.operatorKey,
    body: { endpoints },
  });
  expect(answer.status).toBe(200);
}

it('refuses money from a connection signed on at the host the bank moved away from, and records nothing', async () => {
  const peer = await signedOnPeer(INDUS.institutionId);
  // The bank's host is now elsewhere (a documentation address): loopback is no longer the bank.
  await changeEndpoints(INDUS.id, { iso8583: '192.0.2.10:5000', institutionId: INDUS.institutionId });
  const before = await network.sw.running.store.headPosition();
  const answer = await peer.exchange(buildTransferRequest(transferFrom(INDUS)));
  expect(answer).toMatchObject({ mti: '0210', fields: { 39: '05' } });
  expect(await network.sw.running.store.headPosition()).toBe(before);
  // A new sign-on from loopback is judged against the new host, and refused.
  const again = await peer.exchange({
    mti: '0800',
    fields: { 7: '1128101530', 11: nextStan(), 32: INDUS.institutionId, 41: 'RAWPEER1', 70: '001' },
  });
  expect(again.fields[39]).toBe('05');
});

it('refuses money signed on under an institution id the bank no longer has; a sign-on with the new one is served', async () => {
  const peer = await signedOnPeer(MEEZAN.institutionId);
  const record = await network.sw.client.get(`/v1/participants/${MEEZAN.id}`, { key: network.sw.operatorKey });
  const { iso8583 } = (record.body as { endpoints: { iso8583: string } }).endpoints;
  await changeEndpoints(MEEZAN.id, { iso8583, institutionId: '600009' });
  const before = await network.sw.running.store.headPosition();
  const stale = await peer.exchange(buildTransferRequest(transferFrom(MEEZAN)));
  expect(stale).toMatchObject({ mti: '0210', fields: { 39: '05' } });
  expect(await network.sw.running.store.headPosition()).toBe(before);

  const moved = await signedOnPeer('600009');
  const served = await moved.exchange(buildTransferRequest(transferFrom({ ...MEEZAN, institutionId: '600009' })));
  expect(served).toMatchObject({ mti: '0210', fields: { 39: '00' } });
});
