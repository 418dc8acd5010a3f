import { issueApiKey } from '../../core/auth/api-key';
import { regulatorKeysDecider, regulatorKeysStream } from '../../core/auth/regulator-keys';
import { handleStreamCommand } from '../../core/eventstore/decider-stream';
import { principalOf } from '../request-context';
import type { RouteModule } from '../route-kit';
import { regulatorKeyParams } from '../schemas/alias-schemas';
import { issueRoleKeySchema } from '../schemas/participant-schemas';
import { parseInput } from '../validation';
import { bodyOf } from '../route-helpers';

/** Read-only keys for SBP regulators (operator). Shown once, stored hashed, like participant keys. */
export const regulatorKeyRoutes: RouteModule = (router, kit) => {
  router.post('/v1/keys', kit.allow('operator'), async (request, response) => {
    await kit.idempotency.run(request, response, principalOf(request), async (reference) => {
      const body = parseInput(issueRoleKeySchema, bodyOf(request), 'body');
      const context = kit.commandContext(request);
      const issued = issueApiKey();
      const result = await handleStreamCommand(
        kit.dependencies.store,
        regulatorKeysStream,
        regulatorKeysDecider,
        {
          type: 'IssueRegulatorKey',
          data: { keyId: issued.keyId, keyHash: issued.keyHash, name: body.name, requestReference: reference },
          now: context.now,
        },
        context,
      );
      await kit.waitForWrite(result.position);
      return { status: 201, body: { keyId: issued.keyId, key: issued.key, role: 'REGULATOR', name: body.name }, secret: true };
    });
  });

  router.delete('/v1/keys/:keyId', kit.allow('operator'), async (request, response) => {
    const { keyId } = parseInput(regulatorKeyParams, request.params, 'path');
    const context = kit.commandContext(request);
    const result = await handleStreamCommand(
      kit.dependencies.store,
      regulatorKeysStream,
      regulatorKeysDecider,
      { type: 'RevokeRegulatorKey', data: { keyId }, now: context.now },
      context,
    );
    await kit.waitForWrite(result.position);
    response.status(204).end();
  });
};
