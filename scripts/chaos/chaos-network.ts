import { ibanWithCheckDigits } from '../../core/directory/iban';
import { BankHostSimulator } from '../../simulators/bank/bank-host-simulator';
import { MerchantShop } from '../../simulators/merchant/merchant-shop';
import { OperatorClient } from '../../simulators/operator-client';
import { onboardWalletSimulator } from '../../simulators/wallet-onboarding';
import { WalletSimulator } from '../../simulators/wallet/wallet-simulator';

/**
 * The participants around the switch in a crash-loop campaign, all in the campaign's process so that they outlive
 * every kill of the switch: MARGALLA (a wallet that pays, and acquires the shop), RAVI (a wallet paid by credit
 * REQUEST, whose second customer pays checkouts), KHYBER (a wallet paid by credit ADVICE), INDUS (a bank host over
 * ISO 8583 that pays with 0200s and is paid by 0200 credit requests), CHENAB (a bank host paid by 0220 advices) and
 * KARACHI_BOOKS (a shop receiving webhooks).
 *
 * Each receiving account receives and never pays, so that its balance is exactly what the switch credited to it:
 * that is how the payees' books are compared with the switch's.
 */
export const openingBalanceMinor = 1_000_000_000_000n;

export const chaosAccounts = {
  margallaPayer: { walletNumber: 'MRGL000001', msisdn: '923001111111' },
  margallaShop: { walletNumber: 'MRGL900001' },
  raviPayee: { walletNumber: 'RAVI000001', msisdn: '923002222221' },
  raviShopper: { walletNumber: 'RAVI000002', msisdn: '923002222222' },
  khyberPayee: { walletNumber: 'KHBR000001', msisdn: '923003333331' },
  indusPayer: ibanWithCheckDigits('PK', 'INDS', '0000000000000001'),
  indusPayee: ibanWithCheckDigits('PK', 'INDS', '0000000000000002'),
  chenabPayee: ibanWithCheckDigits('PK', 'CHNB', '0000000000000001'),
} as const;

export const merchantId = 'KARACHI_BOOKS';

export type ChaosNetwork = {
  margalla: WalletSimulator;
  ravi: WalletSimulator;
  khyber: WalletSimulator;
  indus: BankHostSimulator;
  chenab: BankHostSimulator;
  /** Each bank host with its account that only receives. */
  banks: readonly { id: string; simulator: BankHostSimulator; payeeIban: string }[];
  shop: MerchantShop;
  keys: { margalla: string; ravi: string; khyber: string };
  wallets: readonly WalletSimulator[];
  close(): Promise<void>;
};

function wallet(participantId: string, accounts: { walletNumber: string; msisdn?: string }[]): WalletSimulator {
  return new WalletSimulator({
    participantId,
    accounts: accounts.map((account) => ({ ...account, name: `Customer ${account.walletNumber}`, balanceMinor: openingBalanceMinor })),
    // The approval comes quickly so that a checkout fits between two kills more often than not.
    requestToPay: { approveDelayMs: 50, declineNumbers: [] },
  });
}

