import { randomUUID } from 'node:crypto';
import type { PayeeCreditMessage } from '../../../core/payee-port';
import { WalletHttpClient } from '../../../adapters/wallet-http/wallet-http-client';
import { WalletSimulator } from '../../../simulators/wallet/wallet-simulator';

export const signingSecret = 'whsec_margalla_test';
export const ayesha = { walletNumber: '03001234567', msisdn: '923001234567', name: 'Ayesha Khan', balanceMinor: 100_000n };
export const bilal = { walletNumber: '03007654321', msisdn: '923007654321', name: 'Bilal Ahmed', balanceMinor: 0n };

/** A started simulated wallet MARGALLA with two customers, and a client that reaches it with its secret. */
export async function startWallet(clientOptions: { creditDeadlineMs?: number; secret?: string } = {}) {
  const wallet = new WalletSimulator({ participantId: 'MARGALLA', accounts: [ayesha, bilal], signingSecret });
  await wallet.start();
  const client = new WalletHttpClient({
    resolveEndpoint: (participantId) =>
      participantId === 'MARGALLA' ? { ...wallet.endpoints, signingSecrets: [clientOptions.secret ?? signingSecret] } : null,
    ...(clientOptions.creditDeadlineMs === undefined ? {} : { creditDeadlineMs: clientOptions.creditDeadlineMs }),
  });
  return {
    wallet,
    client,
    // An arrow, not a method: callers destructure `stop` out of the returned object.
    stop: async () => {
      client.close();
      await wallet.close();
    },
  };
}

export function creditMessage(amount = '1500.00', payee = { type: 'MSISDN', value: ayesha.msisdn }): PayeeCreditMessage {
  return { transferId: randomUUID(), amount, currency: 'PKR', payee, payer: { participant: 'INDUS', name: 'Zara Malik' } };
}
