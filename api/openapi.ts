import { errors, json, operation, ref, schemaOf, type JsonSchema, type Operation } from './openapi-kit';
import { aliasTypes } from '../core/directory/alias-key';
import { errorCatalogue } from './http-error';
import { signingSecretOverlapSecondsDefault, signingSecretOverlapSecondsMax } from '../core/participants/participant-decider';
import { participantPageLimitMax } from '../core/participants/participant-reader';
import { registerAliasSchema } from './schemas/alias-schemas';
import { settlementOpenApiPaths } from './schemas/settlement-openapi';
import {
  changeParticipantSchema,
  fundsSchema,
  httpEndpointsSchema,
  iso8583EndpointsSchema,
  registerParticipantSchema,
} from './schemas/participant-schemas';

const amount: JsonSchema = { type: 'string', pattern: '^(0|[1-9][0-9]*)(\\.[0-9]{1,2})?$', examples: ['1500.00'] };

const pathParameter = (name: string, schema: JsonSchema): JsonSchema => ({ name, in: 'path', required: true, schema });
const participantIdParameter = pathParameter('id', { type: 'string', pattern: '^[A-Z0-9_]{2,16}$' });
const partyTypeParameter = (types: readonly string[]) => pathParameter('type', { type: 'string', enum: [...types] });
const partyValueParameter = pathParameter('value', { type: 'string', maxLength: 64 });

function components(): JsonSchema {
  return {
    schemas: { ...requestSchemas(), ...participantSchemas(), ...directorySchemas(), ...transferSchemas() },
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Operator key, or a key issued by the switch' } },
  };
}

/** The endpoints of a participant: a wallet over HTTP or a bank host over ISO 8583. */
const endpointsSchema = (): JsonSchema => ({ oneOf: [schemaOf(httpEndpointsSchema), schemaOf(iso8583EndpointsSchema)] });

/** Request bodies, generated from the validators the routes use. */
function requestSchemas(): Record<string, JsonSchema> {
  const registerParticipant = schemaOf(registerParticipantSchema);
  const funds = schemaOf(fundsSchema);
  return {
    RegisterParticipant: { ...registerParticipant, properties: { ...(registerParticipant.properties as JsonSchema), endpoints: endpointsSchema(), netDebitCap: amount } },
    ChangeParticipant: { ...schemaOf(changeParticipantSchema), properties: { active: { type: 'boolean' }, netDebitCap: amount } },
    Funds: { ...funds, properties: { ...(funds.properties as JsonSchema), amount } },
    RegisterAlias: schemaOf(registerAliasSchema),
  };
}

function participantSchemas(): Record<string, JsonSchema> {
  return {
    Error: {
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message', 'details'],
          // Every code the switch answers, from the error catalogue (README "Errors" lists each with its meaning).
          properties: { code: { type: 'string', enum: Object.keys(errorCatalogue) }, message: { type: 'string' }, details: { type: 'array', items: {} } },
        },
      },
    },
    Participant: {
      type: 'object',
      required: ['id', 'name', 'type', 'bankCode', 'currency', 'active', 'creditMode', 'endpoints', 'netDebitCap', 'position', 'reserved', 'liquidity'],
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        type: { type: 'string', enum: ['BANK', 'WALLET'] },
        bankCode: { type: 'string' },
        currency: { type: 'string' },
        active: { type: 'boolean' },
        creditMode: { type: 'string', enum: ['REQUEST', 'ADVICE'] },
        endpoints: endpointsSchema(),
        netDebitCap: amount,
        position: { ...amount, pattern: '^-?(0|[1-9][0-9]*)\\.[0-9]{2}$', description: 'Net obligation not yet settled; positive when the participant owes' },
        reserved: { ...amount, description: 'What pending transfers hold against the net debit cap' },
        liquidity: { ...amount, description: 'Collateral recorded through funds in/out' },
        createdAt: { type: 'string', format: 'date-time' },
        updatedAt: { type: 'string', format: 'date-time' },
      },
    },
    ParticipantPage: {
      type: 'object',
      required: ['participants', 'nextCursor'],
      properties: { participants: { type: 'array', items: ref('Participant') }, nextCursor: { type: ['string', 'null'] } },
    },
    IssuedKey: {
      type: 'object',
      required: ['keyId', 'key', 'signingSecret'],
      properties: {
        keyId: { type: 'string' },
        key: { type: 'string' },
        signingSecret: { type: ['string', 'null'], description: "The participant's first signing secret, on its first key only; null on later keys" },
      },
    },
    RotatedSigningSecret: {
      type: 'object',
      required: ['secretId', 'signingSecret', 'previousSecretsRetireAt'],
      properties: {
        secretId: { type: 'string' },
        signingSecret: { type: 'string', description: 'Shown this once' },
        previousSecretsRetireAt: { type: ['string', 'null'], format: 'date-time', description: 'When the secrets that signed before stop signing' },
      },
    },
    IssuedRegulatorKey: { type: 'object', required: ['keyId', 'key'], properties: { keyId: { type: 'string' }, key: { type: 'string' } } },
  };
}

