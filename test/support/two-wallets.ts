import { randomUUID } from 'node:crypto';
import { PaymentNetwork } from './payment-network';

/**
 * The smallest network a payment needs: two wallet providers, MARGALLA paying RAVI's mobile number, each with a cap
 * far above what a test spends. The admission tests (rate limits, in-flight bound, a full ledger queue) start it with
 * the limit they are about in the environment.
 */
export function startTwoWallets(
  environment: Record<string, string>,
  creditMode: 'REQUEST' | 'ADVICE' = 'REQUEST',
): Promise<PaymentNetwork> {
  return PaymentNetwork.start(
    [],
    [
      { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001', netDebitCap: '1000000.00', creditMode },
      { id: 'RAVI', bankCode: 'RAVI', msisdn: '923000000002', netDebitCap: '1000000.00', creditMode },
    ],
    environment,
  );
}

/** A P2P payment of 10.00 from a MARGALLA wallet to RAVI's mobile number. */
export function margallaToRavi(id: string = randomUUID()) {
  return {
    id,
    payer: { type: 'WALLET', value: 'WMARGALLA0001', name: 'Customer MARGALLA' },
    payee: { type: 'MSISDN', value: '923000000002' },
    amount: '10.00',
    currency: 'PKR',
    purpose: 'P2P',
  };
}
