import { encodeFrame } from '../../../adapters/iso8583/framing';
import { packMessage } from '../../../adapters/iso8583/packager';
import { Iso8583Server } from '../../../adapters/iso8583/server';
import { BankAccounts } from '../../../simulators/bank/bank-accounts';
import { normalBehaviour } from '../../../simulators/bank/bank-host-behaviour';
import { BankHostLedger } from '../../../simulators/bank/bank-host-ledger';
import { BANK_INSTITUTION_ID, networkRequest, PAYEE_ACCOUNT, transferRequest } from './messages';
import { RawIsoPeer } from './raw-iso-peer';
import { seededRandom } from '../../support/seeded-random';

/**
 * A flood of malformed traffic against the inbound port: random bytes, truncated frames, wrong bitmaps,
 * oversize headers, empty frames and trailing junk, from many connections at once, while a signed-on bank
 * keeps sending transfers. Every frame that frames is answered 30 (or ignored when it is a response); every
 * stream that cannot be framed is dropped; the good traffic is served throughout and afterwards.
 */

const random = seededRandom(0x15a8583);
const integer = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const bytes = (length: number): Buffer => Buffer.from(Array.from({ length }, () => integer(0, 255)));
const digits = (length: number): string => Array.from({ length }, () => String(integer(0, 9))).join('');

/** Field numbers the profile does not define: a bitmap announcing any of them is wrong. */
const foreignFields = [2, 5, 6, 14, 22, 35, 45, 52, 55, 64, 65, 99, 127, 128];

function wrongBitmapFrame(): Buffer {
  const secondary = random() < 0.5;
  const bitmap = bytes(secondary ? 16 : 8);
  bitmap[0] = ((bitmap[0] ?? 0) & 0x7f) | (secondary ? 0x80 : 0);
  const foreign = foreignFields[integer(0, foreignFields.length - 1)] ?? 2;
  const bit = secondary ? foreign : Math.min(foreign, 64);
  bitmap[(bit - 1) >> 3] = (bitmap[(bit - 1) >> 3] ?? 0) | (0x80 >> ((bit - 1) & 7));
  return encodeFrame(Buffer.concat([Buffer.from('0200'), bitmap, Buffer.from(digits(integer(0, 120)))]));
}

/** Frames that frame but do not parse, each answered 30 in the 0210 class. */
function malformedFinancialFrames(): Buffer[] {
  const valid = packMessage(transferRequest('000900'));
  return [
    wrongBitmapFrame(),
    encodeFrame(Buffer.alloc(0)),
    encodeFrame(valid.subarray(0, integer(5, valid.length - 1))),
    encodeFrame(Buffer.concat([valid, Buffer.from('JUNK')])),
    encodeFrame(Buffer.concat([Buffer.from('0200'), Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0])])),
    encodeFrame(Buffer.concat([Buffer.from('02X0'), bytes(integer(0, 60))])),
  ];
}

