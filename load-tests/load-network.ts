import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../api/config';
import { createLogger, type Logger } from '../api/logger';
import { startSwitch } from '../api/switch';
import type { CreditMode } from '../core/participants/participant-profile';
import { OperatorClient } from '../simulators/operator-client';
import { onboardWalletSimulator } from '../simulators/wallet-onboarding';
import { WalletSimulator } from '../simulators/wallet/wallet-simulator';
import type { LoadSeed } from './load-seed';
import { freeLoopbackPort, startNodeService } from './node-service';

/** The operator's key of the throwaway switch; it lives as long as one run, on loopback only. */
export const loadOperatorKey = 'load-test-operator-key-0123456789';
export const loadWalletCountMin = 2;
export const loadWalletCountMax = 3;
/**
 * Caps and opening liquidity far above what a bounded run can move: the load test measures payments, not cap
 * refusals. At 1.00 a transfer and pairs that pay each other in a ring, no position comes near it.
 */
const netDebitCap = '1000000000.00';
const customerBalanceMinor = 100_000_000_000n;

type LoadWallet = { id: string; bankCode: string; msisdn: string; walletNumber: string; name: string };

/** The REQUEST ring: the switch asks each payee wallet over HTTP before it commits. */
const loadWallets: readonly LoadWallet[] = [
  { id: 'LOAD_A', bankCode: 'LDAA', msisdn: '923100000001', walletNumber: 'LDAA000001', name: 'Load Payer A' },
  { id: 'LOAD_B', bankCode: 'LDBB', msisdn: '923100000002', walletNumber: 'LDBB000001', name: 'Load Payer B' },
  { id: 'LOAD_C', bankCode: 'LDCC', msisdn: '923100000003', walletNumber: 'LDCC000001', name: 'Load Payer C' },
];

/** The ADVICE ring: the switch commits at once and tells the payee wallet afterwards (store and forward). */
const adviceWallets: readonly LoadWallet[] = [
  { id: 'LOAD_D', bankCode: 'LDDD', msisdn: '923100000004', walletNumber: 'LDDD000001', name: 'Load Payer D' },
  { id: 'LOAD_E', bankCode: 'LDEE', msisdn: '923100000005', walletNumber: 'LDEE000001', name: 'Load Payer E' },
];

/** The switch under load, however it was started. */
export type SwitchUnderLoad = { url: string; close(): Promise<void> };

/**
 * Starts the switch with the rig's environment (data dir, operator key, loopback host, deadlines): in this
 * process through startSwitch, or as its own process exactly as `npm run serve` starts it.
 */
export type SwitchLauncher = (environment: Readonly<Record<string, string>>) => Promise<SwitchUnderLoad>;

export type LoadNetwork = {
  switchUrl: string;
  /** Pairs in a ring (A pays B, B pays C, C pays A) of REQUEST-mode payees, with each payer's participant key. */
  seed: LoadSeed;
  /** Pairs in a ring (D pays E, E pays D) of ADVICE-mode payees; null when the network was started without them. */
  adviceSeed: LoadSeed | null;
  /** Closes the switch and the wallets and removes the data dir; safe to call twice. */
  close(): Promise<void>;
};

export type LoadNetworkOptions = {
  walletCount: number;
  /** Also onboards the two ADVICE-mode wallets (adviceSeed). */
  withAdviceWallets?: boolean;
  /** How the switch is started; in this process (startSwitch) by default. */
  launcher?: SwitchLauncher;
  logger?: Logger;
};

/** The switch in this process, through startSwitch (api/switch.ts), listening on a port the OS picks. */
export function inProcessSwitch(logger: Logger): SwitchLauncher {
  return async (environment) => {
    const running = await startSwitch({ config: loadConfig({ ...environment, HISAAB_PORT: '0' }), logger });
    return { url: running.url, close: () => running.close() };
  };
}

export type SpawnedSwitchOptions = {
  /**
   * Where the switch's output goes. Its log level is the production default (info: one line per request), so
   * that logging costs what it costs in production; the lines go to this file, not through the runner.
   */
  logFile: string;
  /** Node flags of the switch's process (`--cpu-prof`). */
  nodeFlags?: readonly string[];
  /** Extra environment (HISAAB_WORKERS), passed as it is: the switch reads what it knows. */
  environment?: Readonly<Record<string, string>>;
};

/** The switch as its own process, as `npm run serve` starts it (api/main.ts), ready once /healthz answers 200. */
export function spawnedSwitch(options: SpawnedSwitchOptions): SwitchLauncher {
  return async (environment) => {
    const port = await freeLoopbackPort();
    const service = await startNodeService({
      entry: 'api/main.ts',
      nodeFlags: options.nodeFlags ?? [],
      environment: { ...environment, ...options.environment, HISAAB_PORT: String(port) },
      port,
      readyPath: '/healthz',
      logFile: options.logFile,
    });
    return { url: service.url, close: () => service.close() };
  };
}

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
    const launch = options.launcher ?? inProcessSwitch(options.logger ?? createLogger('warn', process.stderr));
    const running = await launch(loadSwitchEnvironment(dataDir));
    closers.push(() => running.close());
    const operator = new OperatorClient(running.url, loadOperatorKey);
    const startRing = async (wallets: readonly LoadWallet[], creditMode: CreditMode): Promise<LoadSeed> => {
      const keys: string[] = [];
      for (const wallet of wallets) {
        const simulator = new WalletSimulator({
          participantId: wallet.id,
          accounts: [{ walletNumber: wallet.walletNumber, msisdn: wallet.msisdn, name: wallet.name, balanceMinor: customerBalanceMinor }],
          // The wallet only answers here; it remembers few messages, so a long run does not grow its memory.
          receivedMax: 100,
        });
        await simulator.start();
        closers.push(() => simulator.close());
        const key = await onboardWalletSimulator(operator, running.url, simulator, {
          name: `${wallet.name} Wallet`,
          bankCode: wallet.bankCode,
          netDebitCap,
          creditMode,
          openingFunds: { amount: netDebitCap, reference: `${wallet.id}-load-opening` },
          aliases: [{ msisdn: wallet.msisdn, walletNumber: wallet.walletNumber, name: wallet.name }],
        });
        keys.push(key.key);
      }
      return ringSeed(running.url, wallets, keys);
    };
    const seed = await startRing(loadWallets.slice(0, walletCount), 'REQUEST');
    const adviceSeed = options.withAdviceWallets === true ? await startRing(adviceWallets, 'ADVICE') : null;
    return { switchUrl: running.url, seed, adviceSeed, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The switch's configuration in the rig, as environment variables: the same for every way of starting it. */
function loadSwitchEnvironment(dataDir: string): Record<string, string> {
  return {
    HISAAB_DATA_DIR: dataDir,
    HISAAB_OPERATOR_KEY: loadOperatorKey,
    HISAAB_HOST: '127.0.0.1',
    HISAAB_ISO8583_PORT: '0',
    HISAAB_PAYEE_DEADLINE_MS: '2000',
    HISAAB_SHUTDOWN_TIMEOUT_MS: '5000',
    // A load test measures the switch's ceiling from one key and one address: no rate limit may stand below it.
    HISAAB_RATE_LIMIT_PER_KEY: '1000000',
    HISAAB_RATE_LIMIT_PAY_PAGE_PER_ADDRESS: '1000000',
    HISAAB_RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS: '1000000',
  };
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
