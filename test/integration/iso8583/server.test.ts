import { encodeFrame } from '../../../adapters/iso8583/framing';
import type { InboundAnswer, InboundContext, InboundFinancialHandler } from '../../../adapters/iso8583/inbound-financial-handler';
import type { InboundFinancialRequest, InboundReversalAdvice } from '../../../adapters/iso8583/mapping';
import { packMessage } from '../../../adapters/iso8583/packager';
import { Iso8583Server, type Iso8583ServerOptions } from '../../../adapters/iso8583/server';
import { BankAccounts } from '../../../simulators/bank/bank-accounts';
import { normalBehaviour, type BankHostBehaviour } from '../../../simulators/bank/bank-host-behaviour';
import { BankHostLedger } from '../../../simulators/bank/bank-host-ledger';
import { BANK_INSTITUTION_ID, financialAdvice, networkRequest, PAYEE_ACCOUNT, reversalOf, transferRequest, withoutField } from './messages';
import { RawIsoPeer } from './raw-iso-peer';

/**
 * The switch's inbound port over real TCP on loopback, driven by a bare peer that writes exact bytes. The
 * financial handler is the bank simulator's ledger (a real implementation of the handler port).
 */

type Harness = { server: Iso8583Server; port: number; accounts: BankAccounts; behaviour: BankHostBehaviour; peers: RawIsoPeer[] };
const harnesses: Harness[] = [];

async function startServer(
  options: Partial<Iso8583ServerOptions> = {},
  wrap?: (ledger: InboundFinancialHandler) => InboundFinancialHandler,
): Promise<Harness> {
  const accounts = new BankAccounts();
  accounts.open(PAYEE_ACCOUNT, 0n);
  const behaviour: BankHostBehaviour = { ...normalBehaviour };
  const ledger = new BankHostLedger(
    accounts,
    () => behaviour,
    (delayMs) => new Promise((resolve) => setTimeout(resolve, delayMs)),
  );
  const server = new Iso8583Server({
    port: 0,
    // The registry the switch keeps: institution 600001 may connect from loopback; 600002 only from its own host.
    authorizeInstitution: (peerAddress, institutionId) => {
      if (institutionId === BANK_INSTITUTION_ID && peerAddress === '127.0.0.1') return 'bank-a';
      if (institutionId === '600002' && peerAddress === '10.20.30.40') return 'bank-b';
      return null;
    },
    handler: wrap === undefined ? ledger : wrap(ledger),
    ...options,
  });
  const address = await server.listen();
  const harness: Harness = { server, port: address.port, accounts, behaviour, peers: [] };
  harnesses.push(harness);
  return harness;
}

async function peerOf(harness: Harness): Promise<RawIsoPeer> {
  const peer = await RawIsoPeer.connect(harness.port);
  harness.peers.push(peer);
  return peer;
}

async function signedOnPeer(harness: Harness): Promise<RawIsoPeer> {
  const peer = await peerOf(harness);
  const answer = await peer.exchange(networkRequest('001', '000001'));
  expect(answer.fields[39]).toBe('00');
  return peer;
}

afterEach(async () => {
  for (const harness of harnesses.splice(0)) {
    for (const peer of harness.peers) {
      expect(peer.unparseableFrames).toEqual([]);
      peer.destroy();
    }
    await harness.server.close();
  }
});

describe('network management', () => {
  it('answers echo, sign-on and sign-off with 0810 39=00, echoing DE7, DE11, DE32, DE41 and DE70', async () => {
    const harness = await startServer();
    const peer = await peerOf(harness);
    const echo = await peer.exchange(networkRequest('301', '000001', null));
    expect(echo).toEqual({ mti: '0810', fields: { 7: '1128101530', 11: '000001', 39: '00', 41: 'BANKA001', 70: '301' } });
    expect((await peer.exchange(networkRequest('001', '000002'))).fields).toMatchObject({
      11: '000002',
      32: BANK_INSTITUTION_ID,
      39: '00',
      70: '001',
    });
    expect((await peer.exchange(networkRequest('002', '000003'))).fields).toMatchObject({ 11: '000003', 39: '00', 70: '002' });
    expect(harness.server.statistics().signOns).toBe(1);
  });

  it('refuses a sign-on from an unknown institution, or from a known one at the wrong address, with 05', async () => {
    const harness = await startServer();
    const peer = await peerOf(harness);
    expect((await peer.exchange(networkRequest('001', '000001', '699999'))).fields[39]).toBe('05');
    expect((await peer.exchange(networkRequest('001', '000002', '600002'))).fields[39]).toBe('05');
    expect((await peer.exchange(transferRequest('000003'))).fields[39]).toBe('05');
    expect(harness.server.statistics()).toMatchObject({ signOnsRefused: 2, financialMessagesRefused: 1 });
  });

  it('answers 30 to a sign-on without DE32 and 12 to an unknown network management code', async () => {
    const harness = await startServer();
    const peer = await peerOf(harness);
    expect((await peer.exchange(networkRequest('001', '000001', null))).fields[39]).toBe('30');
    expect((await peer.exchange({ mti: '0800', fields: { 7: '1128101530', 11: '000002', 70: '161' } })).fields[39]).toBe('12');
  });
});

