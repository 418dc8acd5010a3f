import { parseAccount } from '../../core/directory/account';
import { parseAliasKey } from '../../core/directory/alias-key';
import { registerAlias, removeAlias } from '../../core/directory/directory-service';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import type { RouteKit, RouteModule } from '../route-kit';
import { aliasParams, registerAliasSchema } from '../schemas/alias-schemas';
import { parseInput, refusalsAt } from '../validation';
import { bodyOf } from '../route-helpers';

/** The directory's write side (participant keys): a participant registers and removes the aliases it holds. */
export const aliasRoutes: RouteModule = (router, kit) => {
  router.post('/v1/aliases', kit.allow('participant'), async (request, response) => {
    const principal = principalOf(request);
    await kit.idempotency.run(request, response, principal, async () => {
      const body = parseInput(registerAliasSchema, bodyOf(request), 'body');
      const alias = refusalsAt(['body'], () => parseAliasKey(body.type, body.value));
      const account = refusalsAt(['body', 'account'], () => parseAccount(body.account.type, body.account.value));
      const owner = callerParticipant(kit, principal.role === 'participant' ? principal.participantId : '');
      const receipt = await registerAlias(
        kit.dependencies.store,
        owner,
        { alias, account, holderName: body.name },
        kit.commandContext(request),
        kit.dependencies.aliasStreams,
      );
      await kit.waitForWrite(receipt.position);
      return { status: 201, body: { type: alias.type, value: alias.value, participant: owner.participantId, account, name: body.name } };
    });
  });

  router.delete('/v1/aliases/:type/:value', kit.allow('participant'), async (request, response) => {
    const params = parseInput(aliasParams, request.params, 'path');
    const alias = refusalsAt(['path'], () => parseAliasKey(params.type, params.value));
    const principal = principalOf(request);
    const participantId = principal.role === 'participant' ? principal.participantId : '';
    const receipt = await removeAlias(
      kit.dependencies.store,
      participantId,
      alias,
      kit.commandContext(request),
      kit.dependencies.aliasStreams,
    );
    await kit.waitForWrite(receipt.position);
    response.status(204).end();
  });
};

function callerParticipant(kit: RouteKit, participantId: string): { participantId: string; bankCode: string } {
  const participant = kit.dependencies.readModels.participants.findParticipant(participantId);
  // A key outlives nothing: keys are issued only to registered participants, who are never deleted.
  if (participant === null) throw new HttpError('FORBIDDEN', 'the participant of this key does not exist');
  return { participantId: participant.id, bankCode: participant.bankCode };
}