function directorySchemas(): Record<string, JsonSchema> {
  return {
    Alias: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: [...aliasTypes] },
        value: { type: 'string' },
        participant: { type: 'string' },
        account: { type: 'object', properties: { type: { type: 'string', enum: ['WALLET', 'IBAN'] }, value: { type: 'string' } } },
        name: { type: 'string' },
      },
    },
    Party: {
      type: 'object',
      required: ['participant', 'account', 'name'],
      properties: {
        participant: { type: 'string' },
        account: { type: 'object', properties: { type: { type: 'string', enum: ['WALLET', 'IBAN'] } } },
        name: { type: ['string', 'null'], description: 'Masked: first and last letter of each word, "A***a K***n"', examples: ['A***a K***n'] },
      },
    },
    PartyReference: {
      type: 'object',
      required: ['type', 'value'],
      properties: { type: { type: 'string', enum: [...aliasTypes, 'IBAN'] }, value: { type: 'string' } },
    },
  };
}

/** The transfer contract of issue 4, documented here while its routes come from the transfers module. */
function transferSchemas(): Record<string, JsonSchema> {
  return {
    TransferRequest: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'payer', 'payee', 'amount', 'currency', 'purpose'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        payer: { type: 'object', required: ['type', 'value'], properties: { type: { type: 'string' }, value: { type: 'string' }, name: { type: 'string' } } },
        payee: ref('PartyReference'),
        amount,
        currency: { type: 'string', examples: ['PKR'] },
        purpose: { type: 'string', examples: ['P2P'] },
        note: { type: 'string' },
      },
    },
    Transfer: {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid', description: 'the id the payer gave the transfer, unique among that payer\'s transfers' },
        switchTransferId: { type: 'string', format: 'uuid', description: 'the switch-wide id: what the payee is told and the ledger and reports carry' },
        state: { type: 'string', enum: ['COMMITTED', 'ABORTED'] },
        abortReason: { type: ['string', 'null'], examples: ['NET_DEBIT_CAP_EXCEEDED', 'PAYEE_REJECTED', 'PAYEE_TIMEOUT', 'PAYEE_UNAVAILABLE', 'PAYEE_INACTIVE'] },
        payerParticipant: { type: 'string' },
        payeeParticipant: { type: 'string' },
        amount,
        currency: { type: 'string' },
        purpose: { type: 'string' },
        createdAt: { type: 'string', format: 'date-time' },
        completedAt: { type: ['string', 'null'], format: 'date-time' },
      },
    },
  };
}

function transferPaths(): Record<string, Record<string, Operation>> {
  return {
    '/v1/transfers': {
      post: operation({
        summary: 'Send a transfer (the caller is the payer); the same id and body answer 200 with the same transfer',
        roles: ['participant'],
        body: ref('TransferRequest'),
        responses: {
          '200': { description: 'a repeat of an earlier transfer', ...json(ref('Transfer')) },
          '201': { description: 'the transfer, COMMITTED or ABORTED', ...json(ref('Transfer')) },
          '404': { description: 'PARTY_NOT_FOUND', ...json(ref('Error')) },
          '409': { description: 'IDEMPOTENCY_CONFLICT', ...json(ref('Error')) },
          ...errors(),
        },
      }),
      get: operation({
        summary: "The caller's transfers, oldest first",
        roles: ['participant', 'operator', 'regulator'],
        parameters: [
          { name: 'state', in: 'query', schema: { type: 'string', enum: ['COMMITTED', 'ABORTED'] } },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
        ],
        responses: {
          '200': {
            description: 'a page',
            ...json({ type: 'object', properties: { transfers: { type: 'array', items: ref('Transfer') }, nextCursor: { type: ['string', 'null'] } } }),
          },
          ...errors(),
        },
      }),
    },
    '/v1/transfers/batch': {
      post: operation({
        summary: 'Up to 8190 transfers; one result per item, in order',
        roles: ['participant'],
        body: { type: 'object', required: ['transfers'], properties: { transfers: { type: 'array', maxItems: 8190, items: ref('TransferRequest') } } },
        responses: {
          '200': {
            description: 'per-item results',
            ...json({
              type: 'object',
              properties: {
                results: {
                  type: 'array',
                  items: {
                    oneOf: [
                      { type: 'object', properties: { id: { type: 'string' }, state: { type: 'string' }, abortReason: { type: ['string', 'null'] } } },
                      { type: 'object', properties: { id: { type: 'string' }, error: { type: 'object', properties: { code: { type: 'string' } } } } },
                    ],
                  },
                },
              },
            }),
          },
          ...errors(),
        },
      }),
    },
    '/v1/transfers/{id}': {
      get: operation({
        summary: 'One transfer: its payer, its payee, the operator or a regulator; anyone else gets 404',
        roles: ['participant', 'operator', 'regulator'],
        parameters: [pathParameter('id', { type: 'string', format: 'uuid' })],
        responses: { '200': { description: 'the transfer', ...json(ref('Transfer')) }, '404': { description: 'not found', ...json(ref('Error')) }, ...errors() },
      }),
    },
  };
}

