import { z } from 'zod';
import { dataSubjectTypes } from '../../core/personal-data/data-subject';
import { apiLimits } from '../api-limits';
import { safeText } from './text';

/** `POST /v1/data-subjects/erase`: the value is checked against its type by core/personal-data/data-subject.ts. */
export const eraseDataSubjectSchema = z
  .strictObject({
    type: z.enum(dataSubjectTypes).meta({
      description:
        "PAYER is an in-bound payment's payer abroad: the value is '<PSP id>:<the payer's tax id>', or '<PSP id>:<payment id>' when it gave none",
    }),
    value: safeText()
      .min(1, 'the value must not be empty')
      .max(apiLimits.partyValueLengthMax, `a value has at most ${apiLimits.partyValueLengthMax} characters`),
  })
  .meta({ id: 'EraseDataSubject' });

/** What an erasure answers. */
export const erasureResponse = z
  .strictObject({
    erased: z.literal(true),
    keysDestroyed: z
      .number()
      .int()
      .min(0)
      .meta({ description: 'Keys this request destroyed: 0 for a subject never seen or already erased' }),
    aliasRemoved: z.boolean().meta({ description: 'Whether a directory alias of this MSISDN or CNIC was removed' }),
  })
  .meta({ id: 'DataSubjectErased' });
