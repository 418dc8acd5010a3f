/**
 * A started wallet simulator made a participant of the switch, the way an operator onboards a wallet: the
 * participant with the simulator's credit and reversal URLs (and its request-to-pay URL when asked), its first key,
 * whose signing secret the simulator then checks the switch's calls with, the simulator told where the switch is,
 * optional opening liquidity, and each customer's MSISDN alias. The demo network of the tests, the load rig, the
 * payee-faults campaign and the chaos campaign all set wallets up this way; scripts must not import from test/, so
 * it lives here.
 */
import { firstSigningSecret, type IssuedKey, type OperatorClient } from './operator-client';
import type { WalletSimulator } from './wallet/wallet-simulator';

export type WalletOnboarding = {
  /** The participant's display name (the id when absent). */
  name?: string;
  bankCode: string;
  netDebitCap: string;
  creditMode: 'REQUEST' | 'ADVICE';
  /** Registers the simulator's /rtp as the participant's request-to-pay URL. */
  requestToPay?: boolean;
  /** Liquidity recorded for the participant (a PKR amount), under this reference. */
  openingFunds?: { amount: string; reference: string };
  /** The customers reachable by phone number: each MSISDN names a wallet number of the simulator. */
  aliases: readonly { msisdn: string; walletNumber: string; name: string }[];
};

/** Onboards `simulator` (already started) and connects it to the switch; resolves with the participant's first key. */
export async function onboardWalletSimulator(
  operator: OperatorClient,
  switchUrl: string,
  simulator: WalletSimulator,
  setup: WalletOnboarding,
): Promise<IssuedKey> {
  const id = simulator.participantId;
  const { creditUrl, reversalUrl, rtpUrl } = simulator.endpoints;
  await operator.onboard({
    id,
    name: setup.name ?? id,
    type: 'WALLET',
    bankCode: setup.bankCode,
    netDebitCap: setup.netDebitCap,
    creditMode: setup.creditMode,
    endpoints: { creditUrl, reversalUrl, ...(setup.requestToPay === true ? { rtpUrl } : {}) },
  });
  const key = await operator.issueKey(id);
  simulator.setSigningSecret(firstSigningSecret(id, key));
  simulator.connectToSwitch(switchUrl, key.key);
  if (setup.openingFunds !== undefined) await operator.recordFunds(id, setup.openingFunds.amount, setup.openingFunds.reference);
  for (const alias of setup.aliases)
    await operator.registerAlias(key.key, {
      type: 'MSISDN',
      value: alias.msisdn,
      account: { type: 'WALLET', value: alias.walletNumber },
      name: alias.name,
    });
  return key;
}
