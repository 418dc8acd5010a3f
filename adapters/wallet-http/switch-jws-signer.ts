import { FlattenedSign, importJWK, type CryptoKey } from 'jose';
import { randomUUID } from 'node:crypto';
import type { SecretBox } from '../../core/secrets/secret-box';
import type { SwitchSigningKeyReader } from '../../core/secrets/switch-signing-keys';

/** Signs one outgoing message: the value of its Hisaab-JWS header, or null when the switch has no key yet. */
export type OutgoingMessageSigner = (message: { method: string; url: URL; body: Buffer; now: Date }) => Promise<string | null>;

/**
 * Signs what the switch sends (credit requests, advices, reversals, request-to-pay, merchant webhooks) with its
 * current Ed25519 key, in the same form it asks of participants: a detached JWS over the raw body whose protected
 * header binds it to the method, the target's path and query, the time and a fresh nonce. The key is read from
 * the read model at every message, so a rotation takes effect at once in every process; its private part is
 * opened once per key and kept in memory.
 */
export function switchJwsSigner(keys: SwitchSigningKeyReader, secrets: SecretBox): OutgoingMessageSigner {
  const imported = new Map<string, CryptoKey | Uint8Array>();
  return async ({ method, url, body, now }) => {
    const [current] = keys.switchSigningKeys(1);
    if (current === undefined) return null;
    let privateKey = imported.get(current.kid);
    if (privateKey === undefined) {
      const d = secrets.open(current.sealedPrivateKey);
      privateKey = await importJWK({ ...current.publicKey, d }, 'EdDSA');
      // Only the current key signs: older ones need not stay in memory.
      imported.clear();
      imported.set(current.kid, privateKey);
    }
    const jws = await new FlattenedSign(body)
      .setProtectedHeader({
        alg: 'EdDSA',
        kid: current.kid,
        htm: method,
        htu: `${url.pathname}${url.search}`,
        iat: Math.floor(now.getTime() / 1000),
        jti: randomUUID(),
      })
      .sign(privateKey);
    return `${jws.protected}..${jws.signature}`;
  };
}
