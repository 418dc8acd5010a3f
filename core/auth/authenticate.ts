import { apiKeyIdOf, digestMatchesHash, sha256Hex, sha256Of } from './api-key';
import type { KeyReader } from './key-reader';
import type { Principal } from './principal';

export type Authenticator = {
  /** The principal for an Authorization header value, or null when it is missing, malformed, unknown or revoked. */
  authenticate(authorization: string | undefined): Principal | null;
};

export const authorizationHeaderLengthMax = 512;

/**
 * Bearer-key authentication. The operator's key comes from configuration and is compared by hash in constant
 * time; every other key is looked up by the id it carries and compared with its stored hash in constant time.
 */
export function createAuthenticator(operatorKey: string, keys: KeyReader): Authenticator {
  const operatorKeyHash = sha256Hex(operatorKey);
  return {
    authenticate(authorization) {
      if (authorization === undefined || authorization.length > authorizationHeaderLengthMax) return null;
      // The scheme is case-insensitive (RFC 7235); exactly one space, then the key.
      const match = /^Bearer ([\x21-\x7e]+)$/i.exec(authorization);
      const presented = match?.[1];
      if (presented === undefined) return null;
      // Hashed once, compared with the operator's key and then with the stored key it names.
      const presentedDigest = sha256Of(presented);
      if (digestMatchesHash(presentedDigest, operatorKeyHash)) return { role: 'operator' };
      const keyId = apiKeyIdOf(presented);
      if (keyId === null) return null;
      const stored = keys.findKey(keyId);
      if (stored === null || stored.revoked || !digestMatchesHash(presentedDigest, stored.keyHash)) return null;
      switch (stored.role) {
        case 'participant':
          return stored.ownerId === null ? null : { role: 'participant', participantId: stored.ownerId, keyId };
        case 'merchant':
          return stored.ownerId === null ? null : { role: 'merchant', merchantId: stored.ownerId, keyId };
        case 'regulator':
          return { role: 'regulator', keyId };
      }
    },
  };
}
