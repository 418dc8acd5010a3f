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
import { canonicalFingerprint256, fingerprintPattern } from '../../core/participants/client-certificate';
import { rateLimitPerSecondSchema } from './rate-limit-schemas';
import { signingSecretOverlapSecondsMax } from '../../core/participants/participant-decider';
import { apiLimits } from '../api-limits';
import { amountText, currencyCode, cursorText, freeText, pageLimit, positiveAmountText } from './common-schemas';

export { amountText };

export const participantId = z.string().regex(participantIdPattern, 'a participant id is 2 to 16 capital letters, digits or "_"');

/**
 * An absolute http(s) URL as it is written: no spaces around or inside it. new URL() drops leading and trailing
 * spaces and encodes inner ones, so without this the stored text would differ from the URL the switch calls.
 */
export const httpUrl = safeText()
  .max(endpointUrlLengthMax, `a URL has at most ${endpointUrlLengthMax} characters`)
  .regex(/^[^\s]*$/, 'must not contain spaces; write a space in a URL as %20')
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an absolute http:// or https:// URL')
  .meta({ format: 'uri', pattern: '^https?://[^/?#\\s][^\\s]*$' });

/**
 * A URL the switch sends a participant's messages to. No user name or password in it: the switch signs what it sends
 * (Hisaab-Signature), and a password written here would be kept in the event log for good, shown by GET to the
 * regulator and to the participant's own keys, and sent as Basic authorization beside the signature.
 */
const endpointUrl = httpUrl.refine((value) => {
  try {
    const url = new URL(value);
    return url.username === '' && url.password === '';
  } catch {
    // Not a URL at all: httpUrl has said so already.
    return true;
  }
}, 'must not carry a user name or password (user:password@): the switch signs what it sends');

export const httpEndpointsSchema = z
  .strictObject({
    creditUrl: endpointUrl,
    reversalUrl: endpointUrl,
    rtpUrl: endpointUrl.nullable().optional(),
  })
  .meta({ id: 'HttpEndpoints' });

export const iso8583EndpointsSchema = z
  .strictObject({
    iso8583: z
      .string()
      .max(260)
      .regex(/^[A-Za-z0-9.-]{1,253}:([1-9]\d{0,4})$/, 'must be "host:port"')
      .refine((value) => Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535, 'the port is at most 65535'),
    institutionId: z.string().regex(/^\d{6,11}$/, 'an institution id (ISO 8583 DE32) is 6 to 11 digits'),
    tls: z
      .strictObject({
        ca: z
          .string()
          .max(65_536, 'a CA bundle has at most 65536 characters')
          .regex(/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/, 'a CA is one or more PEM certificates'),
      })
      .optional()
      .meta({
        description: 'Reach the bank host over TLS: its certificate must chain to this CA (PEM); the switch presents HISAAB_TLS_CERT',
      }),
  })
  .meta({ id: 'Iso8583Endpoints' });

/**
 * The `endpoints` of a registration and of a change alike. Checked in a second step against the one shape it
 * resembles (api/routes/participants.ts, `endpointsFrom`), so errors name the fields of that shape.
 */
function endpointsObject(description?: string) {
  return z
    .record(z.string(), z.unknown(), { error: 'must be an object: {creditUrl, reversalUrl, rtpUrl} or {iso8583, institutionId}' })
    .meta({
      oneOf: [{ $ref: '#/components/schemas/HttpEndpoints' }, { $ref: '#/components/schemas/Iso8583Endpoints' }],
      propertyNames: undefined,
      additionalProperties: undefined,
      ...(description === undefined ? {} : { description }),
    });
}

export const registerParticipantSchema = z
  .strictObject({
    id: participantId,
    name: safeText()
      .trim()
      .min(1, 'the name must not be empty')
      .max(participantNameLengthMax, `a name has at most ${participantNameLengthMax} characters`),
    type: z.enum(participantTypes),
    bankCode: z.string().regex(bankCodePattern, 'a bank code is 4 capital letters'),
    currency: currencyCode.optional(),
    // Issue 17: several currencies, the first one first; `currency` alone is one currency, as before.
    currencies: z.array(currencyCode).min(1, 'give at least one currency').max(apiLimits.participantCurrenciesMax).optional(),
    netDebitCap: amountText,
    // The cap per currency beyond the first; a currency not named here starts with a cap of 0 (prefunded only).
    netDebitCaps: z.record(currencyCode, amountText).optional(),
    fxProvider: z.boolean().optional(),
    creditMode: z.enum(creditModes).optional(),
    endpoints: endpointsObject(),
  })
  .refine((value) => value.currency !== undefined || value.currencies !== undefined, {
    message: 'give "currency" or "currencies"',
    path: ['currency'],
    // Checked beside the other fields' problems, so one answer lists every missing field.
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  })
  .meta({ id: 'RegisterParticipant' });

