import type { Principal } from '../../core/auth/principal';
import { parseIdempotencyKey } from '../../core/idempotency/idempotency-key';
import type { PresentSession } from '../../core/gateway/checkout-session-decider';
import type { CheckoutService } from '../../core/gateway/checkout-service';
import type { MerchantReader } from '../../core/gateway/merchant-reader';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import { bodyOf } from '../route-helpers';
import type { RouteModule } from '../route-kit';
import { createCheckoutSessionSchema, sessionIdParams } from '../schemas/checkout-schemas';
import { parseInput } from '../validation';
import { checkoutSessionView } from '../views/checkout-session-view';

export type CheckoutRoutesDependencies = {
  checkout: CheckoutService;
  merchantReader: MerchantReader;
  /** HISAAB_PUBLIC_URL, or http://localhost:<port> once the server listens. */
  publicUrl: () => string;
};

/**
 * Checkout sessions (issue 11), created by a merchant's key. Creation needs an Idempotency-Key: the same key and
 * body answer 200 with the same session (as it is now), another body 409. The operator and the regulator read any
 * session; a merchant only its own, and another's is 404 as if it did not exist.
 */
export function checkoutSessionRoutes(gateway: CheckoutRoutesDependencies): RouteModule {
  return (router, kit) => {
    router.post('/v1/checkout/sessions', kit.allow('merchant'), async (request, response) => {
      const principal = principalOf(request);
      if (principal.role !== 'merchant') throw new HttpError('FORBIDDEN', 'checkout sessions are created with a merchant key');
      const header = request.get('idempotency-key');
      if (header === undefined) {
        throw new HttpError(
          'IDEMPOTENCY_KEY_REQUIRED',
          'creating a checkout session needs an Idempotency-Key header (a UUID is a good choice)',
        );
      }
      const idempotencyKey = parseIdempotencyKey(header);
      const body = parseInput(createCheckoutSessionSchema, bodyOf(request), 'body');
      const merchant = gateway.merchantReader.findMerchant(principal.merchantId);
      if (merchant === null) throw new HttpError('MERCHANT_NOT_FOUND', `merchant ${principal.merchantId} does not exist`);
      const result = await gateway.checkout.create(merchant, body, idempotencyKey, kit.commandContext(request));
      await kit.waitForWrite(result.position);
      response.status(result.created ? 201 : 200).json(checkoutSessionView(result.session, kit.dependencies.now(), gateway.publicUrl()));
    });

    router.get('/v1/checkout/sessions/:id', kit.allow('operator', 'regulator', 'merchant'), async (request, response) => {
      const { id } = parseInput(sessionIdParams, request.params, 'path');
      const session = await visibleSession(gateway, principalOf(request), id);
      response.json(checkoutSessionView(session, kit.dependencies.now(), gateway.publicUrl()));
    });

    router.post('/v1/checkout/sessions/:id/cancel', kit.allow('operator', 'merchant'), async (request, response) => {
      const { id } = parseInput(sessionIdParams, request.params, 'path');
      await visibleSession(gateway, principalOf(request), id);
      const result = await gateway.checkout.cancel(id, kit.commandContext(request));
      await kit.waitForWrite(result.position);
      response.json(checkoutSessionView(result.session, kit.dependencies.now(), gateway.publicUrl()));
    });
  };
}

async function visibleSession(gateway: CheckoutRoutesDependencies, principal: Principal, sessionId: string): Promise<PresentSession> {
  const session = await gateway.checkout.find(sessionId);
  const visible = session !== null && (principal.role !== 'merchant' || principal.merchantId === session.created.merchantId);
  if (!visible || session === null) throw new HttpError('SESSION_NOT_FOUND', `checkout session ${sessionId} does not exist`);
  return session;
}
