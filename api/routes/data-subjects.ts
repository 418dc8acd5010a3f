import { parseDataSubject } from '../../core/personal-data/data-subject';
import { eraseDataSubject, type ErasureDependencies } from '../../core/personal-data/data-subject-erasure';
import type { RouteModule } from '../route-kit';
import { bodyOf } from '../route-helpers';
import { eraseDataSubjectSchema } from '../schemas/data-subject-schemas';
import { parseInput, refusalsAt } from '../validation';

/**
 * Erasure of a data subject's personal data (issue 15.4), by the operator. The audit gate records the request
 * before it runs (who, when, from where; never the value), and the erasure records itself in the log by the
 * subject's reference. Always 200 `{"erased":true}` for a well-formed subject, known or not: erasing is idempotent,
 * and after the answer nothing of the subject can be read, which is what the requester needs to know;
 * `keysDestroyed` and `aliasRemoved` say what this request found to destroy (0 and false for a subject the switch
 * never held, or one already erased).
 */
export function dataSubjectRoutes(erasure: Omit<ErasureDependencies, 'store'>): RouteModule {
  return (router, kit) => {
    router.post('/v1/data-subjects/erase', kit.allow('operator'), async (request, response) => {
      const body = parseInput(eraseDataSubjectSchema, bodyOf(request), 'body');
      const subject = refusalsAt(['body'], () => parseDataSubject(body.type, body.value));
      // The directory is read for the aliases of an erased account: it is caught up with the log first.
      await kit.waitForWrite(await kit.dependencies.store.headPosition());
      const result = await eraseDataSubject({ ...erasure, store: kit.dependencies.store }, subject, kit.commandContext(request));
      await kit.waitForWrite(result.position);
      response.status(200).json({ erased: true, keysDestroyed: result.keysDestroyed, aliasRemoved: result.aliasRemoved });
    });
  };
}
