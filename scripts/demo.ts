/**
 * `npm start`: the switch on the embedded store with simulated participants, a burst of mixed traffic and what
 * came of it. Flags: `--seconds N` (traffic duration, default 15), `--exit` (stop after the report instead of
 * leaving the switch running for a person to explore). Data goes to a fresh folder under ./data.
 */
import { join, resolve } from 'node:path';
import { loadConfig } from '../api/config';
import { createLogger } from '../api/logger';
import { startSwitch, type RunningSwitch } from '../api/switch';
import { OperatorClient } from '../simulators/operator-client';
import { runTraffic, type TrafficPayee } from '../simulators/traffic/traffic-generator';
import { WalletSimulator } from '../simulators/wallet/wallet-simulator';
import type { SentTransfer } from '../simulators/wallet/transfer-origination';

type DemoOptions = { trafficSeconds: number; exitAfterReport: boolean };

type DemoWallet = { simulator: WalletSimulator; id: string; name: string; bankCode: string; netDebitCap: string; customers: DemoCustomer[] };
type DemoCustomer = { name: string; msisdn: string; walletNumber: string };

const operatorKey = process.env.HISAAB_OPERATOR_KEY ?? 'demo-operator-key-change-me-0001';

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const running = await startDemoSwitch();
  const operator = new OperatorClient(running.url, operatorKey);
  const wallets = demoWallets();
  for (const wallet of wallets) await onboardWallet(operator, running.url, wallet);
  say(`Switch ${running.url}: onboarded ${wallets.map((wallet) => wallet.id).join(', ')}, each with a key, aliases and liquidity.`);

  await scriptedScenarios(wallets);
  say(`Driving ${options.trafficSeconds} s of mixed P2P traffic between the wallets...`);
  const traffic = await runTraffic({
    senders: wallets.filter((wallet) => wallet.id !== 'KHYBER').map((wallet) => wallet.simulator),
    payees: payeesOf(wallets),
    countMax: 5_000,
    durationMs: options.trafficSeconds * 1000,
    concurrency: 16,
    amountMinorMin: 100n,
    amountMinorMax: 500_000n,
  });
  say(`Traffic: ${JSON.stringify(traffic.summary)}`);
  await printPositions(operator, wallets);
  await settleWindow(operator);
  await printPositions(operator, wallets);
  if (options.exitAfterReport) {
    await closeAll(running, wallets);
    return;
  }
  say(`The switch keeps running at ${running.url} (operator key: ${operatorKey}); OpenAPI at ${running.url}/openapi.json. Ctrl-C stops it.`);
  process.once('SIGINT', () => void closeAll(running, wallets).then(() => process.exit(0)));
}

/** The moments a person should see once: a rejection, a timeout with its reversal, a cap breach. */
async function scriptedScenarios(wallets: DemoWallet[]): Promise<void> {
  const [margalla, ravi, khyber] = [wallet(wallets, 'MARGALLA'), wallet(wallets, 'RAVI'), wallet(wallets, 'KHYBER')];
  const payRavi = (from: DemoWallet, amount: string): Promise<SentTransfer> =>
    from.simulator.sendTransfer({ from: customer(from).walletNumber, payee: { type: 'MSISDN', value: customer(ravi).msisdn }, amount });

  show('A payment Margalla → Ravi', await payRavi(margalla, '1500.00'));
  ravi.simulator.setMode({ mode: 'reject', reason: 'ACCOUNT_BLOCKED' }, ['CREDIT_REQUEST']);
  show('Ravi rejects a credit', await payRavi(margalla, '250.00'));
  ravi.simulator.setMode({ mode: 'slow', delayMs: 3_000 }, ['CREDIT_REQUEST']);
  show('Ravi answers too late (it did credit: a reversal follows)', await payRavi(margalla, '99.99'));
  ravi.simulator.setMode({ mode: 'accept' });
  show('Khyber pays past its net debit cap of 5000.00', await payRavi(khyber, '6000.00'));
  await waitFor(() => ravi.simulator.received('REVERSAL').length > 0, 15_000);
  say(`Ravi received ${ravi.simulator.received('REVERSAL').length} reversal(s) from the switch's outbox.`);
}

