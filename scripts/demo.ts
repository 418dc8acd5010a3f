/**
 * `npm start`: the switch on the embedded store with simulated participants, a burst of mixed traffic and what
 * came of it. Flags: `--seconds N` (traffic duration, default 15), `--exit` (stop after the report instead of
 * leaving the switch running for a person to explore). Data goes to a fresh folder ./data/demo-<time>/ (or
 * HISAAB_DATA_DIR); the demo ends by printing the `npm run verify` command for it, and a bare `npm run verify`
 * finds the newest such folder. The traffic prints its progress about once a second.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigError, loadConfig, type SwitchConfig } from '../api/config';
import { createLogger } from '../api/logger';
import { portProblemMessage } from '../api/port-in-use';
import { startSwitch, type RunningSwitch } from '../api/switch';
import { ibanWithCheckDigits } from '../core/directory/iban';
import { BankHostSimulator } from '../simulators/bank/bank-host-simulator';
import { firstSigningSecret, OperatorClient } from '../simulators/operator-client';
import { runTraffic, type TrafficPayee } from '../simulators/traffic/traffic-generator';
import { WalletSimulator } from '../simulators/wallet/wallet-simulator';
import type { SentTransfer } from '../simulators/wallet/transfer-origination';
import type { SettlementReport } from '../core/reports/settlement-report';
import QRCode from 'qrcode';
import { MerchantShop } from '../simulators/merchant/merchant-shop';
import type { FxRateFeed } from '../simulators/inbound-psp/fx-rate-feed';
import { closeForeignWindows, foreignCurrencies, inboundScenario } from './demo-inbound';

type DemoOptions = { trafficSeconds: number; exitAfterReport: boolean };

type DemoWallet = {
  simulator: WalletSimulator;
  id: string;
  name: string;
  bankCode: string;
  netDebitCap: string;
  customers: DemoCustomer[];
  /** Issue 17: the currencies beyond rupees it holds (the shop's acquirer receives foreign currency). */
  foreignCurrencies: readonly string[];
};
type DemoCustomer = { name: string; msisdn: string; walletNumber: string };