/** The OpenAPI 3.1 document of the switch's HTTP API, served at /openapi.json; a test keeps it equal to the routes. */
export function buildOpenApiDocument(): JsonSchema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hisaab switch API',
      version: '1.0.0',
      description:
        'Any-to-any payments switch. JSON only; errors are {"error":{"code","message","details"}}. Bodies over 1 MiB (4 MiB for the transfer batch) are refused with 413; unknown fields with 400.',
    },
    servers: [{ url: '/' }],
    paths: { ...participantPaths(), ...keyPaths(), ...directoryPaths(), ...transferPaths(), ...settlementOpenApiPaths(), ...systemPaths() },
    components: components(),
  };
}

function participantPaths(): Record<string, Record<string, Operation>> {
  return {
    '/v1/participants': {
      post: operation({
        summary: 'Onboard a participant (bank or wallet)',
        roles: ['operator'],
        body: ref('RegisterParticipant'),
        idempotencyKey: 'optional',
        responses: {
          '201': { description: 'the participant', ...json(ref('Participant')) },
          '409': { description: 'PARTICIPANT_EXISTS, BANK_CODE_TAKEN, INSTITUTION_ID_TAKEN or IDEMPOTENCY_CONFLICT', ...json(ref('Error')) },
          ...errors(),
        },
      }),
      get: operation({
        summary: 'List participants by id',
        roles: ['operator', 'regulator'],
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: participantPageLimitMax, default: 100 } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'a page of participants', ...json(ref('ParticipantPage')) }, ...errors() },
      }),
    },
    '/v1/participants/{id}': {
      get: operation({
        summary: 'One participant (a participant may read its own)',
        roles: ['operator', 'regulator', 'participant'],
        parameters: [participantIdParameter],
        responses: { '200': { description: 'the participant', ...json(ref('Participant')) }, '404': { description: 'PARTICIPANT_NOT_FOUND', ...json(ref('Error')) }, ...errors() },
      }),
      patch: operation({
        summary: 'Activate, deactivate or change the net debit cap',
        roles: ['operator'],
        parameters: [participantIdParameter],
        body: ref('ChangeParticipant'),
        responses: { '200': { description: 'the participant', ...json(ref('Participant')) }, '404': { description: 'PARTICIPANT_NOT_FOUND', ...json(ref('Error')) }, ...errors() },
      }),
    },
    '/v1/participants/{id}/funds': {
      post: operation({
        summary: 'Record liquidity moved at the central bank',
        roles: ['operator'],
        parameters: [participantIdParameter],
        body: ref('Funds'),
        idempotencyKey: 'required',
        responses: {
          '201': { description: 'the participant', ...json(ref('Participant')) },
          '404': { description: 'PARTICIPANT_NOT_FOUND', ...json(ref('Error')) },
          '409': { description: 'IDEMPOTENCY_CONFLICT', ...json(ref('Error')) },
          '422': { description: 'INSUFFICIENT_LIQUIDITY: OUT beyond liquidity minus position and reserved', ...json(ref('Error')) },
          ...errors(),
        },
      }),
    },
  };
}

