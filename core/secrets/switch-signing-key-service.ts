import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { assert } from '../assert';
import type { PublicJwk } from '../auth/request-signing-key';
import { handleStreamCommand, type CommandContext } from '../eventstore/decider-stream';
import type { EventStore } from '../eventstore/event-store';
import type { SecretBox } from './secret-box';
import { switchSigningKeysDecider, switchSigningKeysStream, type NewSwitchSigningKey, type SwitchKeyReason } from './switch-signing-keys';

/** The switch key made or found: `position` null when start-up found one already (nothing appended). */
export type SwitchSigningKeyResult = { kid: string | null; position: bigint | null };

/**
 * Makes the switch's Ed25519 signing key: `first` at start-up when the log has none, `rotation` when the operator
 * asks. The private key is sealed before it reaches the event; the kid is the public key's RFC 7638 thumbprint.
 */
export async function generateSwitchSigningKey(
  store: EventStore,
  secrets: SecretBox,
  reason: SwitchKeyReason,
  context: CommandContext,
): Promise<SwitchSigningKeyResult> {
  const key = await newSwitchSigningKey(secrets);
  const result = await handleStreamCommand(
    store,
    switchSigningKeysStream,
    switchSigningKeysDecider,
    { type: 'GenerateSwitchSigningKey', data: { key, reason }, now: context.now },
    context,
  );
  return { kid: result.events.length === 0 ? null : key.kid, position: result.position };
}

async function newSwitchSigningKey(secrets: SecretBox): Promise<NewSwitchSigningKey> {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const privateJwk = await exportJWK(pair.privateKey);
  const publicJwk = await exportJWK(pair.publicKey);
  assert(publicJwk.kty === 'OKP' && publicJwk.crv === 'Ed25519' && typeof publicJwk.x === 'string', 'an Ed25519 public JWK');
  assert(typeof privateJwk.d === 'string', 'an Ed25519 private JWK has d');
  const publicKey: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: publicJwk.x };
  const kid = await calculateJwkThumbprint(publicKey, 'sha256');
  return { kid, publicKey, sealedPrivateKey: secrets.seal(privateJwk.d) };
}
