import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { OperatorClient } from '../../simulators/operator-client';
import { WalletSimulator } from '../../simulators/wallet/wallet-simulator';
import { onboardWallet } from '../support/onboard-wallet';
import { spawnSwitch, type SwitchChild } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';

/**
 * Issue 10, part 2: a payment's own events ride in the ledger's durable writes. The switch is SIGKILLed at a fixed
 * point around each merged write (test/reliability/children/switch-kill-point.ts), exactly once, with one payment
 * open; restarted, it finishes that payment the only right way, the payee's books agree, and the ledger verifies.
 */
const operatorKey = 'operator-merged-writes-key-0123456789';
const repositoryRoot = join(__dirname, '..', '..');
const killPointEntry = join('test', 'reliability', 'children', 'switch-kill-point.ts');

type Scenario = {
  name: string;
  creditMode: 'REQUEST' | 'ADVICE';
  killPoint: string;
  /** What the payment reads after the restart, and what the payee holds once the outbox has delivered. */
  state: 'COMMITTED' | 'ABORTED';
  abortReason: string | null;
  payeeCreditedMinor: bigint;
  /** The payee declines every credit request (the void and the abort are merged then). */
  payeeRejects?: boolean;
  /** The kill point comes after the answer (the intake's work follows the payment's): the payment was answered 201. */
  answeredBeforeKill?: boolean;
};

const scenarios: Scenario[] = [
  {
    name: 'REQUEST: killed after TransferInitiated and the reservation became durable together, before the payee is asked',
    creditMode: 'REQUEST',
    killPoint: 'after:TransferInitiated',
    state: 'ABORTED',
    abortReason: 'SWITCH_RESTARTED',
    payeeCreditedMinor: 0n,
  },
  {
    name: 'REQUEST: killed after the payee credited, before the post and TransferCommitted were written',
    creditMode: 'REQUEST',
    killPoint: 'before:TransferCommitted',
    state: 'ABORTED',
    abortReason: 'SWITCH_RESTARTED',
    // The payee credited; the reversal recovery queues takes it back.
    payeeCreditedMinor: 0n,
  },
  {
    name: 'REQUEST: killed after the post and TransferCommitted became durable together, before the answer',
    creditMode: 'REQUEST',
    killPoint: 'after:TransferCommitted',
    state: 'COMMITTED',
    abortReason: null,
    payeeCreditedMinor: 1_000n,
  },
  {
    name: 'REQUEST: killed after the payee declined, before the void and TransferAborted were written',
    creditMode: 'REQUEST',
    killPoint: 'before:TransferAborted',
    state: 'ABORTED',
    abortReason: 'SWITCH_RESTARTED',
    payeeCreditedMinor: 0n,
    payeeRejects: true,
  },
  {
    name: 'REQUEST: killed after the void and TransferAborted became durable together, before the answer',
    creditMode: 'REQUEST',
    killPoint: 'after:TransferAborted',
    state: 'ABORTED',
    abortReason: 'PAYEE_REJECTED',
    payeeCreditedMinor: 0n,
    payeeRejects: true,
  },
  {
    name: "ADVICE: killed after the payment's one durable write (reservation, post, TransferInitiated, TransferCommitted), before the intake handed its advice over",
    creditMode: 'ADVICE',
    killPoint: 'after:TransferCommitted',
    state: 'COMMITTED',
    abortReason: null,
    payeeCreditedMinor: 1_000n,
  },
  {
    name: 'ADVICE: killed after the intake queued the advice, before its checkpoint: the group is handed over again and recognised',
    creditMode: 'ADVICE',
    killPoint: 'after:DeliveryQueued',
    state: 'COMMITTED',
    abortReason: null,
    payeeCreditedMinor: 1_000n,
    answeredBeforeKill: true,
  },
];

