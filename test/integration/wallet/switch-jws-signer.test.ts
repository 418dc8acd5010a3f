import { exportJWK, flattenedVerify, generateKeyPair, importJWK } from 'jose';
import { switchJwsSigner } from '../../../adapters/wallet-http/switch-jws-signer';
import { newMasterKey, SecretBox } from '../../../core/secrets/secret-box';
import type { StoredSwitchSigningKey } from '../../../core/secrets/switch-signing-keys';

/**
 * The switch's signature on what it sends, made with node:crypto: any JWS library verifies it (jose here, as the
 * participants' side does) against the key's public JWK, over the raw body, with the header that binds it.
 */
describe("the switch's signer of outgoing messages", () => {
  it('makes a detached EdDSA JWS that jose verifies over the raw body, bound to the method, target and time', async () => {
    const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const { d, ...publicJwk } = await exportJWK(privateKey);
    const box = new SecretBox([newMasterKey()]);
    const stored: StoredSwitchSigningKey = {
      kid: 'kid-test',
      publicKey: { kty: 'OKP', crv: 'Ed25519', x: String(publicJwk.x) },
      sealedPrivateKey: box.seal(String(d)),
      createdAt: '2026-12-03T10:00:00.000Z',
    };
    const signer = switchJwsSigner({ switchSigningKeys: () => [stored] }, box);
    const body = Buffer.from('{"amount":"1500.00","note":"ünïcode"}', 'utf8');
    const now = new Date('2026-12-03T10:00:05.000Z');
    const header = await signer({ method: 'POST', url: new URL('https://wallet.example/credit?x=1'), body, now });
    const [protectedHeader, empty, signature] = String(header).split('.');
    expect(empty).toBe('');
    const verified = await flattenedVerify(
      { protected: String(protectedHeader), payload: body.toString('base64url'), signature: String(signature) },
      publicKey,
    );
    expect(verified.protectedHeader).toEqual({
      alg: 'EdDSA',
      kid: 'kid-test',
      htm: 'POST',
      htu: '/credit?x=1',
      iat: Math.floor(now.getTime() / 1000),
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    // Another body does not verify under that signature.
    await expect(
      flattenedVerify(
        {
          protected: String(protectedHeader),
          payload: Buffer.from('{"amount":"1500.01"}').toString('base64url'),
          signature: String(signature),
        },
        await importJWK({ ...publicJwk }, 'EdDSA'),
      ),
    ).rejects.toThrow();
  });

  it('signs nothing while the switch has no key', async () => {
    const signer = switchJwsSigner({ switchSigningKeys: () => [] }, new SecretBox([newMasterKey()]));
    expect(
      await signer({ method: 'POST', url: new URL('https://wallet.example/credit'), body: Buffer.from('{}'), now: new Date() }),
    ).toBeNull();
  });
});
