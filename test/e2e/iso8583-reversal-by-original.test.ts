import {
  buildReversalAdvice,
  buildTransferRequest,
  originalDataElementsOf,
  transferIdFor,
  type FinancialRequest,
} from '../../adapters/iso8583/mapping';
import type { Iso8583Message } from '../../adapters/iso8583/message';
import { RawIsoPeer } from '../integration/iso8583/raw-iso-peer';
import { PaymentNetwork, customerIban } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';

/**
 * Issue 9 defect 2: a bank's 0420 names the transfer it reverses by DE90 (original MTI, STAN, DE7, acquirer),
 * whatever DE37 it carries; some banks repeat the original's RRN, others give the reversal its own. A 0420 for a
 * transfer the switch never saw is recorded durably, and the late 0200 it names is declined (12), also after the
 * switch restarts on the same data dir. Bank hosts are the simulator and a raw peer over real TCP.
 */

const INDUS = { id: 'INDUS', bankCode: 'INDB', institutionId: '600001' };
const MARGALLA = { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923001234567' };

type Transfer = { id: string; state: string; reversed: boolean };

let network: PaymentNetwork;
const peers: RawIsoPeer[] = [];
let stanCounter = 300;

beforeAll(async () => {
  network = await PaymentNetwork.start([INDUS], [MARGALLA]);
  await network.connectBank(INDUS.id);
});

afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await network.close();
});

function nextStan(): string {
  stanCounter += 1;
  return String(stanCounter).padStart(6, '0');
}

async function signedOnPeer(): Promise<RawIsoPeer> {
  const peer = await RawIsoPeer.connect(network.iso8583Port);
  peers.push(peer);
  const answer = await peer.exchange({
    mti: '0800',
    fields: { 7: '1203101530', 11: nextStan(), 32: INDUS.institutionId, 41: 'RAWPEER2', 70: '001' },
  });
  expect(answer.fields[39]).toBe('00');
  return peer;
}

function request(): FinancialRequest {
  const stan = nextStan();
  return {
    systemTraceAuditNumber: stan,
    transmissionDateTime: '1203101530',
    localTime: '151530',
    localDate: '1203',
    acquirerInstitutionId: INDUS.institutionId,
    retrievalReferenceNumber: `63370${stan.padStart(7, '0')}`,
    terminalId: 'RAWPEER2',
    processingCode: '400000',
    amountMinor: 25_000n,
    currency: 'PKR',
    payerAccount: customerIban(INDUS.bankCode, 1),
    payeeAccount: MARGALLA.msisdn,
  };
}

/** A 0420 for the original with its own STAN, DE7 and a DE37 of its own (not the original's). */
function reversalWithNewReference(original: Iso8583Message): Iso8583Message {
  const stan = nextStan();
  return buildReversalAdvice({
    systemTraceAuditNumber: stan,
    transmissionDateTime: '1203101600',
    acquirerInstitutionId: INDUS.institutionId,
    retrievalReferenceNumber: `63371${stan.padStart(7, '0')}`,
    terminalId: 'RAWPEER2',
    processingCode: '400000',
    amountMinor: 25_000n,
    currency: 'PKR',
    original: originalDataElementsOf(original),
  });
}

function idOf(message: Iso8583Message): string {
  return transferIdFor({
    acquirerInstitutionId: message.fields[32] ?? '',
    retrievalReferenceNumber: message.fields[37] ?? '',
    systemTraceAuditNumber: message.fields[11] ?? '',
    transmissionDateTime: message.fields[7] ?? '',
  });
}

async function transfer(id: string): Promise<Transfer> {
  const answer = await network.sw.client.get(`/v1/transfers/${id}`, { key: network.sw.operatorKey });
  expect(answer.status).toBe(200);
  return answer.body as Transfer;
}

async function transferEvents(id: string): Promise<string[]> {
  return (await network.sw.running.store.readStream(`transfer-${id}`, 0n, 100)).map((event) => event.type);
}

async function position(participantId: string): Promise<string> {
  return ((await network.sw.client.get(`/v1/participants/${participantId}`, { key: network.sw.operatorKey })).body as { position: string })
    .position;
}

it('reverses the original named by DE90 when the 0420 carries a DE37 of its own', async () => {
  const indus = network.bank(INDUS.id).simulator;
  const positionBefore = await position(INDUS.id);
  const result = await indus.sendTransfer({
    payerAccount: customerIban(INDUS.bankCode, 1),
    payee: MARGALLA.msisdn,
    amountMinor: 40_000n,
    timeoutMs: 5_000,
  });
  expect(result.status).toBe('approved');
  if (result.status !== 'approved') return;
  const reversal = await indus.sendReversal(result.request, { timeoutMs: 5_000, attemptsMax: 1, retrievalReferenceNumber: 'new' });
  expect(reversal).toEqual({ acknowledged: true, attempts: 1, responseCode: '00' });
  expect(await transfer(result.transferId)).toMatchObject({ state: 'COMMITTED', reversed: true });
  await waitUntil(async () => (await position(INDUS.id)) === positionBefore, 'the payer bank’s position is restored');
  // A repeat (0421) with yet another DE37 reverses nothing more and is acknowledged again.
  const repeat = await indus.sendReversal(result.request, { timeoutMs: 5_000, attemptsMax: 1, retrievalReferenceNumber: 'new' });
  expect(repeat.responseCode).toBe('00');
  expect((await transferEvents(result.transferId)).filter((type) => type === 'TransferReversed')).toHaveLength(1);
});

