import { z } from 'zod';
import { safeText } from './text';
import {
  bankCodePattern,
  creditModes,
  endpointUrlLengthMax,
  participantIdPattern,
  participantNameLengthMax,
  participantTypes,
} from '../../core/participants/participant-profile';
import { participantPageLimitMax } from '../../core/participants/participant-reader';
import { signingSecretOverlapSecondsMax } from '../../core/participants/participant-decider';

/** Amounts travel as decimal strings; core/money.ts decides what a valid amount is. */
export const amountText = safeText({ error: 'must be a decimal string such as "1500.00"' }).max(40, 'an amount has at most 40 characters');

export const participantId = z.string().regex(participantIdPattern, 'a participant id is 2 to 16 capital letters, digits or "_"');

const httpUrl = safeText()
  .max(endpointUrlLengthMax, `a URL has at most ${endpointUrlLengthMax} characters`)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an absolute http:// or https:// URL');

export const httpEndpointsSchema = z.strictObject({
  creditUrl: httpUrl,
  reversalUrl: httpUrl,
  rtpUrl: httpUrl.nullable().optional(),
});

export const iso8583EndpointsSchema = z.strictObject({
  iso8583: z
    .string()
    .max(260)
    .regex(/^[A-Za-z0-9.-]{1,253}:([1-9]\d{0,4})$/, 'must be "host:port"')
    .refine((value) => Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535, 'the port is at most 65535'),
  institutionId: z.string().regex(/^\d{6,11}$/, 'an institution id (ISO 8583 DE32) is 6 to 11 digits'),
});

export const registerParticipantSchema = z.strictObject({
  id: participantId,
  name: safeText().trim().min(1, 'the name must not be empty').max(participantNameLengthMax, `a name has at most ${participantNameLengthMax} characters`),
  type: z.enum(participantTypes),
  bankCode: z.string().regex(bankCodePattern, 'a bank code is 4 capital letters'),
  currency: z.string().max(3).regex(/^[A-Z]{3}$/, 'a currency is an ISO 4217 code such as "PKR"'),
  netDebitCap: amountText,
  creditMode: z.enum(creditModes).optional(),
  // Checked in a second step against the one shape it resembles, so errors name the fields of that shape.
  endpoints: z.record(z.string(), z.unknown(), { error: 'must be an object: {creditUrl, reversalUrl, rtpUrl} or {iso8583, institutionId}' }),
});

export const changeParticipantSchema = z
  .strictObject({
    active: z.boolean().optional(),
    netDebitCap: amountText.optional(),
  })
  .refine((value) => value.active !== undefined || value.netDebitCap !== undefined, 'give at least one of "active" and "netDebitCap"');

/** Issuing a key takes no input; an empty body or {} is accepted. */
export const issueKeySchema = z.strictObject({});

/** `POST /v1/participants/{id}/signing-secrets`: how long the secrets signing now keep signing beside the new one. */
export const rotateSigningSecretSchema = z.strictObject({
  overlapSeconds: z
    .number({ error: 'overlapSeconds must be a whole number of seconds' })
    .int('overlapSeconds must be a whole number of seconds')
    .min(0, 'overlapSeconds is at least 0 (0: the old secrets stop signing at once)')
    .max(signingSecretOverlapSecondsMax, `overlapSeconds is at most ${signingSecretOverlapSecondsMax} (7 days)`)
    .optional(),
});

/** `POST /v1/keys` (issue 6): the operator issues keys for roles that own no resource; today only REGULATOR. */
export const issueRoleKeySchema = z.strictObject({
  role: z.literal('REGULATOR', { error: 'role must be "REGULATOR": participant keys are issued under /v1/participants/{id}/keys' }),
  name: safeText().trim().min(1, 'the name must not be empty').max(140, 'a key name has at most 140 characters'),
});

export const fundsSchema = z.strictObject({
  direction: z.enum(['IN', 'OUT']),
  amount: amountText,
  reference: safeText()
    .min(1, 'the reference must not be empty')
    .max(64, 'a reference has at most 64 characters')
    .regex(/^[\x20-\x7e]+$/, 'a reference is printable ASCII'),
});

export const participantIdParams = z.strictObject({ id: participantId });
export const participantKeyParams = z.strictObject({ id: participantId, keyId: z.string().regex(/^[0-9a-f]{16}$/, 'a key id is 16 hex characters') });

export const listParticipantsQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,4}$/, `limit is a whole number from 1 to ${participantPageLimitMax}`)
    .transform(Number)
    .refine((value) => value >= 1 && value <= participantPageLimitMax, `limit is a whole number from 1 to ${participantPageLimitMax}`)
    .optional(),
  cursor: z.string().max(64).optional(),
});
