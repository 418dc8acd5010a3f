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
 *
 * The JWS is built here with node:crypto's one-shot Ed25519 `sign` rather than jose's `FlattenedSign`: jose signs
 * through WebCrypto, whose every call is a job queued to the thread pool and a promise settled back (2 to 3 % of
 * the switch's time on the ADVICE path, one signature per advice), for the same bytes. Ed25519 is deterministic,
 * so the signature is exactly the one jose would make; test/integration/secrets/switch-jws-signer.test.ts verifies it with
 * jose against the published public key.
 */
export function switchJwsSigner(keys: SwitchSigningKeyReader, secrets: SecretBox): OutgoingMessageSigner {
  let imported: { kid: string; privateKey: KeyObject } | null = null;
  return ({ method, url, body, now }) => {
    const [current] = keys.switchSigningKeys(1);
    if (current === undefined) return Promise.resolve(null);
    if (imported === null || imported.kid !== current.kid) {
      const d = secrets.open(current.sealedPrivateKey);
      const privateKey = createPrivateKey({ key: { ...current.publicKey, d }, format: 'jwk' });
      assert(privateKey.asymmetricKeyType === 'ed25519', "the switch's signing key is an Ed25519 key");
      // Only the current key signs: older ones need not stay in memory.
      imported = { kid: current.kid, privateKey };
    }
    const protectedHeader = base64UrlJson({
      alg: 'EdDSA',
      kid: current.kid,
      htm: method,
      htu: `${url.pathname}${url.search}`,
      iat: Math.floor(now.getTime() / 1000),
      jti: randomUUID(),
    });
    // RFC 7515 section 5.1: the signing input is the encoded header, a dot and the encoded payload, even when the
    // payload then travels detached (appendix F) as the message's own body.
    const signingInput = Buffer.from(`${protectedHeader}.${body.toString('base64url')}`, 'ascii');
    const signature = sign(null, signingInput, imported.privateKey).toString('base64url');
    return Promise.resolve(`${protectedHeader}..${signature}`);
  };
}

function base64UrlJson(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
