import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { assert } from '../../core/assert';
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
  const imported = new Map<string, KeyObject>();
  return async ({ method, url, body, now }) => {
    const [current] = keys.switchSigningKeys(1);
    if (current === undefined) return null;
    let privateKey = imported.get(current.kid);
    if (privateKey === undefined) {
      const d = secrets.open(current.sealedPrivateKey);
      privateKey = createPrivateKey({ key: { ...current.publicKey, d }, format: 'jwk' });
      assert(privateKey.asymmetricKeyType === 'ed25519', `the switch's signing key ${current.kid} is an Ed25519 key`);
      // Only the current key signs: older ones need not stay in memory.
      imported.clear();
      imported.set(current.kid, privateKey);
    }
    const protectedHeader = base64Url(
      JSON.stringify({
        alg: 'EdDSA',
        kid: current.kid,
        htm: method,
        htu: `${url.pathname}${url.search}`,
        iat: Math.floor(now.getTime() / 1000),
        jti: randomUUID(),
      }),
    );
    // RFC 7515's signing input, signed by node:crypto in this thread: Ed25519 is deterministic, so this is the JWS
    // jose's FlattenedSign makes, without the WebCrypto job and promises it costs per message (three per paid
    // checkout: the request to pay, the credit request, the webhook; 5 % of the switch's busy time in bench:checkout).
    const signature = sign(null, Buffer.from(`${protectedHeader}.${base64Url(body)}`, 'ascii'), privateKey);
    return `${protectedHeader}..${base64Url(signature)}`;
  };
}

function base64Url(value: string | Buffer): string {
  return (typeof value === 'string' ? Buffer.from(value, 'utf8') : value).toString('base64url');
}
