import { isIso8583Endpoints } from '../../core/participants/participant-profile';
import type { ParticipantRecord } from '../../core/participants/participant-reader';
import { openStoredSecret, type SecretBox } from '../../core/secrets/secret-box';
import { BoundedMemory } from '../../core/bounded-memory';

/** Where and how the switch reaches one wallet participant: its URLs and the secret it verifies signatures with. */
export type WalletEndpoint = {
  creditUrl: string;
  reversalUrl: string;
  /**
   * The secrets that sign, newest first: one, or during a rotation's overlap the new one and those retiring.
   * The header then carries one v1 value for each. Empty: nothing can be sent yet.
   */
  signingSecrets: readonly string[];
};

/**
 * Looks a participant's endpoint up at the moment of sending, so a changed URL or a rotated secret is used by
 * the next attempt. Null when the participant is unknown or has no wallet endpoint (a bank, say).
 */
export type WalletEndpointResolver = (participantId: string) => WalletEndpoint | null | Promise<WalletEndpoint | null>;

/**
 * A wallet participant's endpoint at `now`: its URLs and the secrets that sign at that instant (a secret past its
 * overlap no longer does), opened with the master key. Null for an unknown participant, a bank on ISO 8583, or a
 * participant with no signing secret yet.
 */
export function walletEndpointOf(participant: ParticipantRecord | null, secrets: SecretBox, now: Date): WalletEndpoint | null {
  if (participant === null || isIso8583Endpoints(participant.endpoints)) return null;
  const nowIso = now.toISOString();
  const signing = participant.signingSecrets.filter((secret) => secret.retiresAt === null || secret.retiresAt > nowIso);
  if (signing.length === 0) return null;
  return {
    creditUrl: participant.endpoints.creditUrl,
    reversalUrl: participant.endpoints.reversalUrl,
    signingSecrets: signing.map((secret) => openedSecret(secrets, secret.storedSecret)),
  };
}

/** Opened secrets kept at most per secret box (a few per participant during a rotation); past it, the memory starts again empty. */
const openedSecretsMax = 10_000;
const openedByBox = new WeakMap<SecretBox, BoundedMemory<string, string>>();

/**
 * A stored secret as opened, by its stored form: every credit request, advice and reversal is signed with one, and
 * opening it is an AES-GCM decryption. A stored form names exactly one secret, so an entry is never wrong; a
 * rotation stores a new form, which is opened on its first use. Kept per box: another master key opens nothing here.
 */
function openedSecret(secrets: SecretBox, stored: string): string {
  let opened = openedByBox.get(secrets);
  if (opened === undefined) {
    opened = new BoundedMemory<string, string>(openedSecretsMax);
    openedByBox.set(secrets, opened);
  }
  const known = opened.get(stored);
  if (known !== undefined) return known;
  const secret = openStoredSecret(secrets, stored);
  opened.remember(stored, secret);
  return secret;
}
