import { flattenedVerify, importJWK, type CryptoKey } from 'jose';
import { z } from 'zod';
import { DomainError } from '../errors';
import type { RequestNonceRegistry } from './request-nonces';
import { requestSigningAlgorithms, type PublicJwk, type RequestSigningAlgorithm } from './request-signing-key';
import type { RequestSigningReader } from './request-signing-reader';
import { BoundedMemory } from '../bounded-memory';

/**
 * Signed requests (issue 15): `Hisaab-JWS: <protected>..<signature>`, a JWS with a detached payload (RFC 7515
 * appendix F) over the raw request body, whose protected header binds the signature to one request: the method
 * (`htm`), the path with its query (`htu`), the time (`iat`) and a nonce (`jti`), as DPoP (RFC 9449) does.
 */
export const requestSignatureHeaderName = 'Hisaab-JWS';
/** How far `iat` may be from the switch clock, either way. */
export const signatureClockSkewSecondsMax = 300;
/** A header longer than this is refused before it is decoded: a real one is a few hundred characters. */
export const signatureHeaderLengthMax = 4096;
export const jtiLengthMax = 128;

const base64urlPart = /^[A-Za-z0-9_-]+$/;

const protectedHeaderSchema = z.object({
  alg: z.enum(requestSigningAlgorithms),
  kid: z.string().min(1).max(128),
  htm: z.string().min(1).max(16),
  htu: z.string().min(1).max(8192),
  iat: z.number().int().nonnegative(),
  jti: z
    .string()
    .min(1)
    .max(jtiLengthMax)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII'),
  // An unencoded payload (RFC 7797) or a critical extension would change what the signature covers: refused.
  b64: z.never({ error: 'b64 is not accepted: the payload is the base64url of the raw body' }).optional(),
  crit: z.never({ error: 'crit is not accepted' }).optional(),
});
export type RequestSignatureHeader = z.output<typeof protectedHeaderSchema>;

/** The request as received, exactly: the raw body bytes before any parsing. */
export type SignedRequestInput = {
  participantId: string;
  /** The Hisaab-JWS header value, undefined when absent. */
  header: string | undefined;
  method: string;
  /** The path with its query, as the request line carried it. */
  pathWithQuery: string;
  rawBody: Buffer;
  now: Date;
};

/**
 * What was verified: with the raw body, the flattened JWS (RFC 7515 section 7.2.2) that anyone holding the public
 * key can verify again. The key is copied here so that evidence outlives the key's revocation.
 */
export type VerifiedRequestSignature = {
  kid: string;
  alg: RequestSigningAlgorithm;
  publicKey: PublicJwk;
  protectedHeader: string;
  signature: string;
  header: RequestSignatureHeader;
};

/** Imported keys kept for reuse, by participant and kid; cleared whole when full (keys are few and cheap to import). */
const importedKeysMax = 1024;

/**
 * Verifies signed requests in the order that tells a client most and lets an attacker least: the form, the key,
 * the method and path, the time, the signature, and only then the nonce, so that a forged request cannot use up
 * a participant's nonces. Every refusal is a 401 whose code says which check failed.
 */
export class RequestSignatureVerifier {
  private readonly importedKeys = new BoundedMemory<string, CryptoKey | Uint8Array>(importedKeysMax);

  constructor(
    private readonly keys: RequestSigningReader,
    private readonly nonces: RequestNonceRegistry,
  ) {}

  /** Whether this participant's writes must be signed (the operator's setting). */
  required(participantId: string): boolean {
    return this.keys.signedRequestsRequired(participantId);
  }

