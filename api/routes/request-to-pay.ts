import type { RequestToPayService } from '../../core/gateway/request-to-pay-service';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import { bodyOf } from '../route-helpers';
import type { RouteModule } from '../route-kit';
import { declineRequestToPaySchema, rtpIdParams } from '../schemas/checkout-schemas';
import { parseInput } from '../validation';

/** The payer's provider declines a request to pay it received (issue 11); the pay page then shows "Declined". */
export function requestToPayRoutes(requestToPay: RequestToPayService): RouteModule {
  return (router, kit) => {
    router.post('/v1/request-to-pay/:rtpId/decline', kit.allow('participant'), async (request, response) => {
      const principal = principalOf(request);
      if (principal.role !== 'participant') throw new HttpError('FORBIDDEN', 'the payer provider declines its own requests to pay');
      const { rtpId } = parseInput(rtpIdParams, request.params, 'path');
      const body = parseInput(declineRequestToPaySchema, bodyOf(request), 'body');
      const session = await requestToPay.decline(principal.participantId, rtpId, body.reason, kit.commandContext(request));
      response.json({ rtpId, checkoutSessionId: session.created.sessionId, status: session.rtp?.status ?? 'DECLINED' });
    });
  };
}
