import { z } from 'zod';
import { requestSigningAlgorithms } from '../../core/auth/request-signing-key';
import { participantId } from './participant-schemas';

/** A base64url coordinate of a 256-bit curve: exactly 32 bytes. */
const coordinate = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a coordinate is 32 bytes in base64url (43 characters)');

const okpPublicKey = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: coordinate });
const ecPublicKey = z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: coordinate, y: coordinate });

/** `POST /v1/participants/{id}/signing-keys`: a public JWK; a private one (with `d`) is refused, never stored. */
export const registerSigningKeySchema = z
  .strictObject({
    alg: z.enum(requestSigningAlgorithms),
    publicKey: z
      .record(z.string(), z.unknown(), { error: 'publicKey must be a JWK object' })
      .refine((jwk) => !('d' in jwk), 'publicKey holds a private key ("d"): send the public part only, and keep the private key secret')
      .pipe(z.union([okpPublicKey, ecPublicKey], { error: 'publicKey must be an Ed25519 (OKP) or P-256 (EC) public JWK' })),
  })
  .meta({ id: 'RegisterSigningKey' });

export const signingKeyParams = z.strictObject({
  id: participantId,
  kid: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a kid is the key\u2019s SHA-256 JWK thumbprint (43 base64url characters)'),
});

const publicJwkResponse = z.union([okpPublicKey, ecPublicKey]).meta({ id: 'PublicJwk' });

export const signingKeyResponse = z
  .strictObject({
    kid: z.string().meta({ description: 'The key’s RFC 7638 SHA-256 thumbprint: what a Hisaab-JWS names in kid' }),
    alg: z.enum(requestSigningAlgorithms),
    publicKey: publicJwkResponse,
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'SigningKey' });

export const signingKeyListResponse = z
  .strictObject({ requireSignedRequests: z.boolean(), signingKeys: z.array(signingKeyResponse) })
  .meta({ id: 'SigningKeyList' });

export const jwksResponse = z
  .strictObject({
    keys: z.array(
      z.strictObject({
        kty: z.literal('OKP'),
        crv: z.literal('Ed25519'),
        x: z.string(),
        kid: z.string(),
        alg: z.literal('EdDSA'),
        use: z.literal('sig'),
      }),
    ),
  })
  .meta({ id: 'Jwks' });

export const rotatedSwitchKeyResponse = z
  .strictObject({
    kid: z.string().nullable(),
    publishedKids: z.array(z.string()).meta({ description: 'What /.well-known/jwks.json lists now, newest (signing) first' }),
  })
  .meta({ id: 'RotatedSwitchSigningKey' });

export const transferEvidenceResponse = z
  .strictObject({
    transferId: z.string(),
    switchTransferId: z.string(),
    signedRequests: z.array(
      z.strictObject({
        kid: z.string(),
        alg: z.enum(requestSigningAlgorithms),
        publicKey: publicJwkResponse,
        method: z.string(),
        pathWithQuery: z.string(),
        receivedAt: z.iso.datetime(),
        jws: z
          .strictObject({ protected: z.string(), payload: z.string(), signature: z.string() })
          .meta({ description: 'The flattened JWS (RFC 7515 section 7.2.2); payload is the raw body in base64url, or [erased]' }),
        bodyErased: z.boolean().meta({ description: 'A data subject the body named was erased, and the body with it' }),
        remark: z.string().nullable().meta({ description: 'Why the signature can no longer be re-verified, when it cannot' }),
      }),
    ),
  })
  .meta({ id: 'TransferEvidence' });
