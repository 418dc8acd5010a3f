import { principalOf } from '../request-context';
import type { RouteModule } from '../route-kit';
import { signingSecretOverlapSecondsDefault } from '../../core/participants/participant-decider';
import { HttpError } from '../http-error';
import { issueKeySchema, participantIdParams, participantKeyParams, rotateSigningSecretSchema } from '../schemas/participant-schemas';
import { parseInput } from '../validation';
import { bodyOf } from '../route-helpers';

/**
 * Participant API keys (operator) and callback signing secrets. A key and a secret are in the 201 answer only:
 * the key is stored as a hash, the secret sealed, and the answer is never recorded for replay. A retry with the
 * same Idempotency-Key therefore issues a fresh key (or secret) and retires the one the lost answer carried.
 *
 * Issuing a key leaves the signing secrets alone, except that a participant's first key brings its first
 * secret (`signingSecret` in that answer; null in later ones). Secrets rotate only through signing-secrets.
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

  // The operator, or the participant itself (a wallet that suspects its secret leaked need not wait for anyone).
  router.post('/v1/participants/:id/signing-secrets', kit.allow('operator', 'participant'), async (request, response) => {
    const { id } = parseInput(participantIdParams, request.params, 'path');
    const principal = principalOf(request);
    if (principal.role === 'participant' && principal.participantId !== id) {
      throw new HttpError('FORBIDDEN', 'a participant can rotate only its own signing secret');
    }
    // The answer carries a secret: no cache anywhere may keep it (also on an error, which is harmless).
    response.set('Cache-Control', 'no-store');
    await kit.idempotency.run(request, response, principal, async (reference) => {
      const body = parseInput(rotateSigningSecretSchema, bodyOf(request), 'body');
      const overlapSeconds = body.overlapSeconds ?? signingSecretOverlapSecondsDefault;
      const rotated = await kit.dependencies.participants.rotateSigningSecret(id, overlapSeconds, reference, kit.commandContext(request));
      await kit.waitForWrite(rotated.position);
      return {
        status: 201,
        body: {
          secretId: rotated.secretId,
          signingSecret: rotated.signingSecret,
          previousSecretsRetireAt: rotated.previousSecretsRetireAt,
        },
        secret: true,
      };
    });
  });

  router.delete('/v1/participants/:id/keys/:keyId', kit.allow('operator'), async (request, response) => {
    const { id, keyId } = parseInput(participantKeyParams, request.params, 'path');
    const receipt = await kit.dependencies.participants.revokeKey(id, keyId, kit.commandContext(request));
    await kit.waitForWrite(receipt.position);
    response.status(204).end();
  });
};