const operatorKey = process.env.HISAAB_OPERATOR_KEY ?? 'demo-operator-key-change-me-0001';

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const dataDir = resolve(process.env.HISAAB_DATA_DIR ?? join('data', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  const running = await startDemoSwitch(dataDir);
  const operator = new OperatorClient(running.url, operatorKey);
  const wallets = demoWallets();
  for (const wallet of wallets) await onboardWallet(operator, running.url, wallet);
  say(`Switch ${running.url}: onboarded ${wallets.map((wallet) => wallet.id).join(', ')}, each with a key, aliases and liquidity.`);
  const bank = await onboardBank(operator, running);
  say(`Bank ${bank.id} (ISO 8583 host on port ${bank.port}) signed on to the switch's ISO 8583 port ${running.iso8583Port}.`);

  await scriptedScenarios(operator, wallets);
  await bankScenarios(bank, wallets);
  const shop = await checkoutScenario(operator, running, wallets);
  const rateFeed = await inboundScenario({
    operator,
    switchUrl: running.url,
    shop,
    merchantId: 'KARACHI_BOOKS',
    merchantName: 'Karachi Books',
    dealerId: bank.id,
    say,
  }).finally(() => shop.close());
  say(`Driving ${options.trafficSeconds} s of mixed P2P traffic between the wallets...`);
  const progress = trafficProgress();
  const traffic = await runTraffic({
    onResult: progress.count,
    senders: wallets.filter((wallet) => wallet.id !== 'KHYBER').map((wallet) => wallet.simulator),
    payees: [...payeesOf(wallets), { type: 'IBAN', value: bank.otherIban, participantId: bank.id }],
    countMax: 5_000,
    durationMs: options.trafficSeconds * 1000,
    concurrency: 16,
    amountMinorMin: 100n,
    amountMinorMax: 500_000n,
  }).finally(progress.stop);
  say(`Traffic: ${JSON.stringify(traffic.summary)}`);
  const participants = [...wallets.map((demo) => demo.id), bank.id];
  await printPositions(operator, participants);
  await settleWindow(operator);
  await printPositions(operator, participants);
  await closeForeignWindows(operator, say);
  say(`Check this run's ledger invariants: npm run verify -- --data-dir ${shownPath(dataDir)}`);
  if (options.exitAfterReport) {
    await closeAll(running, wallets, bank, rateFeed);
    return;
  }
  say(
    `The switch keeps running at ${running.url} (operator key: ${operatorKey}); OpenAPI at ${running.url}/openapi.json. Ctrl-C stops it (npm start -- --exit stops after the report).`,
  );
  const stop = (): void => void closeAll(running, wallets, bank, rateFeed).then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * Counts the traffic's outcomes as they come and prints them about once a second while it runs. Each outcome is
 * named as the summary after it names it (the API's COMMITTED and ABORTED, the switch's REFUSED, the wallet's own
 * DECLINED), every one of them, so that a person can match the last progress line to the summary word for word.
 */
function trafficProgress(): { count: (result: SentTransfer) => void; stop: () => void } {
  const startedMs = performance.now();
  const outcomes: Record<SentTransfer['outcome'], number> = { COMMITTED: 0, ABORTED: 0, REFUSED: 0, DECLINED: 0, UNKNOWN: 0 };
  let done = 0;
  const timer = setInterval(() => {
    const elapsedSeconds = (performance.now() - startedMs) / 1000;
    const counts = Object.entries(outcomes)
      .map(([outcome, count]) => `${outcome} ${count}`)
      .join(', ');
    say(`  traffic ${Math.round(elapsedSeconds)} s: ${done} transfers, ${counts}, ${Math.round(done / elapsedSeconds)}/s`);
  }, 1_000);
  return {
    count: (result) => {
      done += 1;
      outcomes[result.outcome] += 1;
    },
    stop: () => clearInterval(timer),
  };
}

/** A path as a person would type it from here: relative inside the current folder, absolute outside it. */
function shownPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere === '' || fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
}

/** The moments a person should see once: a rejection, a timeout with its reversal, a cap breach. */
async function scriptedScenarios(operator: OperatorClient, wallets: DemoWallet[]): Promise<void> {
  const [margalla, ravi, khyber] = [wallet(wallets, 'MARGALLA'), wallet(wallets, 'RAVI'), wallet(wallets, 'KHYBER')];
  const payRavi = (from: DemoWallet, amount: string): Promise<SentTransfer> =>
    from.simulator.sendTransfer({ from: customer(from).walletNumber, payee: { type: 'MSISDN', value: customer(ravi).msisdn }, amount });

  const paid = await payRavi(margalla, '1500.00');
  show('A payment Margalla → Ravi', paid);
  ravi.simulator.setMode({ mode: 'reject', reason: 'ACCOUNT_BLOCKED' }, ['CREDIT_REQUEST']);
  const rejected = await payRavi(margalla, '250.00');
  show('Ravi rejects a credit', rejected);
  await disputeScenarios(margalla, rejected);
  ravi.simulator.setMode({ mode: 'slow', delayMs: 3_000 }, ['CREDIT_REQUEST']);
  show('Ravi answers too late (it did credit: a reversal follows)', await payRavi(margalla, '99.99'));
  ravi.simulator.setMode({ mode: 'accept' });
  show('Khyber pays past its net debit cap of 5000.00', await payRavi(khyber, '6000.00'));
  await waitFor(() => ravi.simulator.received('REVERSAL').length > 0, 15_000);
  say(`Ravi received ${ravi.simulator.received('REVERSAL').length} reversal(s) from the switch's outbox.`);
}

/**
 * Online dispute resolution: the customer whose 250.00 payment was rejected claims DEBITED_NOT_CREDITED, which the
 * switch resolves at once from its ledger (the transfer aborted). The contested claim is on the checkout (below).
 */
async function disputeScenarios(margalla: DemoWallet, rejected: SentTransfer): Promise<void> {
  const claim = (transfer: SentTransfer, category: string, description: string) =>
    margalla.simulator.openDispute({ transferId: transfer.id, category, amount: transfer.amount, description });
  const automatic = await claim(rejected, 'DEBITED_NOT_CREDITED', 'the customer says the wallet debited 250.00');
  if (automatic.kind !== 'dispute') throw new Error(`the demo dispute was not opened: ${JSON.stringify(automatic)}`);
  say(
    `Dispute DEBITED_NOT_CREDITED on the rejected payment: ${automatic.dispute.state} ${automatic.dispute.outcome ?? ''}, decided from the ledger at once`,
  );
}

type DemoBank = { id: string; simulator: BankHostSimulator; port: number; customerIban: string; otherIban: string };

/** Indus Bank: a bank host speaking ISO 8583 over TCP, in both directions, and an authorised FX dealer. */
async function onboardBank(operator: OperatorClient, running: RunningSwitch): Promise<DemoBank> {
  const customerIban = ibanWithCheckDigits('PK', 'INDS', '0000000000000001');
  const otherIban = ibanWithCheckDigits('PK', 'INDS', '0000000000000002');
  const simulator = new BankHostSimulator({
    institutionId: '600001',
    accounts: [
      [customerIban, 1_000_000_000n],
      [otherIban, 1_000_000_000n],
    ],
  });
  const address = await simulator.start();
  await operator.onboard({
    id: 'INDUS',
    name: 'Indus Bank',
    type: 'BANK',
    bankCode: 'INDS',
    netDebitCap: '5000000.00',
    // Issue 17: Indus Bank is also the authorised dealer that converts in-bound receipts into rupees.
    currencies: ['PKR', ...foreignCurrencies],
    fxProvider: true,
    endpoints: { iso8583: `127.0.0.1:${address.port}`, institutionId: '600001' },
  });
  await operator.recordFunds('INDUS', '10000000.00', 'INDUS-opening');
  const signedOn = await simulator.connectToSwitch({ host: '127.0.0.1', port: running.iso8583Port, readyTimeoutMs: 5_000 });
  if (!signedOn) throw new Error('the demo bank could not sign on to the switch');
  return { id: 'INDUS', simulator, port: address.port, customerIban, otherIban };
}

/** A bank customer pays a wallet customer (0200 from the bank), and a wallet customer pays an IBAN at the bank. */
async function bankScenarios(bank: DemoBank, wallets: DemoWallet[]): Promise<void> {
  const margalla = wallet(wallets, 'MARGALLA');
  const fromBank = await bank.simulator.sendTransfer({
    payerAccount: bank.customerIban,
    payee: customer(margalla).msisdn,
    amountMinor: 250_000n,
    timeoutMs: 5_000,
  });
  say(
    `Indus Bank (ISO 8583 0200) → Margalla wallet 2500.00: ${fromBank.status}${'responseCode' in fromBank ? ` (39=${fromBank.responseCode})` : ''}`,
  );
  const toBank = await margalla.simulator.sendTransfer({
    from: customer(margalla).walletNumber,
    payee: { type: 'IBAN', value: bank.otherIban },
    amount: '1200.00',
  });
  show('Margalla wallet → Indus Bank IBAN 1200.00 (switch sends a 0200 to the bank)', toBank);
}

/**
 * A checkout (issue 11): the operator onboards a shop acquired by Margalla, the shop (simulators/merchant) opens a
 * session, the pay URL and its QR are printed, the customer enters a Ravi Pay number on the pay page, Ravi Pay asks
 * its customer and approves by paying the merchant, the shop prints the webhook it verified, then refunds a part.
 * Answers the shop, still listening for webhooks.
 */
async function checkoutScenario(operator: OperatorClient, running: RunningSwitch, wallets: DemoWallet[]): Promise<MerchantShop> {
  const [margalla, ravi] = [wallet(wallets, 'MARGALLA'), wallet(wallets, 'RAVI')];
  const settlementWallet = 'MRGL900001';
  margalla.simulator.accounts.add({ walletNumber: settlementWallet, name: 'Karachi Books', balanceMinor: 0n });
  const onboarded = (await operator.post(
    '/v1/merchants',
    {
      id: 'KARACHI_BOOKS',
      name: 'Karachi Books',
      mcc: '5942',
      city: 'Karachi',
      acquirer: margalla.id,
      settlementAccount: { type: 'WALLET', value: settlementWallet },
      // Replaced below by the shop's own URL, known once it listens.
      webhookUrl: 'http://127.0.0.1:9/webhooks',
      fees: { mdrPercent: '1.50', interchangePercent: '0.50', switchFee: '1.00' },
    },
    201,
  )) as { apiKey: string; webhookSecret: string };
  const shop = new MerchantShop({ switchUrl: running.url, apiKey: onboarded.apiKey, webhookSecrets: [onboarded.webhookSecret] });
  await shop.start();
  try {
    await operator.patch('/v1/merchants/KARACHI_BOOKS', { webhookUrl: shop.webhookUrl });
    const session = await shop.createSession({ amount: '1500.00', orderId: 'ORD-DEMO-1', description: 'Two books' });
    say(`Checkout: Karachi Books (acquired by Margalla, MDR 1.50 %) opened ${session.id} for ${session.amount} ${session.currency}.`);
    say(`  Pay at ${session.payUrl} or scan:`);
    say(await QRCode.toString(session.qr, { type: 'terminal', small: true }));
    const payer = customer(ravi);
    const form = await fetch(`${running.url}/pay/${session.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ msisdn: `0${payer.msisdn.slice(2)}` }).toString(),
      redirect: 'manual',
    });
    say(`  ${payer.name} enters 0${payer.msisdn.slice(2)} on the pay page (${form.status}); Ravi Pay asks her and she approves.`);
    const completed = await shop.waitForEvent(
      (event) => event.type === 'checkout.session.completed' && event.data.object['id'] === session.id,
      15_000,
    );
    say(
      `  Shop verified webhook ${completed.type} ${completed.id}: ${String(completed.data.object['status'])}, transfer ${String(completed.data.object['transferId'])}`,
    );
    const refund = await shop.refund({ sessionId: session.id, amount: '500.00', reason: 'one book returned' });
    say(`  Shop refunds 500.00 of it: ${refund.id} ${refund.status}${refund.failureReason === null ? '' : ` (${refund.failureReason})`}`);
    const refunded = await shop.waitForEvent((event) => event.type.startsWith('refund.') && event.data.object['id'] === refund.id, 15_000);
    say(`  Shop verified webhook ${refunded.type} ${refunded.id}`);
    await contestedCheckoutDispute(operator, ravi, shop, String(completed.data.object['transferId']));
    // The shop stays open for the in-bound receipts' webhooks; the caller closes it.
    return shop;
  } catch (error) {
    await shop.close();
    throw error;
  }
}

/**
 * Issue 12 on a checkout payment: the customer claims GOODS_NOT_RECEIVED for what the refund left (1000.00) through
 * Ravi Pay; the shop contests with its own key; the operator decides for the customer; the chargeback shows in the
 * shop's balance (`chargedBack`, taken off its `net`).
 */
async function contestedCheckoutDispute(operator: OperatorClient, ravi: DemoWallet, shop: MerchantShop, transferId: string): Promise<void> {
  const opened = await ravi.simulator.openDispute({
    transferId,
    category: 'GOODS_NOT_RECEIVED',
    amount: '1000.00',
    description: 'the second book never arrived',
  });
  if (opened.kind !== 'dispute') throw new Error(`the demo dispute was not opened: ${JSON.stringify(opened)}`);
  say(
    `Dispute GOODS_NOT_RECEIVED on the checkout payment: ${opened.dispute.state}, merchant ${opened.dispute.merchantId ?? 'none'}, answer by ${opened.dispute.respondBy ?? ''}`,
  );
  await shop.answerDispute(opened.dispute.id, { action: 'CONTEST', note: 'shipped with tracking number KHI-4471' });
  const decided = (await operator.post(
    `/v1/disputes/${opened.dispute.id}/decision`,
    { outcome: 'CLAIMANT', note: 'the tracking shows the parcel returned to sender' },
    200,
  )) as { state: string; outcome: string; chargebackTransferId: string | null };
  say(
    `  Karachi Books contests; the operator decides: ${decided.state} ${decided.outcome}, chargeback ${decided.chargebackTransferId ?? 'none'}`,
  );
  // The merchant views are a projection: give it a moment to show the chargeback (bounded, as every wait here).
  let balance = await shop.balance('KARACHI_BOOKS', 'PKR');
  for (let attempt = 0; balance.chargedBack === '0.00' && attempt < 50; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    balance = await shop.balance('KARACHI_BOOKS', 'PKR');
  }
  say(
    `  Karachi Books' balance: collected ${balance.collected}, refunded ${balance.refunded}, charged back ${balance.chargedBack}, MDR ${balance.mdr}, net ${balance.net}`,
  );
}

async function startDemoSwitch(dataDir: string): Promise<RunningSwitch> {
  let config: SwitchConfig;
  try {
    config = loadConfig({
      ...process.env,
      HISAAB_DATA_DIR: dataDir,
      HISAAB_OPERATOR_KEY: operatorKey,
      HISAAB_PORT: process.env.HISAAB_PORT ?? '0',
      HISAAB_HOST: process.env.HISAAB_HOST ?? '127.0.0.1',
      HISAAB_PAYEE_DEADLINE_MS: process.env.HISAAB_PAYEE_DEADLINE_MS ?? '2000',
      HISAAB_ISO8583_PORT: process.env.HISAAB_ISO8583_PORT ?? '0',
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return refuseToStart(error.message);
  }
  say(`Data dir: ${dataDir}`);
  try {
    return await startSwitch({ config, logger: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel) });
  } catch (error) {
    // A taken port is the person's to fix: one line naming the variable, not a stack trace.
    const portProblem = portProblemMessage(error, config);
    if (portProblem === null) throw error;
    return refuseToStart(portProblem);
  }
}

function refuseToStart(reason: string): never {
  process.stderr.write(`demo: refusing to start: ${reason}\n`);
  process.exit(2);
}

function demoWallets(): DemoWallet[] {
  const make = (
    id: string,
    name: string,
    bankCode: string,
    netDebitCap: string,
    people: [string, string][],
    otherCurrencies: readonly string[] = [],
  ): DemoWallet => {
    const customers = people.map(([person, msisdn], index) => ({
      name: person,
      msisdn,
      walletNumber: `${bankCode}${String(index + 1).padStart(6, '0')}`,
    }));
    const simulator = new WalletSimulator({
      participantId: id,
      accounts: customers.map((entry) => ({
        walletNumber: entry.walletNumber,
        msisdn: entry.msisdn,
        name: entry.name,
        balanceMinor: 1_000_000_000n,
      })),
    });
    return { simulator, id, name, bankCode, netDebitCap, customers, foreignCurrencies: otherCurrencies };
  };
  return [
    // Margalla acquires the demo shop, so it holds the currencies the shop is paid in from abroad.
    make(
      'MARGALLA',
      'Margalla Wallet',
      'MRGL',
      '5000000.00',
      [
        ['Ayesha Khan', '923001111111'],
        ['Bilal Ahmed', '923001111112'],
      ],
      foreignCurrencies,
    ),
    make('RAVI', 'Ravi Pay', 'RAVI', '5000000.00', [
      ['Chand Bibi', '923002222221'],
      ['Daniyal Shah', '923002222222'],
    ]),
    make('KHYBER', 'Khyber Cash', 'KHBR', '5000.00', [['Erum Gul', '923003333331']]),
  ];
}

async function onboardWallet(operator: OperatorClient, switchUrl: string, demo: DemoWallet): Promise<void> {
  await demo.simulator.start();
  await operator.onboard({
    id: demo.id,
    name: demo.name,
    type: 'WALLET',
    bankCode: demo.bankCode,
    netDebitCap: demo.netDebitCap,
    ...(demo.foreignCurrencies.length === 0 ? {} : { currencies: ['PKR', ...demo.foreignCurrencies] }),
    // The rtpUrl too: its customers approve a request to pay from a checkout by paying the merchant.
    endpoints: demo.simulator.endpoints,
  });
  const key = await operator.issueKey(demo.id);
  demo.simulator.setSigningSecret(firstSigningSecret(demo.id, key));
  demo.simulator.connectToSwitch(switchUrl, key.key);
  await operator.recordFunds(demo.id, '10000000.00', `${demo.id}-opening`);
  for (const person of demo.customers) {
    await operator.registerAlias(key.key, {
      type: 'MSISDN',
      value: person.msisdn,
      account: { type: 'WALLET', value: person.walletNumber },
      name: person.name,
    });
  }
}

function payeesOf(wallets: DemoWallet[]): TrafficPayee[] {
  return wallets.flatMap((demo) => demo.customers.map((person) => ({ type: 'MSISDN', value: person.msisdn, participantId: demo.id })));
}

async function printPositions(operator: OperatorClient, participantIds: readonly string[]): Promise<void> {
  for (const id of participantIds) {
    const view = (await operator.get(`/v1/participants/${id}`)) as {
      position: string;
      reserved: string;
      netDebitCap: string;
      liquidity: string;
    };
    say(
      `${id.padEnd(9)} position ${view.position.padStart(14)}  reserved ${view.reserved.padStart(10)}  cap ${view.netDebitCap.padStart(14)}  liquidity ${view.liquidity}`,
    );
  }
}

/** The report's JSON as the API answers it: the fields the demo prints. */
type WindowReport = Pick<SettlementReport, 'windowId' | 'participants' | 'totals' | 'netSumZero'>;

/** Closes the open settlement window, prints its report, and records the RTGS settlement of its nets. */
async function settleWindow(operator: OperatorClient): Promise<void> {
  const closed = (await operator.post('/v1/settlement/windows/close', { currency: 'PKR' }, 200)) as { closed: { id: string } };
  const report = (await operator.get(`/v1/settlement/windows/${closed.closed.id}/report`)) as WindowReport;
  say(
    `Settlement window ${report.windowId} closed: ${report.totals.count} payments worth ${report.totals.value} PKR; nets sum to zero: ${report.netSumZero}`,
  );
  for (const line of report.participants) {
    say(
      `  ${line.participant.padEnd(9)} sent ${String(line.sentCount).padStart(5)} / ${line.sentValue.padStart(13)}  received ${String(line.receivedCount).padStart(5)} / ${line.receivedValue.padStart(13)}  net ${line.net.padStart(13)}`,
    );
  }
  await operator.post(`/v1/settlement/windows/${closed.closed.id}/settle`, { reference: `RTGS-${closed.closed.id}` }, 200);
  say(`Window ${report.windowId} settled (RTGS-${closed.closed.id}): positions after settlement:`);
}

function show(title: string, sent: SentTransfer): void {
  say(
    `${title}: ${sent.outcome}${sent.abortReason === null ? '' : ` (${sent.abortReason})`}${sent.errorCode === null ? '' : ` [${sent.errorCode}]`}`,
  );
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

async function closeAll(running: RunningSwitch, wallets: DemoWallet[], bank: DemoBank, rateFeed: FxRateFeed): Promise<void> {
  rateFeed.stop();
  await running.close();
  for (const demo of wallets) await demo.simulator.close();
  await bank.simulator.close();
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