/** Starts the simulators and onboards them on a switch with an empty log, through the operator API. */
export async function startChaosNetwork(switchUrl: string, operatorKey: string, iso8583Port: number): Promise<ChaosNetwork> {
  const operator = new OperatorClient(switchUrl, operatorKey);
  const margalla = wallet('MARGALLA', [chaosAccounts.margallaPayer, chaosAccounts.margallaShop]);
  const ravi = wallet('RAVI', [chaosAccounts.raviPayee, chaosAccounts.raviShopper]);
  const khyber = wallet('KHYBER', [chaosAccounts.khyberPayee]);
  const keys = {
    margalla: await onboardWallet(operator, switchUrl, margalla, 'MRGL', 'REQUEST', [chaosAccounts.margallaPayer]),
    ravi: await onboardWallet(operator, switchUrl, ravi, 'RAVI', 'REQUEST', [chaosAccounts.raviPayee, chaosAccounts.raviShopper]),
    khyber: await onboardWallet(operator, switchUrl, khyber, 'KHBR', 'ADVICE', [chaosAccounts.khyberPayee]),
  };
  const indus = await onboardBank(
    operator,
    iso8583Port,
    { id: 'INDUS', bankCode: 'INDS', institutionId: '600001', creditMode: 'REQUEST' },
    [chaosAccounts.indusPayer, chaosAccounts.indusPayee],
  );
  const chenab = await onboardBank(
    operator,
    iso8583Port,
    { id: 'CHENAB', bankCode: 'CHNB', institutionId: '600002', creditMode: 'ADVICE' },
    [chaosAccounts.chenabPayee],
  );
  const shop = await onboardShop(operator, switchUrl);
  const wallets = [margalla, ravi, khyber];
  return {
    margalla,
    ravi,
    khyber,
    indus,
    chenab,
    banks: [
      { id: 'INDUS', simulator: indus, payeeIban: chaosAccounts.indusPayee },
      { id: 'CHENAB', simulator: chenab, payeeIban: chaosAccounts.chenabPayee },
    ],
    shop,
    keys,
    wallets,
    async close() {
      for (const simulator of wallets) await simulator.close();
      await indus.close();
      await chenab.close();
      await shop.close();
    },
  };
}

async function onboardWallet(
  operator: OperatorClient,
  switchUrl: string,
  simulator: WalletSimulator,
  bankCode: string,
  creditMode: 'REQUEST' | 'ADVICE',
  aliases: readonly { walletNumber: string; msisdn: string }[],
): Promise<string> {
  await simulator.start();
  const key = await onboardWalletSimulator(operator, switchUrl, simulator, {
    bankCode,
    netDebitCap: '1000000000.00',
    creditMode,
    // Its customers approve requests to pay (the checkouts of the load mix).
    requestToPay: true,
    openingFunds: { amount: '1000000000.00', reference: `${simulator.participantId}-opening` },
    aliases: aliases.map((alias) => ({ ...alias, name: `Customer ${alias.walletNumber}` })),
  });
  return key.key;
}

type BankSetup = { id: string; bankCode: string; institutionId: string; creditMode: 'REQUEST' | 'ADVICE' };

async function onboardBank(
  operator: OperatorClient,
  iso8583Port: number,
  setup: BankSetup,
  ibans: readonly string[],
): Promise<BankHostSimulator> {
  const bank = new BankHostSimulator({
    institutionId: setup.institutionId,
    accounts: ibans.map((iban) => [iban, openingBalanceMinor] as const),
  });
  const address = await bank.start();
  await operator.onboard({
    id: setup.id,
    name: `${setup.id} Bank`,
    type: 'BANK',
    bankCode: setup.bankCode,
    netDebitCap: '1000000000.00',
    creditMode: setup.creditMode,
    endpoints: { iso8583: `127.0.0.1:${address.port}`, institutionId: setup.institutionId },
  });
  await operator.recordFunds(setup.id, '1000000000.00', `${setup.id}-opening`);
  const signedOn = await bank.connectToSwitch({ host: '127.0.0.1', port: iso8583Port, readyTimeoutMs: 10_000 });
  if (!signedOn) throw new Error(`the bank host ${setup.id} could not sign on to the switch`);
  return bank;
}

async function onboardShop(operator: OperatorClient, switchUrl: string): Promise<MerchantShop> {
  const onboarded = (await operator.post(
    '/v1/merchants',
    {
      id: merchantId,
      name: 'Karachi Books',
      mcc: '5942',
      city: 'Karachi',
      acquirer: 'MARGALLA',
      settlementAccount: { type: 'WALLET', value: chaosAccounts.margallaShop.walletNumber },
      // Replaced below by the shop's own URL, known once it listens.
      webhookUrl: 'http://127.0.0.1:9/webhooks',
    },
    201,
  )) as { apiKey: string; webhookSecret: string };
  const shop = new MerchantShop({ switchUrl, apiKey: onboarded.apiKey, webhookSecrets: [onboarded.webhookSecret] });
  await shop.start();
  await operator.patch(`/v1/merchants/${merchantId}`, { webhookUrl: shop.webhookUrl });
  return shop;
}
