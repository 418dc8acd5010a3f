import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { OperatorClient } from '../../simulators/operator-client';
import { WalletSimulator } from '../../simulators/wallet/wallet-simulator';
import { onboardWallet } from '../support/onboard-wallet';
import { spawnSwitch, type SwitchChild } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';

/**
 * The whole switch as `npm run serve` runs it, SIGKILLed in the middle of a stream of payments, then restarted:
 * every payment it acknowledged is there as acknowledged, nothing is left in flight, the payee's books agree
 * with the switch's once the outbox has delivered, and the ledger's invariants hold.
 */
const operatorKey = 'operator-crash-test-key-0123456789';
const repositoryRoot = join(__dirname, '..', '..');
const amountMinor = 1_000n;

type Answer = { id: string; status: number; state: string | null };

let directory: { path: string; remove: () => void };
const payee = new WalletSimulator({
  participantId: 'RAVI',
  accounts: [{ walletNumber: 'R0001', msisdn: '923002222222', name: 'Chand Bibi', balanceMinor: 0n }],
});
const payer = new WalletSimulator({
  participantId: 'MARGALLA',
  accounts: [{ walletNumber: 'M0001', msisdn: '923001111111', name: 'Ayesha Khan', balanceMinor: 0n }],
});

beforeAll(async () => {
  directory = tempDir('hisaab-switch-crash-');
  await payee.start();
  await payer.start();
});

afterAll(async () => {
  await payee.close();
  await payer.close();
  directory.remove();
});

async function start(): Promise<SwitchChild> {
  return spawnSwitch({
    HISAAB_DATA_DIR: directory.path,
    HISAAB_OPERATOR_KEY: operatorKey,
    HISAAB_PORT: '0',
    HISAAB_PAYEE_DEADLINE_MS: '2000',
  });
}

async function pay(switchUrl: string, key: string, id: string): Promise<Answer> {
  try {
    const response = await fetch(`${switchUrl}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id,
        payer: { type: 'WALLET', value: 'M0001' },
        payee: { type: 'MSISDN', value: '923002222222' },
        amount: '10.00',
        currency: 'PKR',
        purpose: 'P2P',
      }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { state?: string };
    return { id, status: response.status, state: body.state ?? null };
  } catch {
    // The switch died while this request was open: no answer, so nothing was acknowledged.
    return { id, status: 0, state: null };
  }
}

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

it('keeps every acknowledged payment across a SIGKILL and finishes the rest', async () => {
  let switchChild = await start();
  const operator = new OperatorClient(switchChild.url, operatorKey);
  const payerKey = await onboardWallet(operator, payer, {
    id: 'MARGALLA',
    bankCode: 'MRGL',
    msisdn: '923001111111',
    walletNumber: 'M0001',
  });
  await onboardWallet(operator, payee, { id: 'RAVI', msisdn: '923002222222', walletNumber: 'R0001' });

  const answers: Answer[] = [];
  const sent: string[] = [];
  let killed = false;
  const worker = async (): Promise<void> => {
    while (!killed && sent.length < 2_000) {
      const id = randomUUID();
      sent.push(id);
      const answer = await pay(switchChild.url, payerKey, id);
      answers.push(answer);
      if (!killed && answers.filter((entry) => entry.status === 201).length >= 60) {
        killed = true;
        await switchChild.stop('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: 12 }, worker));
  const acknowledged = answers.filter((answer) => answer.status === 201);
  expect(acknowledged.length).toBeGreaterThanOrEqual(60);
  // The kill must have cut payments off mid-way, or this test would prove nothing about recovery.
  expect(answers.filter((answer) => answer.status === 0).length).toBeGreaterThan(0);

  switchChild = await start();
  const read = async (id: string): Promise<{ status: number; state: string | null }> => {
    const response = await fetch(`${switchChild.url}/v1/transfers/${id}`, { headers: { authorization: `Bearer ${operatorKey}` } });
    return { status: response.status, state: response.status === 200 ? ((await response.json()) as { state: string }).state : null };
  };
  for (const answer of acknowledged)
    expect({ id: answer.id, ...(await read(answer.id)) }).toEqual({ id: answer.id, status: 200, state: answer.state });
  let committedMinor = 0n;
  for (const id of sent) {
    const found = await read(id);
    // Unanswered payments either never reached the log or were finished by recovery: none stays in flight.
    expect([404, 200]).toContain(found.status);
    expect(found.state).not.toBe('IN_FLIGHT');
    if (found.state === 'COMMITTED') committedMinor += amountMinor;
  }
  const margalla = (await (
    await fetch(`${switchChild.url}/v1/participants/MARGALLA`, { headers: { authorization: `Bearer ${operatorKey}` } })
  ).json()) as { position: string; reserved: string };
  expect(margalla.reserved).toBe('0.00');
  expect(BigInt(margalla.position.replace('.', ''))).toBe(committedMinor);
  // The payee's own books agree once reversals of the payments cut off by the kill have been delivered.
  const deadline = Date.now() + 30_000;
  while (payee.balanceOf('R0001') !== committedMinor && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(payee.balanceOf('R0001')).toBe(committedMinor);

  expect(await switchChild.stop('SIGTERM')).toBe(0);
  const verified = await verify(directory.path);
  expect(verified).toMatchObject({ code: 0 });
});
