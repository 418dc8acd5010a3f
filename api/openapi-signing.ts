import { answer, errorAnswer, operation, type Operation } from './openapi-kit';
import { participantIdParams } from './schemas/participant-schemas';
import {
  jwksResponse,
  registerSigningKeySchema,
  rotatedSwitchKeyResponse,
  signingKeyListResponse,
  signingKeyParams,
  signingKeyResponse,
  transferEvidenceResponse,
} from './schemas/signing-key-schemas';
import { transferIdParams } from './schemas/transfer-schemas';

type Paths = Record<string, Record<string, Operation>>;

const refusedSignature =
  'a participant that must sign sent a write whose Hisaab-JWS is missing or refused: JWS_MISSING, JWS_MALFORMED, JWS_KEY_UNKNOWN, JWS_MISMATCH, JWS_STALE, JWS_SIGNATURE_INVALID, JWS_REPLAYED (or UNAUTHENTICATED)';

/** Signed requests and responses (issue 15), kept beside the routes they describe. */
export function signingPaths(): Paths {
  return {
    '/v1/participants/{id}/signing-keys': {
      post: operation({
        summary: 'Register a public key (Ed25519 or P-256 JWK) the participant signs requests with; the same key again answers 200',
        roles: ['operator', 'participant'],
        path: participantIdParams,
        body: registerSigningKeySchema,
        idempotencyKey: 'optional',
        responses: {
          '200': answer('the key, registered already', signingKeyResponse),
          '201': answer('the key', signingKeyResponse),
          '401': errorAnswer(refusedSignature),
          '404': errorAnswer('PARTICIPANT_NOT_FOUND'),
          '409': errorAnswer('SIGNING_KEY_LIMIT_REACHED, SIGNING_KEY_EXISTS or IDEMPOTENCY_CONFLICT'),
        },
      }),
      get: operation({
        summary: 'The participant’s signing keys (active first) and whether it must sign its writes',
        roles: ['operator', 'regulator', 'participant'],
        path: participantIdParams,
        responses: { '200': answer('the keys', signingKeyListResponse), '404': errorAnswer('PARTICIPANT_NOT_FOUND') },
      }),
    },
    '/v1/participants/{id}/signing-keys/{kid}': {
      delete: operation({
        summary: 'Revoke a signing key: requests signed with it are refused from then on',
        roles: ['operator', 'participant'],
        path: signingKeyParams,
        responses: {
          '204': { description: 'revoked' },
          '401': errorAnswer(refusedSignature),
          '404': errorAnswer('SIGNING_KEY_NOT_FOUND or PARTICIPANT_NOT_FOUND'),
          '409': errorAnswer('CONCURRENT_UPDATE'),
        },
      }),
    },
    '/v1/transfers/{id}/evidence': {
      get: operation({
        summary: 'The signed requests that asked for the transfer, each a flattened JWS anyone verifies with the key it carries',
        roles: ['participant', 'operator', 'regulator'],
        path: transferIdParams,
        responses: {
          '200': answer('the evidence (empty when the payer did not sign)', transferEvidenceResponse),
          '404': errorAnswer('TRANSFER_NOT_FOUND'),
          '409': errorAnswer('TRANSFER_ID_AMBIGUOUS'),
        },
      }),
    },
    '/v1/switch/signing-keys': {
      post: operation({
        summary: 'Rotate the switch’s own Ed25519 signing key; the previous keys stay published for verification',
        roles: ['operator'],
        idempotencyKey: 'optional',
        responses: { '201': answer('the new key id and the published ones', rotatedSwitchKeyResponse) },
      }),
    },
    '/.well-known/jwks.json': {
      get: operation({
        summary: 'The switch’s public signing keys (JWKS): verify the Hisaab-JWS of its callbacks and webhooks with these',
        roles: [],
        responses: { '200': answer('the public keys, newest first', jwksResponse) },
      }),
    },
  };
}
