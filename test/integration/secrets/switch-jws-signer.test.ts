import { decodeProtectedHeader, flattenedVerify, importJWK } from 'jose';
import { requestSigningProjection } from '../../../adapters/readmodel-sqlite/projections/request-signing-projection';
import { SqliteRequestSigningReader } from '../../../adapters/readmodel-sqlite/projections/request-signing-read-model';
import { switchJwsSigner } from '../../../adapters/wallet-http/switch-jws-signer';
import { ProjectionRunner } from '../../../core/eventstore/projection-runner';
import { newMasterKey, SecretBox } from '../../../core/secrets/secret-box';
import { generateSwitchSigningKey } from '../../../core/secrets/switch-signing-key-service';
import type { SqliteReadModelTx } from '../../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { openProjectionFixture, type ProjectionFixture } from '../../support/projection-fixture';

/**
 * The switch signs what it sends with node:crypto's Ed25519 (adapters/wallet-http/switch-jws-signer.ts), not with
 * jose: a receiver verifying with jose against the published key must accept exactly what it accepted before, over
 * the body as sent, bound to method, path and query, across a rotation; a body changed in transit must fail.
 */
let fixture: ProjectionFixture;
let runner: ProjectionRunner<SqliteReadModelTx>;
beforeEach(async () => {
  fixture = openProjectionFixture('hisaab-switch-jws-');
  runner = new ProjectionRunner({ store: fixture.store, readModels: fixture.readModels, projections: [requestSigningProjection] });
  await runner.start();
});
afterEach(async () => {
  await runner.stop();
  await fixture.close();
});

const now = new Date('2026-12-03T23:00:00.000Z');
const context = { now, actor: 'operator', correlationId: 'switch-jws-signer-test' };

async function generateKey(secrets: SecretBox, reason: 'first' | 'rotation'): Promise<void> {
  const { position } = await generateSwitchSigningKey(fixture.store, secrets, reason, context);
  if (position === null) throw new Error('no key was generated');
  await runner.waitForPosition(position, 10_000);
}

/** Verifies a detached Hisaab-JWS over `body` with jose and the published key its kid names. */
async function verifiedHeader(reader: SqliteRequestSigningReader, jws: string, body: Buffer): Promise<Record<string, unknown>> {
  const [protectedHeader, payload, signature] = jws.split('.');
  expect(payload).toBe('');
  const { kid } = decodeProtectedHeader(jws);
  const key = reader.switchSigningKeys(3).find((stored) => stored.kid === kid);
  if (key === undefined) throw new Error(`no published key ${String(kid)}`);
  const verified = await flattenedVerify(
    { protected: protectedHeader, payload: body.toString('base64url'), signature: signature as string },
    await importJWK(key.publicKey, 'EdDSA'),
  );
  expect(Buffer.from(verified.payload).equals(body)).toBe(true);
  return verified.protectedHeader as Record<string, unknown>;
}

it('signs a detached JWS that jose verifies with the published key, bound to the request, and follows a rotation at once', async () => {
  const secrets = new SecretBox([newMasterKey()]);
  const reader = new SqliteRequestSigningReader(fixture.readModels.database);
  const sign = switchJwsSigner(reader, secrets);
  const body = Buffer.from('{"transferId":"t-1","amount":"10.00","currency":"PKR"}', 'utf8');
  const url = new URL('http://wallet.example:9100/credits/advice?attempt=1');

  expect(await sign({ method: 'POST', url, body, now })).toBeNull();

  await generateKey(secrets, 'first');
  const [first] = reader.switchSigningKeys(1);
  const jws = await sign({ method: 'POST', url, body, now });
  if (jws === null) throw new Error('no signature with a key present');
  const header = await verifiedHeader(reader, jws, body);
  expect(header).toEqual({
    alg: 'EdDSA',
    kid: first?.kid,
    htm: 'POST',
    htu: '/credits/advice?attempt=1',
    iat: Math.floor(now.getTime() / 1000),
    jti: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
  });
  // A fresh nonce every time: the same message signed twice is two different signatures.
  const again = await sign({ method: 'POST', url, body, now });
  expect(again).not.toBe(jws);

  // A body changed in transit fails verification.
  const tampered = Buffer.from(body.toString('utf8').replace('10.00', '99.00'), 'utf8');
  await expect(verifiedHeader(reader, jws, tampered)).rejects.toThrow('signature verification failed');

  await generateKey(secrets, 'rotation');
  const [second] = reader.switchSigningKeys(1);
  expect(second?.kid).not.toBe(first?.kid);
  const rotated = await sign({ method: 'POST', url, body, now });
  if (rotated === null) throw new Error('no signature after the rotation');
  expect((await verifiedHeader(reader, rotated, body))['kid']).toBe(second?.kid);
});
