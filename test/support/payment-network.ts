import { ibanWithCheckDigits } from '../../core/directory/iban';
import { BankHostSimulator } from '../../simulators/bank/bank-host-simulator';
import { OperatorClient, type IssuedKey } from '../../simulators/operator-client';
import { onboardWalletSimulator } from '../../simulators/wallet-onboarding';
import type { RequestToPayBehaviour } from '../../simulators/wallet/request-to-pay-answerer';
import { WalletSimulator } from '../../simulators/wallet/wallet-simulator';
import { startTestSwitch, type TestSwitch } from './switch-process';

/**
 * A real switch (in this process, real SQLite in a temp dir, its ISO 8583 port on loopback) with simulated bank
 * hosts over real TCP and simulated wallets over real HTTP, onboarded through the operator API. Each bank has
 * two customers with IBANs of its bank code; each wallet one customer with an MSISDN alias.
 */
export type BankSpec = { id: string; bankCode: string; institutionId: string; netDebitCap?: string; creditMode?: 'REQUEST' | 'ADVICE' };
export type WalletSpec = {
  id: string;
  bankCode: string;
  msisdn: string;
  netDebitCap?: string;
  creditMode?: 'REQUEST' | 'ADVICE';
  /** Registers the wallet's rtpUrl, and how its customers answer requests to pay (issue 11). */
  requestToPay?: RequestToPayBehaviour;
};

export type NetworkBank = BankSpec & { simulator: BankHostSimulator; customers: [string, string] };
export type NetworkWallet = WalletSpec & { simulator: WalletSimulator; key: IssuedKey; walletNumber: string };

export const openingBalanceMinor = 10_000_000n;

export function customerIban(bankCode: string, customer: number): string {
  return ibanWithCheckDigits('PK', bankCode, String(customer).padStart(16, '0'));
}

export class PaymentNetwork {
  private constructor(
    public sw: TestSwitch,
    public operator: OperatorClient,
    readonly banks: NetworkBank[],
    readonly wallets: NetworkWallet[],
    private readonly environment: Record<string, string>,
    private readonly now: (() => Date) | undefined,
  ) {}

  /** `now`: one clock for the switch and the simulated wallets, for tests that move time on. */
  static async start(
    banks: readonly BankSpec[],
    wallets: readonly WalletSpec[],
    environment: Record<string, string> = {},
    now?: () => Date,
  ): Promise<PaymentNetwork> {
    const sw = await startTestSwitch({ environment, ...(now === undefined ? {} : { now }) });
    const operator = new OperatorClient(sw.url, sw.operatorKey);
    const networkBanks: NetworkBank[] = [];
    for (const spec of banks) networkBanks.push(await onboardBank(operator, spec));
    const networkWallets: NetworkWallet[] = [];
    for (const spec of wallets) networkWallets.push(await onboardWallet(operator, sw.url, spec, now));
    return new PaymentNetwork(sw, operator, networkBanks, networkWallets, environment, now);
  }

  get iso8583Port(): number {
    return this.sw.running.iso8583Port;
  }

  bank(id: string): NetworkBank {
    const bank = this.banks.find((candidate) => candidate.id === id);
    if (bank === undefined) throw new Error(`no bank ${id} in this network`);
    return bank;
  }

  wallet(id: string): NetworkWallet {
    const wallet = this.wallets.find((candidate) => candidate.id === id);
    if (wallet === undefined) throw new Error(`no wallet ${id} in this network`);
    return wallet;
  }

  /** Connects a bank host to the switch's ISO 8583 port and signs it on; fails the test if it cannot. */
  async connectBank(id: string): Promise<BankHostSimulator> {
    const simulator = this.bank(id).simulator;
    const ready = await simulator.connectToSwitch({ host: '127.0.0.1', port: this.iso8583Port, readyTimeoutMs: 5_000 });
    if (!ready) throw new Error(`bank ${id} could not sign on to the switch`);
    return simulator;
  }

  /**
   * Stops the switch (simulators keep running) and starts it again on the same data dir and the same ISO 8583
   * port, so that connected bank hosts find it again by themselves. `whileStopped` runs in between.
   */
  async restartSwitch(whileStopped: () => void = () => undefined): Promise<void> {
    const iso8583Port = this.iso8583Port;
    await this.sw.stop();
    whileStopped();
    this.sw = await startTestSwitch({
      dataDir: this.sw.dataDir,
      environment: { ...this.environment, HISAAB_ISO8583_PORT: String(iso8583Port) },
      ...(this.now === undefined ? {} : { now: this.now }),
    });
    this.operator = new OperatorClient(this.sw.url, this.sw.operatorKey);
    for (const wallet of this.wallets) wallet.simulator.connectToSwitch(this.sw.url, wallet.key.key);
  }

  async close(): Promise<void> {
    await this.sw.close();
    for (const bank of this.banks) await bank.simulator.close();
    for (const wallet of this.wallets) await wallet.simulator.close();
  }
}

async function onboardBank(operator: OperatorClient, spec: BankSpec): Promise<NetworkBank> {
  const customers: [string, string] = [customerIban(spec.bankCode, 1), customerIban(spec.bankCode, 2)];
  const simulator = new BankHostSimulator({
    institutionId: spec.institutionId,
    accounts: customers.map((iban) => [iban, openingBalanceMinor] as const),
  });
  const address = await simulator.start();
  await operator.onboard({
    id: spec.id,
    name: `${spec.id} Bank`,
    type: 'BANK',
    bankCode: spec.bankCode,
    netDebitCap: spec.netDebitCap ?? '1000000.00',
    creditMode: spec.creditMode ?? 'REQUEST',
    endpoints: { iso8583: `127.0.0.1:${address.port}`, institutionId: spec.institutionId },
  });
  return { ...spec, simulator, customers };
}

async function onboardWallet(operator: OperatorClient, switchUrl: string, spec: WalletSpec, now?: () => Date): Promise<NetworkWallet> {
  const walletNumber = `W${spec.id}0001`;
  const simulator = new WalletSimulator({
    participantId: spec.id,
    ...(now === undefined ? {} : { now }),
    accounts: [{ walletNumber, msisdn: spec.msisdn, name: `Customer ${spec.id}`, balanceMinor: openingBalanceMinor }],
    ...(spec.requestToPay === undefined ? {} : { requestToPay: spec.requestToPay }),
  });
  await simulator.start();
  const key = await onboardWalletSimulator(operator, switchUrl, simulator, {
    name: `${spec.id} Wallet`,
    bankCode: spec.bankCode,
    netDebitCap: spec.netDebitCap ?? '1000000.00',
    creditMode: spec.creditMode ?? 'REQUEST',
    requestToPay: spec.requestToPay !== undefined,
    aliases: [{ msisdn: spec.msisdn, walletNumber, name: `Customer ${spec.id}` }],
  });
  return { ...spec, simulator, key, walletNumber };
}
