import { firstSigningSecret, type OperatorClient } from '../../simulators/operator-client';
import type { WalletSimulator } from '../../simulators/wallet/wallet-simulator';

export type WalletOnboarding = {
  id: string;
  msisdn: string;
  walletNumber: string;
  /** Four capital letters; the id's first four when not given. */
  bankCode?: string;
  creditMode?: 'REQUEST' | 'ADVICE';
};

/**
 * Onboards a wallet participant served by a running wallet simulator, the way an operator and the wallet itself
 * would: registers it with a high cap, issues its key, hands the simulator the signing secret that came with that
 * first key, and registers one customer alias. Resolves with the wallet's API key.
 */
export async function onboardWallet(operator: OperatorClient, wallet: WalletSimulator, onboarding: WalletOnboarding): Promise<string> {
  const { id, msisdn, walletNumber } = onboarding;
  await operator.onboard({
    id,
    name: id,
    type: 'WALLET',
    bankCode: onboarding.bankCode ?? id.slice(0, 4),
    netDebitCap: '1000000.00',
    endpoints: wallet.endpoints,
    ...(onboarding.creditMode === undefined ? {} : { creditMode: onboarding.creditMode }),
  });
  const key = await operator.issueKey(id);
  wallet.setSigningSecret(firstSigningSecret(id, key));
  await operator.registerAlias(key.key, {
    type: 'MSISDN',
    value: msisdn,
    account: { type: 'WALLET', value: walletNumber },
    name: `Customer ${id}`,
  });
  return key.key;
}
