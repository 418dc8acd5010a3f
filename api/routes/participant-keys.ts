import { principalOf } from '../request-context';
import type { RouteModule } from '../route-kit';
import { issueKeySchema, participantIdParams, participantKeyParams } from '../schemas/participant-schemas';
import { parseInput } from '../validation';
import { bodyOf } from '../route-helpers';

/**
 * Participant API keys (operator). The key and signing secret are in the 201 answer only: the key is stored
 * as a hash, and the answer is never recorded for replay. A retry with the same Idempotency-Key therefore
 * issues a fresh key and revokes the one the lost answer carried.
 */
export const participantKeyRoutes: RouteModule = (router, kit) => {
  router.post('/v1/participants/:id/keys', kit.allow('operator'), async (request, response) => {
    const { id } = parseInput(participantIdParams, request.params, 'path');
    await kit.idempotency.run(request, response, principalOf(request), async (reference) => {
      parseInput(issueKeySchema, bodyOf(request), 'body');
      const issued = await kit.dependencies.participants.issueKey(id, reference, kit.commandContext(request));
      // The key must work for the very next request, which authenticates against the keys projection.
      await kit.waitForWrite(issued.position);
      return { status: 201, body: { keyId: issued.keyId, key: issued.key, signingSecret: issued.signingSecret }, secret: true };
    });
  });

  router.delete('/v1/participants/:id/keys/:keyId', kit.allow('operator'), async (request, response) => {
    const { id, keyId } = parseInput(participantKeyParams, request.params, 'path');
    const receipt = await kit.dependencies.participants.revokeKey(id, keyId, kit.commandContext(request));
    await kit.waitForWrite(receipt.position);
    response.status(204).end();
  });
};
