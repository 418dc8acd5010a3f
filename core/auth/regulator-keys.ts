import { assertNever } from '../assert';
import { DomainError } from '../errors';
import type { Decider } from '../eventstore/decider-stream';
import { couldBeRetryOf } from '../idempotency/retry-window';

/**
 * Read-only keys for the central bank's regulators, issued by the operator. All of them live in one stream:
 * there are few, and one stream makes the active-key limit a single decision.
 */
export const regulatorKeysStream = 'regulator-keys';
export const activeRegulatorKeysMax = 20;

export type RegulatorKeyIssued = {
  type: 'RegulatorKeyIssued';
  data: { keyId: string; keyHash: string; name: string; requestReference: string | null; at: string };
};
export type RegulatorKeyRevoked = { type: 'RegulatorKeyRevoked'; data: { keyId: string; at: string } };
export type RegulatorKeyEvent = RegulatorKeyIssued | RegulatorKeyRevoked;

export type RegulatorKeyCommand =
  | { type: 'IssueRegulatorKey'; data: { keyId: string; keyHash: string; name: string; requestReference: string | null }; now: Date }
  | { type: 'RevokeRegulatorKey'; data: { keyId: string }; now: Date };

export type RegulatorKeysState = { activeKeys: readonly { keyId: string; requestReference: string | null; issuedAt: string }[] };

export const initialState: RegulatorKeysState = { activeKeys: [] };

export function evolve(state: RegulatorKeysState, event: RegulatorKeyEvent): RegulatorKeysState {
  switch (event.type) {
    case 'RegulatorKeyIssued':
      return {
        activeKeys: [
          ...state.activeKeys,
          { keyId: event.data.keyId, requestReference: event.data.requestReference, issuedAt: event.data.at },
        ],
      };
    case 'RegulatorKeyRevoked':
      return { activeKeys: state.activeKeys.filter((key) => key.keyId !== event.data.keyId) };
    default:
      return assertNever(event);
  }
}

export function decide(command: RegulatorKeyCommand, state: RegulatorKeysState): RegulatorKeyEvent[] {
  const at = command.now.toISOString();
  switch (command.type) {
    case 'IssueRegulatorKey': {
      const reference = command.data.requestReference;
      // A retried request replaces the key its lost answer carried, as for participant keys (and, as there, the
      // same Idempotency-Key past its retention is a new request that leaves older keys alone).
      const superseded = state.activeKeys.filter((key) => couldBeRetryOf(key, reference, command.now));
      if (state.activeKeys.length - superseded.length >= activeRegulatorKeysMax) {
        throw new DomainError('KEY_LIMIT_REACHED', `at most ${activeRegulatorKeysMax} regulator keys can be active; revoke one first`);
      }
      return [
        ...superseded.map((key): RegulatorKeyEvent => ({ type: 'RegulatorKeyRevoked', data: { keyId: key.keyId, at } })),
        { type: 'RegulatorKeyIssued', data: { ...command.data, at } },
      ];
    }
    case 'RevokeRegulatorKey':
      if (!state.activeKeys.some((key) => key.keyId === command.data.keyId)) {
        throw new DomainError('KEY_NOT_FOUND', `there is no active regulator key ${command.data.keyId}`);
      }
      return [{ type: 'RegulatorKeyRevoked', data: { keyId: command.data.keyId, at } }];
    default:
      return assertNever(command);
  }
}

export const regulatorKeysDecider: Decider<RegulatorKeyCommand, RegulatorKeyEvent, RegulatorKeysState> = {
  initialState,
  evolve,
  decide,
  eventTypes: ['RegulatorKeyIssued', 'RegulatorKeyRevoked'],
};
