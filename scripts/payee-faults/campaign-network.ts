import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ibanWithCheckDigits } from '../../core/directory/iban';
import { freeLoopbackPort, startNodeService, type NodeService } from '../../load-tests/node-service';
import { BankHostSimulator } from '../../simulators/bank/bank-host-simulator';
import { OperatorClient } from '../../simulators/operator-client';
import { onboardWalletSimulator } from '../../simulators/wallet-onboarding';
import { WalletSimulator } from '../../simulators/wallet/wallet-simulator';

/**
 * The network a payee-fault campaign runs in, all on loopback: the switch as its own process (`api/main.ts`, as
 * `npm run serve` runs it) on a fresh temp data dir and fixed ports, so that it can be killed and started again
 * where the payees and banks find it; a healthy payer wallet; two payee wallets over HTTP (REQUEST and ADVICE)
 * and two bank hosts over ISO 8583 (REQUEST and ADVICE), which the campaign makes faulty. The REQUEST bank also
 * originates transfers to the switch (0200 in), paying the REQUEST wallet's customer.
 */
export const campaignOperatorKey = 'payee-faults-operator-key-0123456789';
export const openingBalanceMinor = 1_000_000_000n;
const netDebitCap = '100000000.00';

export type CampaignWallet = { id: string; msisdn: string; walletNumber: string; simulator: WalletSimulator; key: string };
export type CampaignBank = { id: string; institutionId: string; payeeAccount: string; payerAccount: string; simulator: BankHostSimulator };

export type CampaignNetwork = {
  switchUrl: string;
  dataDir: string;
  payer: CampaignWallet;
  requestWallet: CampaignWallet;
  adviceWallet: CampaignWallet;
  requestBank: CampaignBank;
  adviceBank: CampaignBank;
  /** SIGKILL to the switch's process group, then the same switch started again on the same data dir and ports. */
  killAndRestart(): Promise<{ killedAt: number; readyAt: number }>;
  /** SIGTERM: the switch stops as an operator stops it (the campaign reads its log afterwards). */
  stopSwitch(): Promise<void>;
  /** Stops everything and removes the data dir. */
  close(): Promise<void>;
};

type WalletSpec = { id: string; bankCode: string; msisdn: string; creditMode: 'REQUEST' | 'ADVICE' };
type BankSpec = { id: string; bankCode: string; institutionId: string; creditMode: 'REQUEST' | 'ADVICE' };

export async function startCampaignNetwork(payeeDeadlineMs: number, logFile: string): Promise<CampaignNetwork> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hisaab-faults-'));
  const closers: (() => Promise<void> | void)[] = [() => rmSync(dataDir, { recursive: true, force: true })];
  const closeAll = async (): Promise<void> => {
    for (const closer of closers.reverse()) await closer();
    closers.length = 0;
  };
  try {
    const port = await freeLoopbackPort();
    const iso8583Port = await freeLoopbackPort();
    const environment = {
      HISAAB_DATA_DIR: dataDir,
      HISAAB_OPERATOR_KEY: campaignOperatorKey,
      HISAAB_HOST: '127.0.0.1',
      HISAAB_PORT: String(port),
      HISAAB_ISO8583_PORT: String(iso8583Port),
      HISAAB_PAYEE_DEADLINE_MS: String(payeeDeadlineMs),
      HISAAB_SHUTDOWN_TIMEOUT_MS: '2000',
      HISAAB_LOG_LEVEL: 'warn',
    };
    const launch = (): Promise<NodeService> =>
      startNodeService({ entry: 'api/main.ts', environment, port, readyPath: '/healthz', logFile });
    let service = await launch();
    closers.push(() => service.close());
    const operator = new OperatorClient(service.url, campaignOperatorKey);
    const wallet = async (spec: WalletSpec): Promise<CampaignWallet> => {
      const started = await startWallet(operator, service.url, spec);
      closers.push(() => started.simulator.close());
      return started;
    };
    const bank = async (spec: BankSpec): Promise<CampaignBank> => {
      const started = await startBank(operator, spec);
      closers.push(() => started.simulator.close());
      return started;
    };
    const payer = await wallet({ id: 'PAYER', bankCode: 'PAYR', msisdn: '923009000001', creditMode: 'REQUEST' });
    const requestWallet = await wallet({ id: 'WALLET_REQ', bankCode: 'WREQ', msisdn: '923009000002', creditMode: 'REQUEST' });
    const adviceWallet = await wallet({ id: 'WALLET_ADV', bankCode: 'WADV', msisdn: '923009000003', creditMode: 'ADVICE' });
    const requestBank = await bank({ id: 'BANK_REQ', bankCode: 'BREQ', institutionId: '610001', creditMode: 'REQUEST' });
    const adviceBank = await bank({ id: 'BANK_ADV', bankCode: 'BADV', institutionId: '610002', creditMode: 'ADVICE' });
    const signedOn = await requestBank.simulator.connectToSwitch({ host: '127.0.0.1', port: iso8583Port, readyTimeoutMs: 30_000 });
    if (!signedOn) throw new Error('the originating bank could not sign on to the switch');
    return {
      switchUrl: service.url,
      dataDir,
      payer,
      requestWallet,
      adviceWallet,
      requestBank,
      adviceBank,
      async killAndRestart() {
        const killedAt = Date.now();
        await service.kill();
        service = await launch();
        return { killedAt, readyAt: Date.now() };
      },
      stopSwitch: () => service.close(),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function startWallet(operator: OperatorClient, switchUrl: string, spec: WalletSpec): Promise<CampaignWallet> {
  const walletNumber = `${spec.bankCode}000001`;
  const simulator = new WalletSimulator({
    participantId: spec.id,
    accounts: [{ walletNumber, msisdn: spec.msisdn, name: `Customer ${spec.id}`, balanceMinor: openingBalanceMinor }],
    // Only the books are checked; the message log is for debugging and is kept short.
    receivedMax: 1_000,
  });
  await simulator.start();
  const issued = await onboardWalletSimulator(operator, switchUrl, simulator, {
    name: `${spec.id} Wallet`,
    bankCode: spec.bankCode,
    netDebitCap,
    creditMode: spec.creditMode,
    aliases: [{ msisdn: spec.msisdn, walletNumber, name: `Customer ${spec.id}` }],
  });
  return { id: spec.id, msisdn: spec.msisdn, walletNumber, simulator, key: issued.key };
}

async function startBank(operator: OperatorClient, spec: BankSpec): Promise<CampaignBank> {
  const payeeAccount = ibanWithCheckDigits('PK', spec.bankCode, '0000000000000001');
  const payerAccount = ibanWithCheckDigits('PK', spec.bankCode, '0000000000000002');
  const simulator = new BankHostSimulator({
    institutionId: spec.institutionId,
    accounts: [
      [payeeAccount, openingBalanceMinor],
      [payerAccount, openingBalanceMinor],
    ],
  });
  const address = await simulator.start();
  await operator.onboard({
    id: spec.id,
    name: `${spec.id} Bank`,
    type: 'BANK',
    bankCode: spec.bankCode,
    netDebitCap,
    creditMode: spec.creditMode,
    endpoints: { iso8583: `127.0.0.1:${address.port}`, institutionId: spec.institutionId },
  });
  return { id: spec.id, institutionId: spec.institutionId, payeeAccount, payerAccount, simulator };
}