function keyPaths(): Record<string, Record<string, Operation>> {
  return {
    '/v1/participants/{id}/keys': {
      post: operation({
        summary: "Issue an API key, shown this once (a participant's first key also brings its first signing secret)",
        roles: ['operator'],
        parameters: [participantIdParameter],
        idempotencyKey: 'optional',
        responses: {
          '201': { description: 'the key (stored hashed), and on the first key the signing secret', ...json(ref('IssuedKey')) },
          '404': { description: 'PARTICIPANT_NOT_FOUND', ...json(ref('Error')) },
          '422': { description: 'KEY_LIMIT_REACHED', ...json(ref('Error')) },
          ...errors(),
        },
      }),
    },
    '/v1/participants/{id}/signing-secrets': {
      post: operation({
        summary: 'Rotate the callback signing secret: the new one is shown this once, and the old ones keep signing beside it for overlapSeconds',
        roles: ['operator', 'participant'],
        parameters: [participantIdParameter],
        idempotencyKey: 'optional',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { overlapSeconds: { type: 'integer', minimum: 0, maximum: signingSecretOverlapSecondsMax, default: signingSecretOverlapSecondsDefault } },
        },
        responses: {
          '201': { description: 'the new signing secret', ...json(ref('RotatedSigningSecret')) },
          '404': { description: 'PARTICIPANT_NOT_FOUND', ...json(ref('Error')) },
          '409': { description: 'SIGNING_SECRET_LIMIT_REACHED', ...json(ref('Error')) },
          ...errors(),
        },
      }),
    },
    '/v1/participants/{id}/keys/{keyId}': {
      delete: operation({
        summary: 'Revoke a participant key',
        roles: ['operator'],
        parameters: [participantIdParameter, pathParameter('keyId', { type: 'string', pattern: '^[0-9a-f]{16}$' })],
        responses: { '204': { description: 'revoked' }, '404': { description: 'KEY_NOT_FOUND or PARTICIPANT_NOT_FOUND', ...json(ref('Error')) }, ...errors() },
      }),
    },
    '/v1/keys': {
      post: operation({
        summary: 'Issue a read-only regulator key ({"role":"REGULATOR","name"}), shown this once',
        roles: ['operator'],
        idempotencyKey: 'optional',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['role', 'name'],
          properties: { role: { type: 'string', enum: ['REGULATOR'] }, name: { type: 'string', minLength: 1, maxLength: 140 } },
        },
        responses: { '201': { description: 'the key', ...json(ref('IssuedRegulatorKey')) }, '422': { description: 'KEY_LIMIT_REACHED', ...json(ref('Error')) }, ...errors() },
      }),
    },
    '/v1/keys/{keyId}': {
      delete: operation({
        summary: 'Revoke a regulator key',
        roles: ['operator'],
        parameters: [pathParameter('keyId', { type: 'string', pattern: '^[0-9a-f]{16}$' })],
        responses: { '204': { description: 'revoked' }, '404': { description: 'KEY_NOT_FOUND', ...json(ref('Error')) }, ...errors() },
      }),
    },
  };
}

function directoryPaths(): Record<string, Record<string, Operation>> {
  return {
    '/v1/aliases': {
      post: operation({
        summary: 'Register (or update) an alias the caller holds',
        roles: ['participant'],
        body: ref('RegisterAlias'),
        idempotencyKey: 'optional',
        responses: {
          '201': { description: 'the alias', ...json(ref('Alias')) },
          '409': { description: 'ALIAS_TAKEN', ...json(ref('Error')) },
          '422': { description: "ACCOUNT_NOT_AT_PARTICIPANT: an IBAN of another bank than the caller's", ...json(ref('Error')) },
          ...errors(),
        },
      }),
    },
    '/v1/aliases/{type}/{value}': {
      delete: operation({
        summary: 'Remove an alias (its owner only)',
        roles: ['participant'],
        parameters: [partyTypeParameter(aliasTypes), partyValueParameter],
        responses: { '204': { description: 'removed' }, '404': { description: 'ALIAS_NOT_FOUND', ...json(ref('Error')) }, ...errors() },
      }),
    },
    '/v1/parties/{type}/{value}': {
      get: operation({
        summary: 'Confirmation of payee: who is paid for an alias or an IBAN, name masked',
        roles: ['participant'],
        parameters: [partyTypeParameter([...aliasTypes, 'IBAN']), partyValueParameter],
        responses: { '200': { description: 'the party', ...json(ref('Party')) }, '404': { description: 'PARTY_NOT_FOUND', ...json(ref('Error')) }, ...errors() },
      }),
    },
  };
}

function systemPaths(): Record<string, Record<string, Operation>> {
  return {
    '/healthz': {
      get: operation({
        summary: 'Liveness and read-model health',
        roles: [],
        responses: { '200': { description: 'healthy', ...json({ type: 'object' }) }, '503': { description: 'unhealthy', ...json({ type: 'object' }) } },
      }),
    },
    '/metrics': { get: operation({ summary: 'Prometheus metrics', roles: [], responses: { '200': { description: 'text exposition format' } } }) },
    '/openapi.json': { get: operation({ summary: 'This document', roles: [], responses: { '200': { description: 'OpenAPI 3.1', ...json({ type: 'object' }) } } }) },
  };
}
