import { transferIdFor } from '../../../adapters/iso8583/mapping';
import { BankHostSimulator } from '../../../simulators/bank/bank-host-simulator';
import { RecordingBankHost } from '../iso8583-switch/recording-bank-host';

/**
 * The simulator as an originating bank: it connects to an ISO 8583 port, signs on with its DE32, sends its
 * customers' transfers as 0200 and reverses those left unanswered, repeating the 0420 until a 0430 comes.
 * The receiving end is a second simulator, so both sides are real implementations over real TCP.
 */

const PAYER = 'PK11AAAA0000000000000001';
const PAYEE = 'PK22BBBB0000000000000002';

let payerBank: BankHostSimulator;
let payeeBank: BankHostSimulator;
const extra: BankHostSimulator[] = [];

beforeEach(async () => {
  payeeBank = new BankHostSimulator({ institutionId: '600002', accounts: [[PAYEE, 0n]], acceptedInstitutionIds: ['600001'] });
  await payeeBank.start();
  payerBank = new BankHostSimulator({ institutionId: '600001', accounts: [[PAYER, 1_000_000n]] });
  await payerBank.start();
  const signedOn = await payerBank.connectToSwitch({
    host: '127.0.0.1',
    port: payeeBank.port,
    client: { reconnectDelayMinMs: 10, reconnectDelayMaxMs: 50 },
  });
  expect(signedOn).toBe(true);
});

afterEach(async () => {
  for (const simulator of [payerBank, payeeBank, ...extra.splice(0)]) await simulator.close();
});

it('sends a transfer that is approved: the payer is debited and the payee credited', async () => {
  const result = await payerBank.sendTransfer({ payerAccount: PAYER, payee: PAYEE, amountMinor: 250_000n, timeoutMs: 1_000 });
  expect(result).toMatchObject({ status: 'approved', responseCode: '00', authorizationCode: expect.stringMatching(/^[0-9]{6}$/) });
  if (result.status !== 'approved') return;
  expect(result.transferId).toBe(
    transferIdFor({
      acquirerInstitutionId: '600001',
      retrievalReferenceNumber: result.request.fields[37] ?? '',
      systemTraceAuditNumber: result.request.fields[11] ?? '',
      transmissionDateTime: result.request.fields[7] ?? '',
    }),
  );
  expect(payerBank.accounts.balanceOf(PAYER)).toBe(750_000n);
  expect(payeeBank.accounts.balanceOf(PAYEE)).toBe(250_000n);
});

it('gives the payer the money back on a decline, and refuses locally what the payer cannot cover', async () => {
  payeeBank.configure({ decline: true });
  expect(await payerBank.sendTransfer({ payerAccount: PAYER, payee: PAYEE, amountMinor: 100n, timeoutMs: 1_000 })).toMatchObject({
    status: 'declined',
    responseCode: '05',
  });
  expect(
    await payerBank.sendTransfer({ payerAccount: PAYER, payee: 'PK00NONE0000000000000000', amountMinor: 100n, timeoutMs: 1_000 }),
  ).toMatchObject({ status: 'declined' });
  expect(await payerBank.sendTransfer({ payerAccount: PAYER, payee: PAYEE, amountMinor: 1_000_001n, timeoutMs: 1_000 })).toEqual({
    status: 'refused',
    reason: 'insufficient_funds',
  });
  expect(await payerBank.sendTransfer({ payerAccount: 'PK00MISSING', payee: PAYEE, amountMinor: 1n, timeoutMs: 1_000 })).toEqual({
    status: 'refused',
    reason: 'unknown_payer_account',
  });
  expect(payerBank.accounts.balanceOf(PAYER)).toBe(1_000_000n);
  expect(payeeBank.accounts.balanceOf(PAYEE)).toBe(0n);
});

it('reverses a transfer left unanswered, undoing the credit that arrived late', async () => {
  payeeBank.configure({ delayMs: 150 });
  const result = await payerBank.sendTransfer(
    { payerAccount: PAYER, payee: PAYEE, amountMinor: 5_000n, timeoutMs: 50 },
    { timeoutMs: 1_000 },
  );
  expect(result).toMatchObject({ status: 'reversed', reversalAttempts: 1 });
  expect(payerBank.accounts.balanceOf(PAYER)).toBe(1_000_000n);
  expect(payeeBank.accounts.balanceOf(PAYEE)).toBe(0n);
  expect(payeeBank.statistics()).toMatchObject({ creditsApplied: 1, reversalsApplied: 1 });
});

