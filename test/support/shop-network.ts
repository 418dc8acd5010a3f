import { onboardMerchant, type OnboardedMerchant } from './gateway';
import { PaymentNetwork } from './payment-network';

/** The wallet that acquires the shop and holds its settlement wallet. */
export const shopAcquirer = 'MARGALLA';
/** The wallet whose customer pays the shop (its wallet account WRAVI0001). */
export const shopPayer = 'RAVI';

/**
 * A real switch with two simulated wallets, the shop's acquirer and its customer's, and a merchant `shopId` acquired
 * by the first, its settlement wallet opened there, so that payments to it, refunds and chargebacks all move money.
 */
export async function startShopNetwork(
  shopId: string,
  options: { environment?: Record<string, string>; merchant?: Record<string, unknown> } = {},
): Promise<{ network: PaymentNetwork; shop: OnboardedMerchant }> {
  const network = await PaymentNetwork.start(
    [],
    [
      { id: shopAcquirer, bankCode: 'MRGL', msisdn: '923000000001' },
      { id: shopPayer, bankCode: 'RAVI', msisdn: '923000000002' },
    ],
    options.environment ?? {},
  );
  const shop = await onboardMerchant(network.sw.client, network.sw.operatorKey, shopId, shopAcquirer, options.merchant ?? {});
  network.wallet(shopAcquirer).simulator.accounts.add({ walletNumber: `W${shop.id}`, name: `${shop.id} Store`, balanceMinor: 0n });
  return { network, shop };
}
