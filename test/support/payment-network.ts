import { WalletSimulator } from '../../simulators/wallet/wallet-simulator';
import { OperatorClient, type IssuedKey } from '../../simulators/operator-client';
import { startTestSwitch, type TestSwitch } from './switch-process';

export type NetworkWallet = { id: string; simulator: WalletSimulator; key: IssuedKey; msisdn: string; walletNumber: string };

export type WalletSpec = { id: string; bankCode: string; netDebitCap: string; creditMode?: 'REQUEST' | 'ADVICE' };

/**
 * A real switch (in this process, real SQLite in a temp dir) with real simulated wallets over HTTP, onboarded
 * through the operator API: each wallet has a key, one customer with a balance and an MSISDN alias.
 */
export class PaymentNetwork {
  private constructor(
    public sw: TestSwitch,
    public operator: OperatorClient,
    readonly wallets: NetworkWallet[],
    private readonly environment: Record<string, string>,
  ) {}

  static async start(specs: readonly WalletSpec[], environment: Record<string, string> = {}): Promise<PaymentNetwork> {
    const sw = await startTestSwitch({ environment });
    const operator = new OperatorClient(sw.url, sw.operatorKey);
    const wallets: NetworkWallet[] = [];
    for (const [index, spec] of specs.entries()) wallets.push(await onboardWallet(operator, spec, index));
    for (const wallet of wallets) await issueKeyAndAlias(operator, sw.url, wallet);
    return new PaymentNetwork(sw, operator, wallets, environment);
  }

  wallet(id: string): NetworkWallet {
    const wallet = this.wallets.find((candidate) => candidate.id === id);
    if (wallet === undefined) throw new Error(`no wallet ${id} in this network`);
    return wallet;
  }

  /** Stops the switch (the wallets keep running) and starts it again on the same data dir. */
  async restartSwitch(): Promise<void> {
    await this.sw.stop();
    this.sw = await startTestSwitch({ dataDir: this.sw.dataDir, environment: this.environment });
    this.operator = new OperatorClient(this.sw.url, this.sw.operatorKey);
    for (const wallet of this.wallets) wallet.simulator.connectToSwitch(this.sw.url, wallet.key.key);
  }

  async close(): Promise<void> {
    await this.sw.close();
    for (const wallet of this.wallets) await wallet.simulator.close();
  }
}

async function onboardWallet(operator: OperatorClient, spec: WalletSpec, index: number): Promise<NetworkWallet> {
  const msisdn = `9230000000${String(index).padStart(2, '0')}`;
  const walletNumber = `W${spec.id}0001`;
  const simulator = new WalletSimulator({
    participantId: spec.id,
    accounts: [{ walletNumber, msisdn, name: `Customer ${spec.id}`, balanceMinor: 100_000_000n }],
  });
  const url = await simulator.start();
  await operator.onboard({
    id: spec.id,
    name: `${spec.id} Wallet`,
    type: 'WALLET',
    bankCode: spec.bankCode,
    netDebitCap: spec.netDebitCap,
    creditMode: spec.creditMode ?? 'REQUEST',
    endpoints: { creditUrl: `${url}/credit`, reversalUrl: `${url}/reversal` },
  });
  return { id: spec.id, simulator, key: { keyId: '', key: '', signingSecret: '' }, msisdn, walletNumber };
}

async function issueKeyAndAlias(operator: OperatorClient, switchUrl: string, wallet: NetworkWallet): Promise<void> {
  wallet.key = await operator.issueKey(wallet.id);
  wallet.simulator.setSigningSecret(wallet.key.signingSecret);
  wallet.simulator.connectToSwitch(switchUrl, wallet.key.key);
  await operator.registerAlias(wallet.key.key, {
    type: 'MSISDN',
    value: wallet.msisdn,
    account: { type: 'WALLET', value: wallet.walletNumber },
    name: `Customer ${wallet.id}`,
  });
}