it('repeats the reversal (0421) until it is acknowledged', async () => {
  payeeBank.configure({ delayMs: 120 });
  // The bank recovers a little later; until then every reversal attempt times out.
  const recovered = setTimeout(() => payeeBank.configure({ delayMs: 0 }), 250);
  const result = await payerBank.sendTransfer(
    { payerAccount: PAYER, payee: PAYEE, amountMinor: 5_000n, timeoutMs: 40 },
    { timeoutMs: 60, retryDelayMs: 10, attemptsMax: 50 },
  );
  clearTimeout(recovered);
  expect(result.status).toBe('reversed');
  expect(result.status === 'reversed' && result.reversalAttempts).toBeGreaterThan(1);
  expect(payeeBank.accounts.balanceOf(PAYEE)).toBe(0n);
  expect(payerBank.accounts.balanceOf(PAYER)).toBe(1_000_000n);
});

it('keeps the payer’s money held when no reversal is acknowledged within the attempts', async () => {
  payeeBank.configure({ delayMs: 300 });
  const result = await payerBank.sendTransfer(
    { payerAccount: PAYER, payee: PAYEE, amountMinor: 5_000n, timeoutMs: 30 },
    { timeoutMs: 30, retryDelayMs: 5, attemptsMax: 2 },
  );
  expect(result).toMatchObject({ status: 'unresolved', reversalAttempts: 2 });
  expect(payerBank.accounts.balanceOf(PAYER)).toBe(995_000n);
});

it('cannot sign on with an institution id the other side does not accept', async () => {
  const stranger = new BankHostSimulator({ institutionId: '600009' });
  extra.push(stranger);
  await stranger.start();
  expect(await stranger.connectToSwitch({ host: '127.0.0.1', port: payeeBank.port, readyTimeoutMs: 150 })).toBe(false);
});

it('changes no balance when a transfer cannot be put into a 0200 (a payee DE103 cannot hold)', async () => {
  await expect(payerBank.sendTransfer({ payerAccount: PAYER, payee: 'P'.repeat(29), amountMinor: 100n, timeoutMs: 1_000 })).rejects.toThrow(
    /field 103/,
  );
  await expect(payerBank.sendTransfer({ payerAccount: PAYER, payee: 'payee@bank', amountMinor: 100n, timeoutMs: 1_000 })).rejects.toThrow(
    /field 103/,
  );
  expect(payerBank.accounts.balanceOf(PAYER)).toBe(1_000_000n);
  expect(payeeBank.statistics()).toMatchObject({ creditsApplied: 0, requestsDeclined: 0 });
});

describe('reversals the other side answers with something other than 00', () => {
  let switchHost: RecordingBankHost;
  let bank: BankHostSimulator;

  beforeEach(async () => {
    switchHost = new RecordingBankHost();
    const port = await switchHost.start();
    bank = new BankHostSimulator({ institutionId: '600007', accounts: [[PAYER, 1_000_000n]] });
    extra.push(bank);
    await bank.start();
    expect(await bank.connectToSwitch({ host: '127.0.0.1', port })).toBe(true);
  });

  afterEach(async () => {
    await switchHost.close();
  });

  it('repeats a reversal answered 96 (the switch cannot act yet) and gives the money back only on 00', async () => {
    switchHost.answerNext('request', { responseCode: '00', delayMs: 300 });
    switchHost.answerNext('reversal', { responseCode: '96' });
    const result = await bank.sendTransfer(
      { payerAccount: PAYER, payee: PAYEE, amountMinor: 5_000n, timeoutMs: 50 },
      { timeoutMs: 1_000, retryDelayMs: 10 },
    );
    expect(result).toMatchObject({ status: 'reversed', reversalAttempts: 2 });
    expect(switchHost.ofKind('reversal').map((entry) => entry.message.repeat)).toEqual([false, true]);
    expect(bank.accounts.balanceOf(PAYER)).toBe(1_000_000n);
  });

  it('keeps the payer’s money held while every answer to the reversal is a refusal', async () => {
    switchHost.answerNext('request', { responseCode: '00', delayMs: 300 });
    switchHost.answerNext('reversal', { responseCode: '96' }, { responseCode: '96' });
    const result = await bank.sendTransfer(
      { payerAccount: PAYER, payee: PAYEE, amountMinor: 5_000n, timeoutMs: 50 },
      { timeoutMs: 1_000, retryDelayMs: 10, attemptsMax: 2 },
    );
    expect(result).toMatchObject({ status: 'unresolved', reversalAttempts: 2 });
    expect(bank.accounts.balanceOf(PAYER)).toBe(995_000n);
  });

  it('reverses in the currency of the original transfer', async () => {
    switchHost.answerNext('request', { responseCode: '00', delayMs: 300 });
    const result = await bank.sendTransfer(
      { payerAccount: PAYER, payee: PAYEE, amountMinor: 5_000n, currency: 'USD', timeoutMs: 50 },
      { timeoutMs: 1_000 },
    );
    expect(result).toMatchObject({ status: 'reversed', reversalAttempts: 1 });
    expect(switchHost.ofKind('reversal').map((entry) => [entry.message.currency, entry.message.amountMinor])).toEqual([['USD', 5_000n]]);
  });
});