it('still reverses when the 0420 repeats the original’s DE37', async () => {
  const peer = await signedOnPeer();
  const original = buildTransferRequest(request());
  expect((await peer.exchange(original, 5_000)).fields[39]).toBe('00');
  const advice = buildReversalAdvice({
    ...request(),
    retrievalReferenceNumber: original.fields[37] ?? '',
    original: originalDataElementsOf(original),
  });
  expect((await peer.exchange(advice, 5_000)).fields[39]).toBe('00');
  expect(await transfer(idOf(original))).toMatchObject({ state: 'COMMITTED', reversed: true });
});

it('declines (12) the late 0200 of a reversal that came first with a DE37 of its own, and finds originals, also after a restart', async () => {
  const peer = await signedOnPeer();
  const original = buildTransferRequest(request());
  const beforeRestart = buildTransferRequest(request());
  const approvedBeforeRestart = buildTransferRequest(request());
  expect((await peer.exchange(approvedBeforeRestart, 5_000)).fields[39]).toBe('00');
  expect((await peer.exchange(reversalWithNewReference(original), 5_000)).fields[39]).toBe('00');
  expect((await peer.exchange(reversalWithNewReference(beforeRestart), 5_000)).fields[39]).toBe('00');
  // A repeat of the reversal (0421) is acknowledged again.
  expect((await peer.exchange({ ...reversalWithNewReference(original), mti: '0421' }, 5_000)).fields[39]).toBe('00');
  const late = await peer.exchange(original, 5_000);
  expect(late).toMatchObject({ mti: '0210', fields: { 39: '12' } });
  expect(await transferEvents(idOf(original))).toEqual([]);

  await network.restartSwitch();
  const afterRestart = await signedOnPeer();
  const lateAfterRestart = await afterRestart.exchange(beforeRestart, 5_000);
  expect(lateAfterRestart).toMatchObject({ mti: '0210', fields: { 39: '12' } });
  expect(await transferEvents(idOf(beforeRestart))).toEqual([]);
  // What a 0200 became is found after the restart too: a 0420 with a DE37 of its own reverses it.
  expect((await afterRestart.exchange(reversalWithNewReference(approvedBeforeRestart), 5_000)).fields[39]).toBe('00');
  expect(await transfer(idOf(approvedBeforeRestart))).toMatchObject({ state: 'COMMITTED', reversed: true });
});

it('declines (94) a 0200 with the DE11 and DE7 of another transfer of the same bank but a DE37 of its own', async () => {
  const peer = await signedOnPeer();
  const first = request();
  expect((await peer.exchange(buildTransferRequest(first), 5_000)).fields[39]).toBe('00');
  const impostor = buildTransferRequest({ ...first, retrievalReferenceNumber: '633799999999' });
  expect((await peer.exchange(impostor, 5_000)).fields[39]).toBe('94');
  expect(await transferEvents(idOf(impostor))).toEqual([]);
});

it('declines (12) a repeat of a 0200 whose transfer its 0420 reversed: an approval would contradict the 0430', async () => {
  const peer = await signedOnPeer();
  const original = buildTransferRequest(request());
  expect((await peer.exchange(original, 5_000)).fields[39]).toBe('00');
  expect((await peer.exchange(reversalWithNewReference(original), 5_000)).fields[39]).toBe('00');
  expect(await transfer(idOf(original))).toMatchObject({ state: 'COMMITTED', reversed: true });
  const repeat = await peer.exchange(original, 5_000);
  expect(repeat).toMatchObject({ mti: '0210', fields: { 39: '12' } });
  expect(repeat.fields[38]).toBeUndefined();
  expect((await transferEvents(idOf(original))).filter((type) => type === 'TransferReversed')).toHaveLength(1);
});

it('never acknowledges a 0420 that overtakes its own 0200 on another connection while the transfer stands', async () => {
  const first = await signedOnPeer();
  const second = await signedOnPeer();
  const wallet = network.wallet(MARGALLA.id).simulator;
  // The payee takes a moment, so that the 0420 arrives while its 0200 is still being executed.
  wallet.setMode({ mode: 'slow', delayMs: 30 }, ['CREDIT_REQUEST']);
  try {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const original = buildTransferRequest(request());
      const requesting = first.exchange(original, 10_000);
      if (attempt % 2 === 1) await new Promise((resolve) => setTimeout(resolve, 10));
      const reversing = second.exchange(reversalWithNewReference(original), 10_000);
      const [answer, reversal] = await Promise.all([requesting, reversing]);
      expect(reversal.fields[39]).toBe('00');
      if (answer.fields[39] === '00') expect(await transfer(idOf(original))).toMatchObject({ state: 'COMMITTED', reversed: true });
      else expect(answer.fields[39]).toBe('12');
    }
  } finally {
    wallet.setMode({ mode: 'accept' });
  }
});