export const changeParticipantSchema = z
  .strictObject({
    active: z.boolean().optional(),
    netDebitCap: amountText.optional(),
    // Whose cap `netDebitCap` sets (issue 17); absent: the participant's first currency.
    currency: currencyCode.optional(),
    // Off by default: existing integrations keep working until a participant has a key and the operator turns it on.
    requireSignedRequests: z.boolean().optional(),
    // Requests per second per key and route class (api/rate-limit/); null: back to HISAAB_RATE_LIMIT_PER_KEY.
    rateLimitPerSecond: rateLimitPerSecondSchema.optional(),
    // The whole object, checked as at registration and of the kind the participant has: it replaces the current one.
    endpoints: endpointsObject(
      'The whole endpoints object, as at registration, replacing the current one (an rtpUrl or tls left out is removed); ' +
        'of the kind the participant has (422 ENDPOINT_KIND_MISMATCH otherwise). The next credit, reversal, advice and ' +
        'request to pay after the 200 use it; the same endpoints again change nothing.',
    ).optional(),
  })
  .refine(
    (value) =>
      value.active !== undefined ||
      value.netDebitCap !== undefined ||
      value.requireSignedRequests !== undefined ||
      value.rateLimitPerSecond !== undefined ||
      value.endpoints !== undefined,
    'give at least one of "active", "netDebitCap", "requireSignedRequests", "rateLimitPerSecond" and "endpoints"',
  )
  // The document says what the refinement checks: `currency` alone names whose cap, and changes nothing, so a body of
  // it only is refused (schemathesis sent one when minProperties was all the document said).
  .meta({
    id: 'ChangeParticipant',
    minProperties: 1,
    anyOf: [
      { required: ['active'] },
      { required: ['netDebitCap'] },
      { required: ['requireSignedRequests'] },
      { required: ['rateLimitPerSecond'] },
      { required: ['endpoints'] },
    ],
  });

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
export const issueRoleKeySchema = z
  .strictObject({
    role: z.literal('REGULATOR', { error: 'role must be "REGULATOR": participant keys are issued under /v1/participants/{id}/keys' }),
    name: freeText('a key name').trim().min(1, 'the name must not be empty'),
  })
  .meta({ id: 'IssueRegulatorKey' });

export const fundsSchema = z
  .strictObject({
    direction: z.enum(['IN', 'OUT']),
    amount: positiveAmountText,
    // Issue 17: which of the participant's currencies; absent: its first.
    currency: currencyCode.optional(),
    reference: safeText()
      .min(1, 'the reference must not be empty')
      .max(apiLimits.referenceLengthMax, `a reference has at most ${apiLimits.referenceLengthMax} characters`)
      .regex(/^[\x20-\x7e]+$/, 'a reference is printable ASCII'),
  })
  .meta({ id: 'Funds' });

export const participantIdParams = z.strictObject({ id: participantId });
const fingerprint256Message = 'a fingerprint256 is the SHA-256 of the DER certificate: 32 hex pairs, colon-separated ("AB:CD:…") or not';
// The pattern first, so the OpenAPI document says what the transform accepts (schemathesis checks that it does).
const fingerprint256Text = z
  .string()
  .regex(fingerprintPattern, fingerprint256Message)
  .transform((value, context) => {
    const canonical = canonicalFingerprint256(value);
    if (canonical === null) {
      context.addIssue({
        code: 'custom',
        message: 'a fingerprint256 is the SHA-256 of the DER certificate: 32 hex pairs, colon-separated ("AB:CD:…") or not',
      });
      return z.NEVER;
    }
    return canonical;
  })
  .meta({ description: 'SHA-256 fingerprint of the DER certificate, e.g. "AB:CD:…" (32 hex pairs)' });

/** A PEM certificate is a few KiB; a chain is not wanted here, only the participant's own certificate. */
export const clientCertificatePemLengthMax = 16 * 1024;

/** `POST /v1/participants/{id}/client-certificates`: the certificate itself (PEM) or its SHA-256 fingerprint, one of them. */
export const registerClientCertificateSchema = z
  .strictObject({
    fingerprint256: fingerprint256Text.optional(),
    certificate: z
      .string()
      .max(clientCertificatePemLengthMax, `a certificate has at most ${clientCertificatePemLengthMax} characters of PEM`)
      .regex(/^\s*-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/, 'certificate must be one PEM certificate')
      .optional(),
  })
  .refine((body) => (body.fingerprint256 === undefined) !== (body.certificate === undefined), {
    message: 'send either fingerprint256 or certificate (PEM), exactly one of them',
  });

export const participantClientCertificateParams = z.strictObject({ id: participantId, fingerprint256: fingerprint256Text });

export const participantKeyParams = z.strictObject({
  id: participantId,
  keyId: z.string().regex(/^[0-9a-f]{16}$/, 'a key id is 16 hex characters'),
});

export const listParticipantsQuery = z.strictObject({
  limit: pageLimit(apiLimits.participantPageLimitMax, apiLimits.participantPageLimitDefault),
  cursor: cursorText.optional(),
});
