import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../api/config';
import { createLogger, type Logger } from '../api/logger';
import { startSwitch, type RunningSwitch } from '../api/switch';
import { firstSigningSecret, OperatorClient } from '../simulators/operator-client';
import { WalletSimulator } from '../simulators/wallet/wallet-simulator';
import type { LoadSeed } from './load-seed';

/** The operator's key of the throwaway switch; it lives as long as one run, on loopback only. */
const loadOperatorKey = 'load-test-operator-key-0123456789';
export const loadWalletCountMin = 2;
export const loadWalletCountMax = 3;
/**
 * Caps and opening liquidity far above what a bounded run can move: the load test measures payments, not cap
 * refusals. At 1.00 a transfer and pairs that pay each other in a ring, no position comes near it.
 */
const netDebitCap = '1000000000.00';
const customerBalanceMinor = 100_000_000_000n;

type LoadWallet = { id: string; bankCode: string; msisdn: string; walletNumber: string; name: string };

const loadWallets: readonly LoadWallet[] = [
  { id: 'LOAD_A', bankCode: 'LDAA', msisdn: '923100000001', walletNumber: 'LDAA000001', name: 'Load Payer A' },
  { id: 'LOAD_B', bankCode: 'LDBB', msisdn: '923100000002', walletNumber: 'LDBB000001', name: 'Load Payer B' },
  { id: 'LOAD_C', bankCode: 'LDCC', msisdn: '923100000003', walletNumber: 'LDCC000001', name: 'Load Payer C' },
];

export type LoadNetwork = {
  switchUrl: string;
  /** Pairs in a ring (A pays B, B pays C, C pays A), with each payer's participant key. */
  seed: LoadSeed;
  /** Closes the switch and the wallets and removes the data dir; safe to call twice. */
  close(): Promise<void>;
};

export type LoadNetworkOptions = { walletCount: number; logger?: Logger };

/**
 * The real switch in this process (SQLite in a fresh temp dir, HTTP and ISO 8583 on loopback ports the OS picks)
 * with simulated wallets answering its credit requests over real HTTP, onboarded through the operator API with
 * keys, aliases and liquidity. Whatever fails on the way, everything started so far is closed before the error
 * goes on.
 */
export async function startLoadNetwork(options: LoadNetworkOptions): Promise<LoadNetwork> {
  const { walletCount } = options;
  if (!Number.isSafeInteger(walletCount) || walletCount < loadWalletCountMin || walletCount > loadWalletCountMax) {
    throw new Error(`the load network has ${loadWalletCountMin} to ${loadWalletCountMax} wallets, not ${walletCount}`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'hisaab-load-'));
  const closers: (() => Promise<void> | void)[] = [() => rmSync(dataDir, { recursive: true, force: true })];
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => (closing ??= closeInReverse(closers));
  try {
    const running = await startLoadSwitch(dataDir, options.logger ?? createLogger('warn', process.stderr));
    closers.push(() => running.close());
    const operator = new OperatorClient(running.url, loadOperatorKey);
    const wallets = loadWallets.slice(0, walletCount);
    const keys: string[] = [];
    for (const wallet of wallets) {
      const simulator = new WalletSimulator({
        participantId: wallet.id,
        accounts: [{ walletNumber: wallet.walletNumber, msisdn: wallet.msisdn, name: wallet.name, balanceMinor: customerBalanceMinor }],
        // The wallet only answers here; it remembers few messages, so a long run does not grow its memory.
        receivedMax: 100,
      });
      const walletUrl = await simulator.start();
      closers.push(() => simulator.close());
      keys.push(await onboardWallet(operator, running.url, simulator, walletUrl, wallet));
    }
    return { switchUrl: running.url, seed: ringSeed(running.url, wallets, keys), close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function startLoadSwitch(dataDir: string, logger: Logger): Promise<RunningSwitch> {
  const config = loadConfig({
    HISAAB_DATA_DIR: dataDir,
    HISAAB_OPERATOR_KEY: loadOperatorKey,
    HISAAB_PORT: '0',
    HISAAB_HOST: '127.0.0.1',
    HISAAB_ISO8583_PORT: '0',
    HISAAB_PAYEE_DEADLINE_MS: '2000',
    HISAAB_SHUTDOWN_TIMEOUT_MS: '5000',
  });
  return startSwitch({ config, logger });
}

/** Onboards one wallet with a high cap, its key, liquidity and its customer's MSISDN alias; returns the key. */
async function onboardWallet(
  operator: OperatorClient,
  switchUrl: string,
  simulator: WalletSimulator,
  walletUrl: string,
  wallet: LoadWallet,
): Promise<string> {
  await operator.onboard({
    id: wallet.id,
    name: `${wallet.name} Wallet`,
    type: 'WALLET',
    bankCode: wallet.bankCode,
    netDebitCap,
    creditMode: 'REQUEST',
    endpoints: { creditUrl: `${walletUrl}/credit`, reversalUrl: `${walletUrl}/reversal` },
  });
  const key = await operator.issueKey(wallet.id);
  simulator.setSigningSecret(firstSigningSecret(wallet.id, key));
  simulator.connectToSwitch(switchUrl, key.key);
  await operator.recordFunds(wallet.id, netDebitCap, `${wallet.id}-load-opening`);
  await operator.registerAlias(key.key, {
    type: 'MSISDN',
    value: wallet.msisdn,
    account: { type: 'WALLET', value: wallet.walletNumber },
    name: wallet.name,
  });
  return key.key;
}

function ringSeed(baseUrl: string, wallets: readonly LoadWallet[], keys: readonly string[]): LoadSeed {
  const pairs = wallets.map((payer, index) => {
    const payee = wallets[(index + 1) % wallets.length];
    const participantKey = keys[index];
    if (payee === undefined || participantKey === undefined) throw new Error('every load wallet has a payee and a key');
    return {
      participantKey,
      payer: { type: 'WALLET' as const, value: payer.walletNumber, name: payer.name },
      payee: { type: 'MSISDN' as const, value: payee.msisdn },
    };
  });
  return { baseUrl, pairs };
}

async function closeInReverse(closers: (() => Promise<void> | void)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const close of [...closers].reverse()) {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'closing the load network failed');
}
