import type { DirectoryReader } from '../core/directory/directory-reader';
import type { EventStore } from '../core/eventstore/event-store';
import type { CheckoutService } from '../core/gateway/checkout-service';
import type { MerchantReader } from '../core/gateway/merchant-reader';
import { RefundService, type RefundedAmountReader, type RefundTransfers } from '../core/gateway/refund-service';
import type { WebhookPublisher } from '../core/webhooks/webhook-publisher';
import type { RouteModule } from './route-kit';
import { refundRoutes } from './routes/refunds';

export type RefundsAssemblyInput = {
  store: EventStore;
  now: () => Date;
  checkout: CheckoutService;
  merchantReader: MerchantReader;
  directory: DirectoryReader;
  transfers: RefundTransfers;
  publisher: Pick<WebhookPublisher, 'publish'>;
};

export type RefundsAssembly = {
  service: RefundService;
  /** The amount refunded per payment transfer: the port the dispute module caps chargebacks with. */
  refundedAmounts: RefundedAmountReader;
  routeModule: RouteModule;
};

/**
 * Refunds of paid checkout sessions (issue 11). Built after transfers (a refund is a transfer) and webhooks (its
 * outcome is told as refund.succeeded or refund.failed, once durable); it holds nothing that needs stopping.
 */
export function assembleRefunds(input: RefundsAssemblyInput): RefundsAssembly {
  const service = new RefundService({
    store: input.store,
    checkout: input.checkout,
    directory: input.directory,
    transfers: input.transfers,
    now: input.now,
    notify: async (merchantId, refund) => {
      await input.publisher.publish({
        merchantId,
        type: refund.status === 'SUCCEEDED' ? 'refund.succeeded' : 'refund.failed',
        object: refund,
        sourceId: refund.id,
      });
    },
  });
  return { service, refundedAmounts: service, routeModule: refundRoutes({ refunds: service, merchantReader: input.merchantReader }) };
}