function verify(dataDir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      join(repositoryRoot, 'node_modules', '.bin', 'tsx'),
      ['scripts/verify.ts', '--data-dir', dataDir],
      { cwd: repositoryRoot, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe.each(scenarios)('SIGKILL around a merged write', (scenario) => {
  let directory: ReturnType<typeof tempDir>;
  let payer: WalletSimulator;
  let payee: WalletSimulator;
  let running: SwitchChild | null = null;

  beforeEach(async () => {
    directory = tempDir('hisaab-merged-writes-');
    payer = new WalletSimulator({
      participantId: 'MARGALLA',
      accounts: [{ walletNumber: 'M0001', msisdn: '923001111111', name: 'Ayesha Khan', balanceMinor: 0n }],
    });
    payee = new WalletSimulator({
      participantId: 'RAVI',
      accounts: [{ walletNumber: 'R0001', msisdn: '923002222222', name: 'Chand Bibi', balanceMinor: 0n }],
    });
    await payer.start();
    await payee.start();
  });

  afterEach(async () => {
    await running?.stop('SIGKILL');
    await payer.close();
    await payee.close();
    directory.remove();
  });

  it(scenario.name, async () => {
    const environment = {
      HISAAB_DATA_DIR: directory.path,
      HISAAB_OPERATOR_KEY: operatorKey,
      HISAAB_PORT: '0',
      HISAAB_PAYEE_DEADLINE_MS: '2000',
    };
    running = await spawnSwitch({ ...environment, HISAAB_TEST_KILL_POINT: scenario.killPoint }, 20_000, killPointEntry);
    const operator = new OperatorClient(running.url, operatorKey);
    const payerKey = await onboardWallet(operator, payer, {
      id: 'MARGALLA',
      msisdn: '923001111111',
      walletNumber: 'M0001',
      creditMode: 'REQUEST',
    });
    await onboardWallet(operator, payee, { id: 'RAVI', msisdn: '923002222222', walletNumber: 'R0001', creditMode: scenario.creditMode });
    if (scenario.payeeRejects === true) payee.setMode({ mode: 'reject', reason: 'ACCOUNT_BLOCKED' }, ['CREDIT_REQUEST']);

    const id = randomUUID();
    const answer = await fetch(`${running.url}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${payerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id,
        payer: { type: 'WALLET', value: 'M0001' },
        payee: { type: 'MSISDN', value: '923002222222' },
        amount: '10.00',
        currency: 'PKR',
        purpose: 'P2P',
      }),
      signal: AbortSignal.timeout(10_000),
    }).then(
      (response) => response.status,
      () => 0,
    );
    if (scenario.answeredBeforeKill === true) {
      expect(answer).toBe(201);
      const child = running.child;
      const deadline = Date.now() + 10_000;
      while (child.exitCode === null && child.signalCode === null && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      // The kill point was reached after the answer: the process is gone.
      expect(child.exitCode !== null || child.signalCode !== null).toBe(true);
    } else {
      // The kill point was reached: the payment was never answered.
      expect(answer).toBe(0);
    }
    await running.stop('SIGKILL');

    running = await spawnSwitch(environment);
    const read = await fetch(`${running.url}/v1/transfers/${id}`, { headers: { authorization: `Bearer ${operatorKey}` } });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ state: scenario.state, abortReason: scenario.abortReason });
    const margalla = (await (
      await fetch(`${running.url}/v1/participants/MARGALLA`, { headers: { authorization: `Bearer ${operatorKey}` } })
    ).json()) as { position: string; reserved: string };
    expect(margalla.reserved).toBe('0.00');
    expect(BigInt(margalla.position.replace('.', ''))).toBe(scenario.state === 'COMMITTED' ? 1_000n : 0n);
    const deadline = Date.now() + 20_000;
    while (payee.balanceOf('R0001') !== scenario.payeeCreditedMinor && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(payee.balanceOf('R0001')).toBe(scenario.payeeCreditedMinor);
    if (scenario.creditMode === 'ADVICE') {
      // Advised once after the wallet's dedup by transferId: the one credit above; a repeat would be the same transferId.
      const advices = payee.received('CREDIT_ADVICE');
      expect(advices.length).toBeGreaterThanOrEqual(1);
      expect(new Set(advices.map((message) => message.transferId)).size).toBe(1);
    }

    expect(await running.stop('SIGTERM')).toBe(0);
    running = null;
    expect(await verify(directory.path)).toMatchObject({ code: 0 });
  });
});
