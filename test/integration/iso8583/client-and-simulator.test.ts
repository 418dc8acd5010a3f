import { createServer, type Server, type Socket } from 'node:net';
import { Iso8583Client, type Iso8583ClientOptions } from '../../../adapters/iso8583/client';
import type { ExchangeOutcome } from '../../../adapters/iso8583/exchange-outcome';
import { encodeFrame, FrameDecoder } from '../../../adapters/iso8583/framing';
import {
  buildFinancialAdvice,
  buildReversalAdvice,
  buildTransferRequest,
  originalDataElementsOf,
  type FinancialRequest,
} from '../../../adapters/iso8583/mapping';
import type { Iso8583Message } from '../../../adapters/iso8583/message';
import { packMessage, unpackMessage } from '../../../adapters/iso8583/packager';
import { buildResponse } from '../../../adapters/iso8583/response-builder';
import { bankFaults, type BankFault, type BankFaultMixSetting } from '../../../simulators/bank/bank-faults';
import { BankHostSimulator } from '../../../simulators/bank/bank-host-simulator';
import { evenShares } from '../../../simulators/fault-mix';
import { waitUntil } from '../../support/wait-until';
import { financialRequest, PAYEE_ACCOUNT } from './messages';

/**
 * The switch's outbound channel against the bank host simulator, over real TCP on loopback: sign-on,
 * approvals and declines, deadlines, reversals, advices, reconnecting, and matching under concurrency.
 */

const SWITCH_INSTITUTION_ID = '999999';
const SWITCH_TERMINAL_ID = 'HISAAB01';

let simulator: BankHostSimulator;
const clients: Iso8583Client[] = [];

beforeEach(async () => {
  simulator = new BankHostSimulator({
    institutionId: '600001',
    accounts: [[PAYEE_ACCOUNT, 0n]],
    acceptedInstitutionIds: [SWITCH_INSTITUTION_ID],
  });
  await simulator.start();
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.stop();
  await simulator.close();
});

async function readyClient(options: Partial<Iso8583ClientOptions> = {}): Promise<Iso8583Client> {
  const client = new Iso8583Client({
    host: '127.0.0.1',
    port: simulator.port,
    institutionId: SWITCH_INSTITUTION_ID,
    terminalId: SWITCH_TERMINAL_ID,
    reconnectDelayMinMs: 10,
    reconnectDelayMaxMs: 50,
    ...options,
  });
  clients.push(client);
  client.start();
  expect(await client.waitUntilReady(2_000)).toBe(true);
  return client;
}

function outboundRequest(client: Iso8583Client, overrides: Partial<FinancialRequest> = {}): FinancialRequest {
  const stan = client.allocateStan(SWITCH_TERMINAL_ID);
  return financialRequest(stan, { acquirerInstitutionId: SWITCH_INSTITUTION_ID, terminalId: SWITCH_TERMINAL_ID, ...overrides });
}

function responseCodeOf(outcome: ExchangeOutcome): string {
  if (outcome.kind !== 'response') throw new Error(`expected a response, got ${outcome.kind}`);
  return outcome.response.fields[39] ?? 'none';
}

function reversalFor(client: Iso8583Client, original: Iso8583Message, repeat = false): Iso8583Message {
  return buildReversalAdvice(
    {
      systemTraceAuditNumber: client.allocateStan(SWITCH_TERMINAL_ID, '0420'),
      transmissionDateTime: '1128101700',
      acquirerInstitutionId: SWITCH_INSTITUTION_ID,
      retrievalReferenceNumber: original.fields[37] ?? '',
      terminalId: SWITCH_TERMINAL_ID,
      processingCode: '400000',
      amountMinor: BigInt(original.fields[4] ?? '0'),
      currency: 'PKR',
      original: originalDataElementsOf(original),
    },
    { repeat },
  );
}