describe('financial messages', () => {
  it('refuses a 0200 before sign-on and after sign-off with 05, and executes it in between', async () => {
    const harness = await startServer();
    const peer = await peerOf(harness);
    expect((await peer.exchange(transferRequest('000010'))).fields[39]).toBe('05');
    expect(harness.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(0n);

    expect((await peer.exchange(networkRequest('001', '000011'))).fields[39]).toBe('00');
    const approved = await peer.exchange(transferRequest('000012'));
    expect(approved.mti).toBe('0210');
    expect(approved.fields).toMatchObject({
      4: '000000150050',
      11: '000012',
      32: BANK_INSTITUTION_ID,
      37: '533210000012',
      39: '00',
      41: 'BANKA001',
    });
    expect(approved.fields[38]).toMatch(/^[0-9]{6}$/);
    expect(harness.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(150_050n);

    expect((await peer.exchange(networkRequest('002', '000013'))).fields[39]).toBe('00');
    expect((await peer.exchange(transferRequest('000014'))).fields[39]).toBe('05');
    expect(harness.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(150_050n);
  });

  it('refuses a financial message whose DE32 is not the institution signed on', async () => {
    const harness = await startServer();
    const peer = await signedOnPeer(harness);
    expect((await peer.exchange(transferRequest('000020', { acquirerInstitutionId: '600002' }))).fields[39]).toBe('05');
    // One institution per connection: signing on as another is refused too.
    expect((await peer.exchange(networkRequest('001', '000021', '600002'))).fields[39]).toBe('05');
  });

  it('answers 30, echoing the identifiers, when a mandatory field is missing', async () => {
    const harness = await startServer();
    const peer = await signedOnPeer(harness);
    const answer = await peer.exchange(withoutField(transferRequest('000030'), 102));
    expect(answer).toMatchObject({ mti: '0210', fields: { 11: '000030', 32: BANK_INSTITUTION_ID, 39: '30', 41: 'BANKA001' } });
    const reversal = await peer.exchange(withoutField(reversalOf(transferRequest('000031'), '000032'), 90));
    expect(reversal).toMatchObject({ mti: '0430', fields: { 11: '000032', 39: '30' } });
    expect(harness.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(0n);
  });

  it('answers 12 for another transaction type, 13 for a zero amount or another currency, 14 for an unknown account', async () => {
    const harness = await startServer();
    const peer = await signedOnPeer(harness);
    expect((await peer.exchange(transferRequest('000040', { processingCode: '000000' }))).fields[39]).toBe('12');
    expect((await peer.exchange(transferRequest('000041', { amountMinor: 0n }))).fields[39]).toBe('13');
    expect((await peer.exchange({ mti: '0200', fields: { ...transferRequest('000042').fields, 49: '999' } })).fields[39]).toBe('13');
    expect((await peer.exchange(transferRequest('000043', { payeeAccount: 'PK00NONE0000000000000000' }))).fields[39]).toBe('14');
    expect((await peer.exchange({ mti: '0100', fields: { 11: '000044', 41: 'BANKA001' } })).mti).toBe('0110');
  });

  it('answers every request MTI outside the profile in its response class with 12, even those the iso_8583 library cannot write', async () => {
    const harness = await startServer();
    const peer = await signedOnPeer(harness);
    // The library packs only the MTIs on its own list (0110 yes, 0310, 0710 or 0010 no): those answers were never sent.
    for (const [mti, responseMti] of [
      ['0300', '0310'],
      ['0700', '0710'],
      ['0000', '0010'],
      ['0940', '0950'],
    ] as const) {
      expect(await peer.exchange({ mti, fields: { 11: '000045', 41: 'BANKA001' } })).toMatchObject({
        mti: responseMti,
        fields: { 39: '12' },
      });
    }
  });

  it('answers a repeated 0200 the same way and credits once; reverses once with 0420 and 0421', async () => {
    const harness = await startServer();
    const peer = await signedOnPeer(harness);
    const original = transferRequest('000050');
    const first = await peer.exchange(original);
    const repeat = await peer.exchange(original);
    expect(repeat).toEqual(first);
    expect(harness.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(150_050n);

    expect((await peer.exchange(reversalOf(original, '000051'))).mti).toBe('0430');
    const repeatedReversal = reversalOf(original, '000052', { repeat: true });
    expect(await peer.exchange(repeatedReversal)).toMatchObject({
      mti: '0430',
      fields: { 11: '000052', 39: '00', 90: repeatedReversal.fields[90] },
    });
    expect(harness.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(0n);
  });

  it('applies a 0220 advice once and answers 0230', async () => {
    const harness = await startServer();
    const peer = await signedOnPeer(harness);
    const advice = financialAdvice('000060');
    expect((await peer.exchange(advice)).mti).toBe('0230');
    expect((await peer.exchange({ ...advice, mti: '0221' })).fields[39]).toBe('00');
    expect(harness.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(150_050n);
  });

  it('answers 96 when the handler fails, and keeps serving', async () => {
    const failingOnce = (ledger: InboundFinancialHandler): InboundFinancialHandler => {
      let failures = 1;
      return {
        transferRequest: (request: InboundFinancialRequest, context: InboundContext): Promise<InboundAnswer | null> => {
          if (failures-- > 0) return Promise.reject(new Error('the ledger is unreachable'));
          return ledger.transferRequest(request, context);
        },
        financialAdvice: (advice: InboundFinancialRequest, context: InboundContext) => ledger.financialAdvice(advice, context),
        reversalAdvice: (advice: InboundReversalAdvice, context: InboundContext) => ledger.reversalAdvice(advice, context),
      };
    };
    const harness = await startServer({}, failingOnce);
    const peer = await signedOnPeer(harness);
    expect((await peer.exchange(transferRequest('000070'))).fields[39]).toBe('96');
    expect((await peer.exchange(transferRequest('000071'))).fields[39]).toBe('00');
    expect(harness.server.statistics().handlerFailures).toBe(1);
  });

  it('sends no answer when the handler misses its deadline (the bank then reverses)', async () => {
    const harness = await startServer({ handlerTimeoutMs: 50 });
    const peer = await signedOnPeer(harness);
    harness.behaviour.delayMs = 300;
    peer.send(transferRequest('000080'));
    expect(await peer.noMessageWithin(150)).toBeNull();
    expect(harness.server.statistics().handlerTimeouts).toBe(1);
  });

  it('holds at most inFlightMax messages per connection and still answers them all', async () => {
    let running = 0;
    let runningMax = 0;
    const counting = (ledger: InboundFinancialHandler): InboundFinancialHandler => ({
      transferRequest: async (request, context) => {
        running += 1;
        runningMax = Math.max(runningMax, running);
        try {
          return await ledger.transferRequest(request, context);
        } finally {
          running -= 1;
        }
      },
      financialAdvice: (advice, context) => ledger.financialAdvice(advice, context),
      reversalAdvice: (advice, context) => ledger.reversalAdvice(advice, context),
    });
    const harness = await startServer({ connectionLimits: { inFlightMax: 3 } }, counting);
    const peer = await signedOnPeer(harness);
    harness.behaviour.delayMs = 20;
    const count = 12;
    // All in one write, so the server receives them in one chunk and must hold back the ones over the limit.
    const requests = Array.from({ length: count }, (_unused, index) =>
      transferRequest(String(100 + index).padStart(6, '0'), { amountMinor: 1n }),
    );
    peer.sendBytes(Buffer.concat(requests.map((request) => encodeFrame(packMessage(request)))));
    const answers = await Promise.all(Array.from({ length: count }, () => peer.nextMessage()));
    expect(answers.map((answer) => answer.fields[39])).toEqual(Array(count).fill('00'));
    expect(runningMax).toBe(3);
    expect(harness.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(BigInt(count));
  });
});

describe('connection hygiene', () => {
  it('answers an odd MTI in its response class, even one the iso_8583 library does not know, and stays up', async () => {
    const harness = await startServer();
    const peer = await peerOf(harness);
    // MTI 0000 parses (no fields) and deserves a 12 in class 0010, which the packager writes past the library's list.
    peer.sendFrame(Buffer.concat([Buffer.from('0000'), Buffer.alloc(8)]));
    expect(await peer.nextMessage(2_000)).toEqual({ mti: '0010', fields: { 39: '12' } });
    expect((await peer.exchange(networkRequest('301', '000001', null))).fields[39]).toBe('00');
  });

  it('drops a silent (half-open) peer after the idle timeout, and a peer stuck inside a frame', async () => {
    const harness = await startServer({ connectionLimits: { idleTimeoutMs: 100, partialFrameTimeoutMs: 60 } });
    const silent = await peerOf(harness);
    expect(await silent.closedWithin(1_000)).toBe(true);

    const stuck = await peerOf(harness);
    stuck.sendBytes(Buffer.from([0x00, 0x40, 0x30, 0x32]));
    expect(await stuck.closedWithin(1_000)).toBe(true);
    expect(harness.server.statistics().connectionsDropped).toMatchObject({ idle_timeout: 1, partial_frame_timeout: 1 });
  });

  it('refuses connections beyond connectionsMax and from peers the admission check turns away', async () => {
    const harness = await startServer({ connectionsMax: 1 });
    const first = await signedOnPeer(harness);
    const second = await peerOf(harness);
    expect(await second.closedWithin(1_000)).toBe(true);
    expect((await first.exchange(networkRequest('301', '000002'))).fields[39]).toBe('00');

    const closedDoor = await startServer({ acceptConnection: () => false });
    const turnedAway = await peerOf(closedDoor);
    expect(await turnedAway.closedWithin(1_000)).toBe(true);
    expect(closedDoor.server.statistics().connectionsRefused).toBe(1);
  });
});