  async verify(input: SignedRequestInput): Promise<VerifiedRequestSignature> {
    const { protectedHeader, signature, header } = parseSignatureHeader(input.header);
    const key = this.keys.findActiveSigningKey(input.participantId, header.kid);
    if (key === null || key.alg !== header.alg) {
      throw new DomainError('JWS_KEY_UNKNOWN', `kid ${header.kid} is not an active ${header.alg} signing key of ${input.participantId}`);
    }
    if (header.htm !== input.method) {
      throw new DomainError('JWS_MISMATCH', `the JWS was signed for method ${header.htm}, this request is ${input.method}`);
    }
    if (header.htu !== input.pathWithQuery) {
      throw new DomainError(
        'JWS_MISMATCH',
        `the JWS was signed for ${JSON.stringify(header.htu)}, this request is ${JSON.stringify(input.pathWithQuery)}`,
      );
    }
    const nowSeconds = Math.floor(input.now.getTime() / 1000);
    if (Math.abs(nowSeconds - header.iat) > signatureClockSkewSecondsMax) {
      throw new DomainError(
        'JWS_STALE',
        `iat ${header.iat} is more than ${signatureClockSkewSecondsMax} s from the switch clock (${nowSeconds}); sign the request again`,
      );
    }
    if (header.iat < this.nonces.rememberedSinceSeconds) {
      throw new DomainError(
        'JWS_STALE',
        `iat ${header.iat} is before the switch began remembering nonces (${this.nonces.rememberedSinceSeconds}); sign the request again`,
      );
    }
    const verificationKey = await this.importedKey(input.participantId, key.kid, key.alg, key.publicKey);
    try {
      await flattenedVerify({ protected: protectedHeader, payload: input.rawBody.toString('base64url'), signature }, verificationKey, {
        algorithms: [key.alg],
      });
    } catch {
      throw new DomainError('JWS_SIGNATURE_INVALID', `the signature does not verify with key ${key.kid} over this header and the raw body`);
    }
    const expiresAtSeconds = header.iat + signatureClockSkewSecondsMax + 1;
    if ((await this.nonces.remember(input.participantId, header.jti, expiresAtSeconds, nowSeconds)) === 'replayed') {
      throw new DomainError('JWS_REPLAYED', `jti ${JSON.stringify(header.jti)} was used already: sign every request with a fresh jti`);
    }
    return { kid: key.kid, alg: key.alg, publicKey: key.publicKey, protectedHeader, signature, header };
  }

  private async importedKey(
    participantId: string,
    kid: string,
    alg: RequestSigningAlgorithm,
    jwk: PublicJwk,
  ): Promise<CryptoKey | Uint8Array> {
    const cacheKey = `${participantId} ${kid}`;
    const cached = this.importedKeys.get(cacheKey);
    if (cached !== undefined) return cached;
    const imported = await importJWK(jwk, alg);
    this.importedKeys.remember(cacheKey, imported);
    return imported;
  }
}

function parseSignatureHeader(value: string | undefined): { protectedHeader: string; signature: string; header: RequestSignatureHeader } {
  if (value === undefined || value === '') {
    throw new DomainError(
      'JWS_MISSING',
      `this participant signs its writes: send "${requestSignatureHeaderName}: <protected>..<signature>"`,
    );
  }
  const malformed = (why: string) => new DomainError('JWS_MALFORMED', `${requestSignatureHeaderName} ${why}`);
  if (value.length > signatureHeaderLengthMax) throw malformed(`is longer than ${signatureHeaderLengthMax} characters`);
  const parts = value.split('.');
  const [protectedHeader, payload, signature] = parts;
  if (parts.length !== 3 || protectedHeader === undefined || payload !== '' || signature === undefined) {
    throw malformed('is not a detached compact JWS: <protected>..<signature> (the payload part empty)');
  }
  if (!base64urlPart.test(protectedHeader) || !base64urlPart.test(signature)) throw malformed('has parts that are not base64url');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(protectedHeader, 'base64url').toString('utf8'));
  } catch {
    throw malformed('has a protected header that is not base64url-encoded JSON');
  }
  const parsed = protectedHeaderSchema.safeParse(decoded);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw malformed(`protected header: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || 'header'}: ${issue.message}`}`);
  }
  return { protectedHeader, signature, header: parsed.data };
}