async function startDemoSwitch(): Promise<RunningSwitch> {
  const dataDir = resolve(process.env.HISAAB_DATA_DIR ?? join('data', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  const config = loadConfig({
    ...process.env,
    HISAAB_DATA_DIR: dataDir,
    HISAAB_OPERATOR_KEY: operatorKey,
    HISAAB_PORT: process.env.HISAAB_PORT ?? '0',
    HISAAB_HOST: process.env.HISAAB_HOST ?? '127.0.0.1',
    HISAAB_PAYEE_DEADLINE_MS: process.env.HISAAB_PAYEE_DEADLINE_MS ?? '2000',
  });
  say(`Data dir: ${dataDir}`);
  return startSwitch({ config, logger: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel) });
}

function demoWallets(): DemoWallet[] {
  const make = (id: string, name: string, bankCode: string, netDebitCap: string, people: [string, string][]): DemoWallet => {
    const customers = people.map(([person, msisdn], index) => ({ name: person, msisdn, walletNumber: `${bankCode}${String(index + 1).padStart(6, '0')}` }));
    const simulator = new WalletSimulator({
      participantId: id,
      accounts: customers.map((entry) => ({ walletNumber: entry.walletNumber, msisdn: entry.msisdn, name: entry.name, balanceMinor: 1_000_000_000n })),
    });
    return { simulator, id, name, bankCode, netDebitCap, customers };
  };
  return [
    make('MARGALLA', 'Margalla Wallet', 'MRGL', '5000000.00', [['Ayesha Khan', '923001111111'], ['Bilal Ahmed', '923001111112']]),
    make('RAVI', 'Ravi Pay', 'RAVI', '5000000.00', [['Chand Bibi', '923002222221'], ['Daniyal Shah', '923002222222']]),
    make('KHYBER', 'Khyber Cash', 'KHBR', '5000.00', [['Erum Gul', '923003333331']]),
  ];
}

async function onboardWallet(operator: OperatorClient, switchUrl: string, demo: DemoWallet): Promise<void> {
  const url = await demo.simulator.start();
  await operator.onboard({
    id: demo.id,
    name: demo.name,
    type: 'WALLET',
    bankCode: demo.bankCode,
    netDebitCap: demo.netDebitCap,
    endpoints: { creditUrl: `${url}/credit`, reversalUrl: `${url}/reversal` },
  });
  const key = await operator.issueKey(demo.id);
  demo.simulator.setSigningSecret(key.signingSecret);
  demo.simulator.connectToSwitch(switchUrl, key.key);
  await operator.recordFunds(demo.id, '10000000.00', `${demo.id}-opening`);
  for (const person of demo.customers) {
    await operator.registerAlias(key.key, { type: 'MSISDN', value: person.msisdn, account: { type: 'WALLET', value: person.walletNumber }, name: person.name });
  }
}

function payeesOf(wallets: DemoWallet[]): TrafficPayee[] {
  return wallets.flatMap((demo) => demo.customers.map((person) => ({ type: 'MSISDN', value: person.msisdn, participantId: demo.id })));
}

async function printPositions(operator: OperatorClient, wallets: DemoWallet[]): Promise<void> {
  for (const demo of wallets) {
    const view = (await operator.get(`/v1/participants/${demo.id}`)) as { position: string; reserved: string; netDebitCap: string; liquidity: string };
    say(`${demo.id.padEnd(9)} position ${view.position.padStart(14)}  reserved ${view.reserved.padStart(10)}  cap ${view.netDebitCap.padStart(14)}  liquidity ${view.liquidity}`);
  }
}

type WindowReport = {
  windowId: string;
  participants: { participant: string; sentCount: number; sentValue: string; receivedCount: number; receivedValue: string; fees: string; net: string }[];
  totals: { count: number; value: string; fees: string };
  netSumZero: boolean;
};

/** Closes the open settlement window, prints its report, and records the RTGS settlement of its nets. */
async function settleWindow(operator: OperatorClient): Promise<void> {
  const closed = (await operator.post('/v1/settlement/windows/close', { currency: 'PKR' }, 200)) as { closed: { id: string } };
  const report = (await operator.get(`/v1/settlement/windows/${closed.closed.id}/report`)) as WindowReport;
  say(`Settlement window ${report.windowId} closed: ${report.totals.count} payments worth ${report.totals.value} PKR; nets sum to zero: ${report.netSumZero}`);
  for (const line of report.participants) {
    say(`  ${line.participant.padEnd(9)} sent ${String(line.sentCount).padStart(5)} / ${line.sentValue.padStart(13)}  received ${String(line.receivedCount).padStart(5)} / ${line.receivedValue.padStart(13)}  net ${line.net.padStart(13)}`);
  }
  await operator.post(`/v1/settlement/windows/${closed.closed.id}/settle`, { reference: `RTGS-${closed.closed.id}` }, 200);
  say(`Window ${report.windowId} settled (RTGS-${closed.closed.id}): positions after settlement:`);
}

function show(title: string, sent: SentTransfer): void {
  say(`${title}: ${sent.outcome}${sent.abortReason === null ? '' : ` (${sent.abortReason})`}${sent.errorCode === null ? '' : ` [${sent.errorCode}]`}`);
}

function wallet(wallets: DemoWallet[], id: string): DemoWallet {
  const found = wallets.find((entry) => entry.id === id);
  if (found === undefined) throw new Error(`the demo has no wallet ${id}`);
  return found;
}

function customer(demo: DemoWallet): DemoCustomer {
  const first = demo.customers[0];
  if (first === undefined) throw new Error(`wallet ${demo.id} has no customer`);
  return first;
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
}

async function closeAll(running: RunningSwitch, wallets: DemoWallet[]): Promise<void> {
  await running.close();
  for (const demo of wallets) await demo.simulator.close();
}

function parseArguments(argv: string[]): DemoOptions {
  const options: DemoOptions = { trafficSeconds: 15, exitAfterReport: false };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--exit') options.exitAfterReport = true;
    else if (argument === '--seconds') {
      const seconds = Number(argv[index + 1]);
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600) throw new Error('--seconds takes a whole number from 1 to 600');
      options.trafficSeconds = seconds;
      index += 1;
    } else throw new Error(`unknown argument ${String(argument)}; use --seconds N and --exit`);
  }
  return options;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
