import { WalletHttpClient } from '../../adapters/wallet-http/wallet-http-client';
import { WalletSimulator } from '../../simulators/wallet/wallet-simulator';
import { outboxChildMessage } from '../reliability/children/outbox-child-messages';

/**
 * A running wallet that has credited the first `deliveryCount` outbox child messages (transfers that then timed
 * out at the switch), so the reversals the outbox tests deliver each have a credit to undo exactly once.
 */
export async function startCreditedWallet(input: {
  deliveryCount: number;
  signingSecret: string;
  walletNumber: string;
  openingBalanceMinor: bigint;
}): Promise<WalletSimulator> {
  const wallet = new WalletSimulator({
    participantId: 'MARGALLA',
    signingSecret: input.signingSecret,
    accounts: [{ walletNumber: input.walletNumber, name: 'Ayesha Khan', balanceMinor: input.openingBalanceMinor }],
  });
  await wallet.start();
  const client = new WalletHttpClient({ resolveEndpoint: () => ({ ...wallet.endpoints, signingSecrets: [input.signingSecret] }) });
  try {
    for (let index = 0; index < input.deliveryCount; index += 1) {
      const answer = await client.requestCredit('MARGALLA', outboxChildMessage(index));
      if (answer.outcome !== 'accepted') throw new Error(`the wallet did not accept credit ${index}: ${JSON.stringify(answer)}`);
    }
  } finally {
    client.close();
  }
  return wallet;
}
