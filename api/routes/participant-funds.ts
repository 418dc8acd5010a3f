import { derivedUuid } from '../../core/idempotency/idempotency-key';
import { formatAmount, parseAmount } from '../../core/money';
import { holdsCurrency } from '../../core/participants/participant-reader';
import { DomainError } from '../../core/errors';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import type { RouteModule } from '../route-kit';
import { fundsSchema, participantIdParams } from '../schemas/participant-schemas';
import { parseField, parseInput } from '../validation';
import { bodyOf } from '../route-helpers';
import { currentView } from './participants';

/**
 * Funds in/out at the central bank (operator). The Idempotency-Key is required: the ledger transfer's id is
 * derived from it, so a retry after a crash is recognised by the ledger itself and never moves money twice.
 */
export const participantFundsRoutes: RouteModule = (router, kit) => {
  router.post('/v1/participants/:id/funds', kit.allow('operator'), async (request, response) => {
    const { id } = parseInput(participantIdParams, request.params, 'path');
    await kit.idempotency.run(
      request,
      response,
      principalOf(request),
      async (reference) => {
        const body = parseInput(fundsSchema, bodyOf(request), 'body');
        const participant = kit.dependencies.readModels.participants.findParticipant(id);
        if (participant === null) throw new HttpError('PARTICIPANT_NOT_FOUND', `participant ${id} does not exist`);
        const currency = body.currency ?? participant.currency;
        if (!holdsCurrency(participant, currency)) {
          // The body is well formed; the participant's state refuses it, so the answer is 422, not 400.
          throw new DomainError('CURRENCY_NOT_SUPPORTED', `body.currency: participant ${id} holds no ${currency} position`);
        }
        const amountMinor = parseField(['body', 'amount'], () => parseAmount(body.amount, currency));
        if (reference === null) throw new HttpError('IDEMPOTENCY_KEY_REQUIRED', 'funds movements need an Idempotency-Key header');
        const result = await kit.dependencies.participants.recordFunds({
          participantId: id,
          direction: body.direction,
          amountMinor,
          transferId: derivedUuid('funds', reference),
          reference: body.reference,
          currency,
        });
        switch (result.status) {
          case 'ok':
            return { status: 201, body: await currentView(kit, id) };
          case 'insufficient_liquidity':
            throw new HttpError(
              'INSUFFICIENT_LIQUIDITY',
              `only ${formatAmount(result.freeMinor, currency)} ${currency} is free (liquidity minus position and reserved)`,
              [{ free: formatAmount(result.freeMinor, currency) }],
            );
          case 'conflict':
            throw new HttpError('IDEMPOTENCY_CONFLICT', 'this Idempotency-Key already recorded a different funds movement');
        }
      },
      { required: true },
    );
  });
};
