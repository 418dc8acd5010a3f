import type { Iso8583Message } from '../../adapters/iso8583/message';
import { buildReversalAdvice, buildTransferRequest, originalDataElementsOf, transferIdFor } from '../../adapters/iso8583/mapping';
import { RawIsoPeer } from '../integration/iso8583/raw-iso-peer';
import { PaymentNetwork, customerIban } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';

/**
 * A bank takes a 0210 as final: on any code but 00 it gives its customer the money back and never reverses. So
 * the switch must not answer a decline for a transfer whose outcome it does not know yet. Until issue 10 a
 * bank's transfer to a wallet in ADVICE mode could be recorded and posted and still not finished (its advice could
 * not be queued while the wallet outbox took no deliveries), so the bank got no answer. Now the payment is one
 * durable write (the reservation, its post, TransferInitiated and TransferCommitted) and the advice is queued
 * from the log by the advice intake: the bank gets its 00 at once whatever the outbox does, the wallet its advice
 * once the outbox runs again, and a later 0420 from the bank still undoes the committed transfer.
 */

const INDUS = { id: 'INDUS', bankCode: 'INDB', institutionId: '600001' };
const JAZZ = { id: 'JAZZ', bankCode: 'JAZZ', msisdn: '923007654321', creditMode: 'ADVICE' as const };

type Transfer = { id: string; state: string; reversed: boolean };

let network: PaymentNetwork;
const peers: RawIsoPeer[] = [];

beforeAll(async () => {
  network = await PaymentNetwork.start([INDUS], [JAZZ], { HISAAB_PAYEE_DEADLINE_MS: '1000' });
});

afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await network.close();
});

async function signedOnPeer(): Promise<RawIsoPeer> {
  const peer = await RawIsoPeer.connect(network.iso8583Port);
  peers.push(peer);
  const answer = await peer.exchange({
    mti: '0800',
    fields: { 7: '1128101530', 11: '000001', 32: INDUS.institutionId, 41: 'RAWPEER1', 70: '001' },
  });
  expect(answer.fields[39]).toBe('00');
  return peer;
}

async function transfer(id: string): Promise<Transfer> {
  const answer = await network.sw.client.get(`/v1/transfers/${id}`, { key: network.sw.operatorKey });
  expect(answer.status).toBe(200);
  return answer.body as Transfer;
}

function idOf(message: Iso8583Message): string {
  return transferIdFor({
    acquirerInstitutionId: message.fields[32] ?? '',
    retrievalReferenceNumber: message.fields[37] ?? '',
    systemTraceAuditNumber: message.fields[11] ?? '',
    transmissionDateTime: message.fields[7] ?? '',
  });
}

it('answers 00 for a bank’s transfer to an ADVICE wallet while its outbox is stopped, advises it later, and reverses it on the bank’s 0420', async () => {
  const original = buildTransferRequest({
    systemTraceAuditNumber: '000101',
    transmissionDateTime: '1128101530',
    localTime: '151530',
    localDate: '1128',
    acquirerInstitutionId: INDUS.institutionId,
    retrievalReferenceNumber: '533210000101',
    terminalId: 'RAWPEER1',
    processingCode: '400000',
    amountMinor: 30_000n,
    currency: 'PKR',
    payerAccount: customerIban(INDUS.bankCode, 1),
    payeeAccount: JAZZ.msisdn,
  });
  const id = idOf(original);

  await network.sw.running.transfers.walletOutbox.stop();
  const peer = await signedOnPeer();
  expect(await peer.exchange(original, 5_000)).toMatchObject({ mti: '0210', fields: { 39: '00' } });
  expect(await transfer(id)).toMatchObject({ state: 'COMMITTED' });

  // After a restart the outbox runs again and the intake, from its checkpoint, hands the advice over.
  await network.restartSwitch();
  const jazz = network.wallet(JAZZ.id).simulator;
  await waitUntil(() => jazz.received('CREDIT_ADVICE').some((message) => message.transferId === id), 'the wallet received the advice');

  // The bank reverses all the same (its customer gave up); the switch undoes the committed transfer.
  const afterRestart = await signedOnPeer();
  const reversal = buildReversalAdvice({
    systemTraceAuditNumber: '000102',
    transmissionDateTime: '1128101600',
    acquirerInstitutionId: INDUS.institutionId,
    retrievalReferenceNumber: original.fields[37] ?? '',
    terminalId: 'RAWPEER1',
    processingCode: '400000',
    amountMinor: 30_000n,
    currency: 'PKR',
    original: originalDataElementsOf(original),
  });
  expect(await afterRestart.exchange(reversal, 5_000)).toMatchObject({ mti: '0430', fields: { 39: '00' } });
  expect(await transfer(id)).toMatchObject({ state: 'COMMITTED', reversed: true });
});
