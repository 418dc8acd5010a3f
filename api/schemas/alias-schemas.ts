import { z } from 'zod';
import { safeText } from './text';
import { accountTypes } from '../../core/directory/account';
import { holderNameLengthMax } from '../../core/directory/alias';
import { aliasTypes } from '../../core/directory/alias-key';
import { apiLimits } from '../api-limits';
import { aliasValueVariants } from './common-schemas';

/** Alias values are checked per kind by core/directory/alias-key.ts; here only their size and type. */
const aliasValue = safeText()
  .min(1, 'the value must not be empty')
  .max(apiLimits.partyValueLengthMax, `an alias value has at most ${apiLimits.partyValueLengthMax} characters`);

export const registerAliasSchema = z
  .strictObject({
    type: z.enum(aliasTypes),
    value: aliasValue,
    account: z.strictObject({
      type: z.enum(accountTypes),
      value: safeText()
        .min(1, 'the account must not be empty')
        .max(apiLimits.partyValueLengthMax, `an account has at most ${apiLimits.partyValueLengthMax} characters`),
    }),
    name: safeText()
      .trim()
      .min(1, 'the holder name must not be empty')
      .max(holderNameLengthMax, `a holder name has at most ${holderNameLengthMax} characters`),
  })
  .meta({ id: 'RegisterAlias', oneOf: aliasValueVariants(aliasTypes) });

export const aliasParams = z.strictObject({ type: z.enum(aliasTypes), value: aliasValue });

/** A party is looked up by alias or by IBAN. */
export const partyParams = z.strictObject({
  type: z.enum([...aliasTypes, 'IBAN']),
  value: safeText().min(1).max(apiLimits.partyValueLengthMax),
});

export const regulatorKeyParams = z.strictObject({ keyId: z.string().regex(/^[0-9a-f]{16}$/, 'a key id is 16 hex characters') });