describe('a flood of malformed frames', () => {
  let server: Iso8583Server;
  let port: number;
  let accounts: BankAccounts;
  const peers: RawIsoPeer[] = [];

  beforeAll(async () => {
    accounts = new BankAccounts();
    accounts.open(PAYEE_ACCOUNT, 0n);
    server = new Iso8583Server({
      port: 0,
      authorizeInstitution: (_peerAddress, institutionId) => (institutionId === BANK_INSTITUTION_ID ? 'bank-a' : null),
      handler: new BankHostLedger(
        accounts,
        () => normalBehaviour,
        () => Promise.resolve(),
      ),
      connectionsMax: 1_000,
    });
    port = (await server.listen()).port;
  });

  afterAll(async () => {
    for (const peer of peers) peer.destroy();
    await server.close();
  });

  async function connect(): Promise<RawIsoPeer> {
    const peer = await RawIsoPeer.connect(port);
    peers.push(peer);
    return peer;
  }

  it('answers, ignores or drops each kind of bad input while a signed-on bank keeps being served', async () => {
    const good = await connect();
    expect((await good.exchange(networkRequest('001', '000001'))).fields[39]).toBe('00');
    let goodStan = 100;
    const goodTraffic = async (): Promise<string[]> => {
      const answers: string[] = [];
      for (let round = 0; round < 20; round++) {
        const answer = await good.exchange(transferRequest(String(goodStan++).padStart(6, '0'), { amountMinor: 100n }));
        answers.push(answer.fields[39] ?? 'none');
      }
      return answers;
    };

    const framedButMalformed = async (): Promise<string[]> => {
      const peer = await connect();
      const frames = Array.from({ length: 3 }, malformedFinancialFrames).flat();
      const answers: string[] = [];
      for (const frame of frames) {
        peer.sendBytes(frame);
        const answer = await peer.nextMessage();
        answers.push(`${answer.mti}/${answer.fields[39] ?? ''}`);
      }
      // A malformed response is not answered (no ping-pong), and the connection stays up.
      peer.sendBytes(encodeFrame(Buffer.from('0210garbage')));
      expect(await peer.noMessageWithin(50)).toBeNull();
      expect((await peer.exchange(networkRequest('301', '000002', null))).fields[39]).toBe('00');
      return answers;
    };

    const unframeable = async (kind: 'oversize' | 'random' | 'truncated' | 'noise'): Promise<boolean> => {
      const peer = await connect();
      if (kind === 'oversize') peer.sendBytes(Buffer.concat([Buffer.from([integer(0x21, 0xff), integer(0, 255)]), bytes(integer(0, 40))]));
      if (kind === 'random') peer.sendBytes(Buffer.concat([Buffer.from([integer(0x21, 0xff)]), bytes(integer(1, 300))]));
      if (kind === 'truncated') {
        const frame = encodeFrame(packMessage(transferRequest('000777')));
        peer.sendBytes(frame.subarray(0, integer(1, frame.length - 1)));
        peer.destroy();
        return true;
      }
      if (kind === 'noise') {
        // Anything at all: it may frame, partly frame, or not; the peer then vanishes.
        peer.sendBytes(bytes(integer(1, 2_000)));
        await new Promise((resolve) => setTimeout(resolve, 20));
        peer.destroy();
        return true;
      }
      return peer.closedWithin(2_000);
    };

    const kinds = ['oversize', 'random', 'truncated', 'noise'] as const;
    const [goodAnswers, malformedAnswers, dropped] = await Promise.all([
      goodTraffic(),
      Promise.all(Array.from({ length: 10 }, framedButMalformed)),
      Promise.all(Array.from({ length: 80 }, (_unused, index) => unframeable(kinds[index % kinds.length] ?? 'random'))),
    ]);

    expect(goodAnswers).toEqual(Array(20).fill('00'));
    expect(new Set(malformedAnswers.flat())).toEqual(new Set(['0210/30']));
    expect(malformedAnswers.flat()).toHaveLength(10 * 18);
    expect(dropped.every((wasDropped) => wasDropped)).toBe(true);

    const statistics = server.statistics();
    expect(statistics.malformedFrames).toBeGreaterThanOrEqual(10 * 18 + 10);
    expect(statistics.connectionsDropped.oversize_frame).toBeGreaterThanOrEqual(40);

    // Afterwards: a new bank connection signs on and is served, and the good connection still is.
    const fresh = await connect();
    expect((await fresh.exchange(networkRequest('001', '000003'))).fields[39]).toBe('00');
    expect((await fresh.exchange(transferRequest('000500', { amountMinor: 100n }))).fields[39]).toBe('00');
    expect((await good.exchange(transferRequest('000501', { amountMinor: 100n }))).fields[39]).toBe('00');
    expect(accounts.balanceOf(PAYEE_ACCOUNT)).toBe(22n * 100n);
    for (const peer of peers) expect(peer.unparseableFrames).toEqual([]);
  });

  it('drops a connection that sends nothing but malformed frames, after a bounded number of answers', async () => {
    const peer = await connect();
    const frame = encodeFrame(Buffer.from('0200'));
    peer.sendBytes(Buffer.concat(Array.from({ length: 100 }, () => frame)));
    expect(await peer.closedWithin(2_000)).toBe(true);
    expect(server.statistics().connectionsDropped.too_many_malformed_frames).toBe(1);
  });
});
