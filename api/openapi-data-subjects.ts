import { answer, errorAnswer, operation, type Operation } from './openapi-kit';
import { eraseDataSubjectSchema, erasureResponse } from './schemas/data-subject-schemas';

type Paths = Record<string, Record<string, Operation>>;

/** Erasure of personal data (issue 15.4), kept beside the route it describes (api/routes/data-subjects.ts). */
export function dataSubjectPaths(): Paths {
  return {
    '/v1/data-subjects/erase': {
      post: operation({
        summary:
          'Erase a data subject: its key is destroyed, so every view, report and rebuilt read model shows [erased] where its data was; its alias no longer resolves',
        roles: ['operator'],
        body: eraseDataSubjectSchema,
        responses: {
          '200': answer('erased (also for a subject the switch never held, or one already erased: nothing to destroy)', erasureResponse),
          '400': errorAnswer('INVALID_DATA_SUBJECT or VALIDATION_FAILED'),
        },
      }),
    },
  };
}
