import { parseIdempotencyKey } from '../../core/idempotency/idempotency-key';
import type { MerchantReader } from '../../core/gateway/merchant-reader';
import type { RefundService } from '../../core/gateway/refund-service';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import { bodyOf } from '../route-helpers';
import type { RouteModule } from '../route-kit';
import { createRefundSchema, refundIdParams } from '../schemas/refund-schemas';
import { parseInput, refusalsAtAsync } from '../validation';

export type RefundRoutesDependencies = { refunds: RefundService; merchantReader: MerchantReader };

/**
 * Refunds (issue 11), made with a merchant's key and an Idempotency-Key (the same key and body answer 200 with the
 * same refund, another body 409). The answer comes once the outcome is durable. The operator and the regulator read
 * any refund; a merchant only its own, and another's is 404 as if it did not exist.
 */
export function refundRoutes(gateway: RefundRoutesDependencies): RouteModule {
  return (router, kit) => {
    router.post('/v1/refunds', kit.allow('merchant'), async (request, response) => {
      const principal = principalOf(request);
      if (principal.role !== 'merchant') throw new HttpError('FORBIDDEN', 'refunds are made with a merchant key');
      const header = request.get('idempotency-key');
      if (header === undefined) {
        throw new HttpError('IDEMPOTENCY_KEY_REQUIRED', 'a refund needs an Idempotency-Key header (a UUID is a good choice)');
      }
      const idempotencyKey = parseIdempotencyKey(header);
      const body = parseInput(createRefundSchema, bodyOf(request), 'body');
      const merchant = gateway.merchantReader.findMerchant(principal.merchantId);
      if (merchant === null) throw new HttpError('MERCHANT_NOT_FOUND', `merchant ${principal.merchantId} does not exist`);
      // The service names the fields of the refund request it is given (its amount); the answer names them in the body.
      const result = await refusalsAtAsync(['body'], () =>
        gateway.refunds.create(merchant, body, idempotencyKey, kit.commandContext(request)),
      );
      response.status(result.created ? 201 : 200).json(result.refund);
    });

    router.get('/v1/refunds/:id', kit.allow('operator', 'regulator', 'merchant'), async (request, response) => {
      const { id } = parseInput(refundIdParams, request.params, 'path');
      const principal = principalOf(request);
      const refund = await gateway.refunds.find(id, principal.role === 'merchant' ? principal.merchantId : null);
      if (refund === null) throw new HttpError('REFUND_NOT_FOUND', `refund ${id} does not exist`);
      response.json(refund);
    });
  };
}
