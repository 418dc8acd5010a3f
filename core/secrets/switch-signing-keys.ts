import { assertNever } from '../assert';
import type { PublicJwk } from '../auth/request-signing-key';
import type { Decider } from '../eventstore/decider-stream';

/**
 * The switch's own Ed25519 keys (issue 15), with which it signs what it sends participants and merchants
 * (Hisaab-JWS, beside the HMAC). The private key is sealed under the master key like every other secret, so the
 * log alone (with the master key) is enough for any machine to sign; the public keys are published as a JWKS.
 */
export const switchSigningKeysStream = 'switch-signing-keys';

export type SwitchSigningKeyGenerated = {
  type: 'SwitchSigningKeyGenerated';
  data: { kid: string; alg: 'EdDSA'; publicKey: PublicJwk; sealedPrivateKey: string; reason: SwitchKeyReason; at: string };
};
export type SwitchSigningKeyEvent = SwitchSigningKeyGenerated;

/** `first`: made at start-up when there is none; `rotation`: the operator asked for a new one. */
export type SwitchKeyReason = 'first' | 'rotation';

export type NewSwitchSigningKey = { kid: string; publicKey: PublicJwk; sealedPrivateKey: string };

export type SwitchSigningKeyCommand = {
  type: 'GenerateSwitchSigningKey';
  data: { key: NewSwitchSigningKey; reason: SwitchKeyReason };
  now: Date;
};

/** Kids, newest first: the first signs, the rest are published so that messages signed before a rotation verify. */
export type SwitchSigningKeysState = { kids: readonly string[] };

/**
 * How many keys the JWKS lists: the current one and the two before it. A receiver verifies a message within
 * seconds of its sending (a queued webhook is signed again at every attempt), so two rotations back is plenty.
 */
export const switchSigningKeysPublishedMax = 3;

export const switchSigningKeysDecider: Decider<SwitchSigningKeyCommand, SwitchSigningKeyEvent, SwitchSigningKeysState> = {
  initialState: { kids: [] },
  evolve(state, event) {
    switch (event.type) {
      case 'SwitchSigningKeyGenerated':
        return { kids: [event.data.kid, ...state.kids] };
      default:
        return assertNever(event.type);
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'GenerateSwitchSigningKey':
        // Start-up makes the first key only when there is none: a second process starting beside it adds nothing.
        if (command.data.reason === 'first' && state.kids.length > 0) return [];
        return [
          {
            type: 'SwitchSigningKeyGenerated',
            data: { ...command.data.key, alg: 'EdDSA', reason: command.data.reason, at: command.now.toISOString() },
          },
        ];
      default:
        return assertNever(command.type);
    }
  },
  eventTypes: ['SwitchSigningKeyGenerated'],
};

/** A switch key as the read model holds it, newest first. */
export type StoredSwitchSigningKey = { kid: string; publicKey: PublicJwk; sealedPrivateKey: string; createdAt: string };

export interface SwitchSigningKeyReader {
  /** The newest keys first, at most `limit`. */
  switchSigningKeys(limit: number): StoredSwitchSigningKey[];
}
