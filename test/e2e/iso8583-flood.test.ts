import { encodeFrame } from '../../adapters/iso8583/framing';
import { packMessage } from '../../adapters/iso8583/packager';
import { buildTransferRequest } from '../../adapters/iso8583/mapping';
import { RawIsoPeer } from '../integration/iso8583/raw-iso-peer';
import { PaymentNetwork, customerIban, openingBalanceMinor } from '../support/payment-network';
import { seededRandom } from '../support/seeded-random';

/**
 * Issue 5 items 4 and 6, a short version through the real switch: while raw peers flood its ISO 8583 port with
 * random bytes, truncated frames, wrong bitmaps and oversize headers, a signed-on bank host keeps paying another
 * bank, and every one of its transfers completes; afterwards the port still serves newcomers.
 */

const INDUS = { id: 'INDUS', bankCode: 'INDB', institutionId: '600001' };
const MEEZAN = { id: 'MEEZAN', bankCode: 'MEZN', institutionId: '600002' };

const random = seededRandom(0x8583);
const integer = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const randomBytes = (length: number): Buffer => Buffer.from(Array.from({ length }, () => integer(0, 255)));

const validRequest = packMessage(
  buildTransferRequest({
    systemTraceAuditNumber: '000777',
    transmissionDateTime: '1128101530',
    localTime: '151530',
    localDate: '1128',
    acquirerInstitutionId: INDUS.institutionId,
    retrievalReferenceNumber: '533210000777',
    terminalId: 'FLOODER1',
    processingCode: '400000',
    amountMinor: 100n,
    currency: 'PKR',
    payerAccount: customerIban(INDUS.bankCode, 1),
    payeeAccount: customerIban(MEEZAN.bankCode, 1),
  }),
);

/** Frames that frame but cannot parse: each deserves a 30 (or nothing, for one that reads as a response). */
function malformedFrame(): Buffer {
  switch (integer(0, 4)) {
    case 0:
      return encodeFrame(validRequest.subarray(0, integer(5, validRequest.length - 1)));
    case 1:
      return encodeFrame(Buffer.concat([validRequest, Buffer.from('TRAILING')]));
    case 2: {
      // A primary bitmap announcing fields the profile does not have.
      const bitmap = randomBytes(8);
      bitmap[0] = (bitmap[0] ?? 0) & 0x7f;
      bitmap[0] |= 0x40;
      return encodeFrame(Buffer.concat([Buffer.from('0200'), bitmap, randomBytes(integer(0, 40))]));
    }
    case 3:
      return encodeFrame(Buffer.concat([Buffer.from('02X0'), randomBytes(integer(0, 60))]));
    default:
      return encodeFrame(Buffer.alloc(0));
  }
}

/** Byte streams that cannot be framed at all: the switch drops the connection. */
function unframeable(): Buffer {
  return integer(0, 1) === 0 ? Buffer.from([0xff, 0xff, ...randomBytes(16)]) : Buffer.from([0x7f, 0xf0]);
}

let network: PaymentNetwork;
const peers: RawIsoPeer[] = [];

beforeAll(async () => {
  network = await PaymentNetwork.start([INDUS, MEEZAN], [], { HISAAB_PAYEE_DEADLINE_MS: '3000' });
  await network.connectBank(INDUS.id);
});

afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await network.close();
});

it('keeps serving a signed-on bank while malformed traffic floods the port', async () => {
  const port = network.iso8583Port;
  const flooders = await Promise.all(Array.from({ length: 8 }, () => RawIsoPeer.connect(port)));
  peers.push(...flooders);
  const cutters = await Promise.all(Array.from({ length: 4 }, () => RawIsoPeer.connect(port)));
  peers.push(...cutters);

  const indus = network.bank(INDUS.id).simulator;
  const meezan = network.bank(MEEZAN.id);
  const payee = meezan.customers[0];
  const transfersCount = 24;
  let paying = true;
  let floodRounds = 0;
  // Fewer rounds than the 64 malformed frames in a row after which a connection is dropped as not speaking the profile.
  const floodRoundsMax = 60;
  const flood = (async () => {
    while (floodRounds < floodRoundsMax && (paying || floodRounds < 10)) {
      for (const flooder of flooders) flooder.sendBytes(malformedFrame());
      floodRounds += 1;
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    for (const cutter of cutters) cutter.sendBytes(unframeable());
  })();
  const payments = (async () => {
    const results = [];
    for (let index = 0; index < transfersCount; index += 4) {
      const batch = Array.from({ length: 4 }, () =>
        indus.sendTransfer({ payerAccount: customerIban(INDUS.bankCode, 1), payee, amountMinor: 1_000n, timeoutMs: 5_000 }),
      );
      results.push(...(await Promise.all(batch)));
    }
    paying = false;
    return results;
  })();
  const [, results] = await Promise.all([flood, payments]);

  expect(results.map((result) => result.status)).toEqual(Array.from({ length: transfersCount }, () => 'approved'));
  expect(meezan.simulator.accounts.balanceOf(payee)).toBe(openingBalanceMinor + BigInt(transfersCount) * 1_000n);

  // Every frame that framed was answered 30 in the 0210 class; none of the answers is itself malformed.
  for (const flooder of flooders) {
    for (let answered = 0; answered < floodRounds; answered += 1) {
      expect(await flooder.nextMessage(5_000)).toMatchObject({ mti: '0210', fields: { 39: '30' } });
    }
    expect(flooder.unparseableFrames).toEqual([]);
    expect(flooder.isClosed).toBe(false);
  }
  for (const cutter of cutters) expect(await cutter.closedWithin(5_000)).toBe(true);
  const statistics = network.sw.running.transfers.bankChannel.inboundServer?.statistics();
  expect(statistics?.malformedFrames).toBe(flooders.length * floodRounds);
  expect(statistics?.connectionsDropped.oversize_frame).toBe(cutters.length);

  // A newcomer is still served: echo, and a sign-on.
  const newcomer = await RawIsoPeer.connect(port);
  peers.push(newcomer);
  const echo = await newcomer.exchange({ mti: '0800', fields: { 7: '1128101530', 11: '000001', 41: 'NEWCOMER', 70: '301' } });
  expect(echo.fields[39]).toBe('00');
});
