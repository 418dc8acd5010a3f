import { assertNever } from '../assert';

/**
 * The public keys participants sign their requests with (issue 15), as JWKs (RFC 7517). Only the two algorithms
 * a bank's HSM or a wallet's platform commonly offers are taken: Ed25519 (EdDSA) and P-256 (ES256).
 */
export const requestSigningAlgorithms = ['EdDSA', 'ES256'] as const;
export type RequestSigningAlgorithm = (typeof requestSigningAlgorithms)[number];

/** The public part of a key, exactly the members RFC 7638 hashes for the thumbprint: nothing private is ever kept. */
export type PublicJwk = { kty: 'OKP'; crv: 'Ed25519'; x: string } | { kty: 'EC'; crv: 'P-256'; x: string; y: string };

/** Keys a participant may hold at once (active, not revoked): enough to roll one over, few enough to audit. */
export const signingKeysActiveMax = 5;
/** Revoked keys stay listed (evidence names them); past this many the oldest revoked ones are no longer listed. */
export const signingKeysListedMax = 50;

/** A key as the read model holds it. `revokedAt` null: it verifies requests. */
export type RegisteredSigningKey = {
  kid: string;
  alg: RequestSigningAlgorithm;
  publicKey: PublicJwk;
  createdAt: string;
  revokedAt: string | null;
};

/** The curve each algorithm signs on: a key of another curve cannot verify that algorithm's signatures. */
export function algorithmFitsKey(alg: RequestSigningAlgorithm, key: PublicJwk): boolean {
  switch (alg) {
    case 'EdDSA':
      return key.kty === 'OKP' && key.crv === 'Ed25519';
    case 'ES256':
      return key.kty === 'EC' && key.crv === 'P-256';
    default:
      return assertNever(alg);
  }
}