describe('the outbound channel to a bank host', () => {
  it('signs on, gets an approval with DE38 for a known account and 14 for an unknown one, and 05 when the bank declines', async () => {
    const client = await readyClient();
    const approved = await client.exchange(buildTransferRequest(outboundRequest(client)), { timeoutMs: 1_000 });
    expect(responseCodeOf(approved)).toBe('00');
    expect(approved.kind === 'response' && approved.response.fields[38]).toMatch(/^[0-9]{6}$/);
    expect(simulator.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(150_050n);

    expect(
      responseCodeOf(
        await client.exchange(buildTransferRequest(outboundRequest(client, { payeeAccount: 'PK99NONE0000000000000001' })), {
          timeoutMs: 1_000,
        }),
      ),
    ).toBe('14');
    simulator.configure({ decline: true });
    expect(responseCodeOf(await client.exchange(buildTransferRequest(outboundRequest(client)), { timeoutMs: 1_000 }))).toBe('05');
    expect(simulator.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(150_050n);
  });

  it("plays each fault of its fault mix on the switch's messages, and serves normally once healed", async () => {
    const client = await readyClient();
    const only = (fault: BankFault): BankFaultMixSetting => ({
      shares: { ...evenShares(bankFaults, 0), [fault]: 1 },
      seed: 1,
      slowDelayMs: 600,
    });
    simulator.setFaultMix(only('systemError'));
    expect(responseCodeOf(await client.exchange(buildTransferRequest(outboundRequest(client)), { timeoutMs: 1_000 }))).toBe('96');
    simulator.setFaultMix(only('decline'));
    const declines = [
      responseCodeOf(await client.exchange(buildTransferRequest(outboundRequest(client)), { timeoutMs: 1_000 })),
      responseCodeOf(await client.exchange(buildTransferRequest(outboundRequest(client)), { timeoutMs: 1_000 })),
    ];
    expect(declines.sort()).toEqual(['05', '51']);
    simulator.setFaultMix(only('garbage'));
    expect(await client.exchange(buildTransferRequest(outboundRequest(client)), { timeoutMs: 300 })).toMatchObject({
      kind: 'timeout',
      reason: 'deadline',
    });
    simulator.setFaultMix(only('drop'));
    expect(await client.exchange(buildTransferRequest(outboundRequest(client)), { timeoutMs: 1_000 })).toMatchObject({
      kind: 'timeout',
      reason: 'connection_lost',
    });
    expect(simulator.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(0n);
    expect(await client.waitUntilReady(2_000)).toBe(true);

    // Slow: no answer within the switch's deadline, but the bank credits when it gets round to it.
    simulator.setFaultMix(only('slow'));
    expect(await client.exchange(buildTransferRequest(outboundRequest(client)), { timeoutMs: 200 })).toMatchObject({ kind: 'timeout' });
    await waitUntil(() => simulator.accounts.balanceOf(PAYEE_ACCOUNT) === 150_050n, 'the slow bank credited', 2_000);
    expect(simulator.faultCounts()).toEqual({ slow: 1 });

    simulator.setFaultMix(null);
    expect(responseCodeOf(await client.exchange(buildTransferRequest(outboundRequest(client)), { timeoutMs: 1_000 }))).toBe('00');
    expect(simulator.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(300_100n);
  });

  it('allocates DE11 itself when the request has none', async () => {
    const client = await readyClient();
    const request = buildTransferRequest(outboundRequest(client));
    const fields: Record<number, string | undefined> = { ...request.fields };
    delete fields[11];
    const outcome = await client.exchange({ mti: '0200', fields }, { timeoutMs: 1_000 });
    expect(responseCodeOf(outcome)).toBe('00');
    expect(outcome.kind === 'response' && outcome.request.fields[11]).toMatch(/^[0-9]{6}$/);
  });

  it('reports a timeout when the bank is slow, drops the late answer, and the reversal undoes the late credit', async () => {
    const client = await readyClient();
    simulator.configure({ delayMs: 150 });
    const original = buildTransferRequest(outboundRequest(client));
    const outcome = await client.exchange(original, { timeoutMs: 40 });
    expect(outcome).toEqual({ kind: 'timeout', request: original, reason: 'deadline' });

    await waitUntil(() => client.statistics().lateOrUnmatchedResponses === 1, 'the late response is counted', 2_000);
    expect(simulator.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(150_050n);
    simulator.configure({ delayMs: 0 });
    const reversal = await client.exchange(reversalFor(client, original), { timeoutMs: 1_000 });
    expect(reversal.kind === 'response' && reversal.response.mti).toBe('0430');
    expect(responseCodeOf(reversal)).toBe('00');
    expect(simulator.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(0n);
    // The repeat (0421) is acknowledged and changes nothing.
    expect(responseCodeOf(await client.exchange(reversalFor(client, original, true), { timeoutMs: 1_000 }))).toBe('00');
    expect(simulator.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(0n);
  });

  it('acknowledges a reversal of a transfer the bank never saw, and then refuses that transfer if it arrives late', async () => {
    const client = await readyClient();
    const original = buildTransferRequest(outboundRequest(client));
    expect(responseCodeOf(await client.exchange(reversalFor(client, original), { timeoutMs: 1_000 }))).toBe('00');
    expect(responseCodeOf(await client.exchange(original, { timeoutMs: 1_000 }))).toBe('05');
    expect(simulator.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(0n);
    expect(simulator.statistics().reversalsOfUnknownTransfers).toBe(1);
  });

  it('delivers a 0220 advice and its 0221 repeat, crediting once', async () => {
    const client = await readyClient();
    const request = outboundRequest(client);
    expect(responseCodeOf(await client.exchange(buildFinancialAdvice(request), { timeoutMs: 1_000 }))).toBe('00');
    const repeat = await client.exchange(buildFinancialAdvice({ ...request }, { repeat: true }), { timeoutMs: 1_000 });
    expect(repeat.kind === 'response' && repeat.response.mti).toBe('0230');
    expect(simulator.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(150_050n);
  });

  it('books a chargeback credit (DE3 200000) once per dispute id in DE48, whatever identity a repeat carries; 12 without one', async () => {
    const client = await readyClient();
    const disputeId = 'dp_0123456789abcdef01234567';
    const chargeback = (overrides: Partial<FinancialRequest> = {}): Iso8583Message =>
      buildFinancialAdvice(outboundRequest(client, { processingCode: '200000', additionalData: disputeId, ...overrides }));
    expect(responseCodeOf(await client.exchange(chargeback(), { timeoutMs: 1_000 }))).toBe('00');
    // Another DE11 and DE37 for the same dispute: acknowledged, not booked again.
    expect(responseCodeOf(await client.exchange(chargeback({ retrievalReferenceNumber: '000000000777' }), { timeoutMs: 1_000 }))).toBe(
      '00',
    );
    expect(responseCodeOf(await client.exchange(chargeback({ additionalData: undefined }), { timeoutMs: 1_000 }))).toBe('12');
    expect(simulator.accounts.balanceOf(PAYEE_ACCOUNT)).toBe(150_050n);
    expect(simulator.chargebackCredits()).toEqual([{ disputeId, account: PAYEE_ACCOUNT, amountMinor: 150_050n }]);
    expect(simulator.statistics()).toMatchObject({ advicesReceived: 3, chargebackCreditsApplied: 1 });
  });

  it('reconnects and signs on again after the bank drops the connection', async () => {
    const client = await readyClient();
    simulator.dropConnections();
    await waitUntil(() => client.statistics().connections === 2 && client.isReady, 'the client has reconnected', 2_000);
    expect(responseCodeOf(await client.exchange(buildTransferRequest(outboundRequest(client)), { timeoutMs: 1_000 }))).toBe('00');
  });

  it('says not_sent while the bank refuses connections, and connects once it accepts again', async () => {
    const client = await readyClient();
    simulator.configure({ refuseConnections: true });
    simulator.dropConnections();
    await waitUntil(() => !client.isReady, 'the client is no longer ready', 2_000);
    const refused = await client.exchange(buildTransferRequest(outboundRequest(client)), { timeoutMs: 100 });
    expect(refused).toMatchObject({ kind: 'not_sent', reason: 'not_connected' });
    expect(client.statistics().connectAttempts).toBeGreaterThan(2);
    simulator.configure({ refuseConnections: false });
    expect(responseCodeOf(await client.exchange(buildTransferRequest(outboundRequest(client)), { timeoutMs: 2_000 }))).toBe('00');
  });

  it('settles requests in flight as lost when the connection drops', async () => {
    const client = await readyClient();
    simulator.configure({ delayMs: 500 });
    const pending = client.exchange(buildTransferRequest(outboundRequest(client)), { timeoutMs: 2_000 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    simulator.dropConnections();
    expect(await pending).toMatchObject({ kind: 'timeout', reason: 'connection_lost' });
  });

  it('bounds the requests waiting on the channel', async () => {
    const client = await readyClient({ pendingMax: 2 });
    simulator.configure({ delayMs: 100 });
    const outcomes = await Promise.all(
      Array.from({ length: 3 }, () =>
        client.exchange(buildTransferRequest(outboundRequest(client, { amountMinor: 1n })), { timeoutMs: 1_000 }),
      ),
    );
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['not_sent', 'response', 'response']);
    expect(outcomes.find((outcome) => outcome.kind === 'not_sent')).toMatchObject({ reason: 'pending_full' });
  });

  it('pairs 300 concurrent requests with their own responses', async () => {
    const client = await readyClient();
    const amounts = Array.from({ length: 300 }, (_unused, index) => BigInt(index + 1));
    const outcomes = await Promise.all(
      amounts.map((amountMinor) => client.exchange(buildTransferRequest(outboundRequest(client, { amountMinor })), { timeoutMs: 5_000 })),
    );
    for (const outcome of outcomes) {
      expect(outcome.kind).toBe('response');
      if (outcome.kind !== 'response') continue;
      expect(outcome.response.fields[11]).toBe(outcome.request.fields[11]);
      expect(outcome.response.fields[4]).toBe(outcome.request.fields[4]);
      expect(outcome.response.fields[39]).toBe('00');
    }
    expect(new Set(outcomes.map((outcome) => (outcome.kind === 'response' ? outcome.request.fields[11] : ''))).size).toBe(300);
    expect(simulator.accounts.balanceOf(PAYEE_ACCOUNT)).toBe((300n * 301n) / 2n);
  });

  it('echo-tests a quiet line and stays connected while the bank answers', async () => {
    const client = await readyClient({ echoIntervalMs: 40, echoTimeoutMs: 500 });
    await waitUntil(() => client.statistics().echoesSent >= 2, 'two echoes are sent', 2_000);
    expect(client.isReady).toBe(true);
    expect(client.statistics()).toMatchObject({ connections: 1, echoesFailed: 0 });
  });

  it('stays not ready when the bank refuses its sign-on', async () => {
    const client = new Iso8583Client({
      host: '127.0.0.1',
      port: simulator.port,
      institutionId: '123',
      terminalId: SWITCH_TERMINAL_ID,
      reconnectDelayMinMs: 10,
      reconnectDelayMaxMs: 20,
    });
    clients.push(client);
    client.start();
    expect(await client.waitUntilReady(150)).toBe(false);
    expect(client.statistics().signOnsRefused).toBeGreaterThanOrEqual(1);
  });
});

describe('the outbound channel against a half-open peer', () => {
  let silentHost: Server;
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silentHost.close(resolve));
  });

  it('drops a connection whose echo goes unanswered, and reconnects', async () => {
    // Answers the sign-on, then never says another word: what a host behind a dead NAT entry looks like.
    silentHost = createServer((socket) => {
      sockets.push(socket);
      const decoder = new FrameDecoder();
      let answered = false;
      socket.on('data', (chunk: Buffer) => {
        decoder.push(chunk);
        for (let read = decoder.next(); read.kind === 'frame'; read = decoder.next()) {
          const parsed = unpackMessage(read.body);
          if (answered || !parsed.ok) continue;
          answered = true;
          socket.write(encodeFrame(packMessage(buildResponse(parsed.message, { responseCode: '00' }))));
        }
      });
    });
    await new Promise<void>((resolve) => silentHost.listen(0, '127.0.0.1', resolve));
    const address = silentHost.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const client = new Iso8583Client({
      host: '127.0.0.1',
      port: address.port,
      institutionId: SWITCH_INSTITUTION_ID,
      terminalId: SWITCH_TERMINAL_ID,
      echoIntervalMs: 30,
      echoTimeoutMs: 50,
      reconnectDelayMinMs: 10,
      reconnectDelayMaxMs: 20,
    });
    clients.push(client);
    client.start();
    expect(await client.waitUntilReady(1_000)).toBe(true);
    await waitUntil(
      () => client.statistics().echoesFailed >= 1 && client.statistics().connections >= 2,
      'a failed echo has led to a new connection',
      2_000,
    );
  });
});
