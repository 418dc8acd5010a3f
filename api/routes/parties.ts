import { maskName } from '../../core/directory/mask-name';
import { isPayeeNotFound, resolvePayee } from '../../core/directory/resolve-payee';
import { HttpError } from '../http-error';
import type { RouteModule } from '../route-kit';
import { partyParams } from '../schemas/alias-schemas';
import { parseInput, refusalsAt } from '../validation';

/**
 * Confirmation of payee (participant keys): who would be paid for an alias or IBAN, with the holder's name
 * masked, so the payer's customer can check it before sending.
 */
export const partyRoutes: RouteModule = (router, kit) => {
  router.get('/v1/parties/:type/:value', kit.allow('participant'), (request, response) => {
    const params = parseInput(partyParams, request.params, 'path');
    const { participants, directory } = kit.dependencies.readModels;
    const resolved = refusalsAt(['path'], () => resolvePayee(params, { participants, directory }));
    if (isPayeeNotFound(resolved)) throw new HttpError(resolved.code, resolved.message);
    response.json({
      participant: resolved.participantId,
      account: { type: resolved.account.type },
      name: resolved.name === null ? null : maskName(resolved.name),
    });
  });
};
