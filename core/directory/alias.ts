import { assertNever } from '../assert';
import { DomainError } from '../errors';
import type { Account } from './account';
import type { AliasKey } from './alias-key';

/** Holder names are shown (masked) to payers; this bounds what one event and one read carries. */
export const holderNameLengthMax = 140;

export type AliasRegistered = {
  type: 'AliasRegistered';
  data: { alias: AliasKey; participantId: string; account: Account; holderName: string; at: string };
};
export type AliasRemoved = { type: 'AliasRemoved'; data: { alias: AliasKey; participantId: string; at: string } };
export type AliasEvent = AliasRegistered | AliasRemoved;
export const aliasEventTypes: readonly AliasEvent['type'][] = ['AliasRegistered', 'AliasRemoved'];

export type AliasCommand =
  | { type: 'RegisterAlias'; data: { alias: AliasKey; participantId: string; account: Account; holderName: string }; now: Date }
  | { type: 'RemoveAlias'; data: { alias: AliasKey; participantId: string }; now: Date };

export type AliasState = { status: 'free' } | { status: 'owned'; participantId: string; account: Account; holderName: string };

export const initialState: AliasState = { status: 'free' };

export function evolve(state: AliasState, event: AliasEvent): AliasState {
  switch (event.type) {
    case 'AliasRegistered':
      return { status: 'owned', participantId: event.data.participantId, account: event.data.account, holderName: event.data.holderName };
    case 'AliasRemoved':
      return initialState;
    default:
      return assertNever(event);
  }
}

export function decide(command: AliasCommand, state: AliasState): AliasEvent[] {
  switch (command.type) {
    case 'RegisterAlias': {
      // Another participant's customer keeps the alias until that participant releases it.
      if (state.status === 'owned' && state.participantId !== command.data.participantId) {
        throw new DomainError('ALIAS_TAKEN', `${command.data.alias.type} ${command.data.alias.value} is registered by another participant`);
      }
      // Registering exactly what is already there is a retry: no new fact.
      if (state.status === 'owned' && sameRegistration(state, command.data)) return [];
      return [{ type: 'AliasRegistered', data: { ...command.data, at: command.now.toISOString() } }];
    }
    case 'RemoveAlias': {
      if (state.status !== 'owned')
        throw new DomainError('ALIAS_NOT_FOUND', `${command.data.alias.type} ${command.data.alias.value} is not registered`);
      if (state.participantId !== command.data.participantId) {
        throw new DomainError('FORBIDDEN', 'only the participant that registered an alias can remove it');
      }
      return [{ type: 'AliasRemoved', data: { ...command.data, at: command.now.toISOString() } }];
    }
    default:
      return assertNever(command);
  }
}

function sameRegistration(state: Extract<AliasState, { status: 'owned' }>, data: { account: Account; holderName: string }): boolean {
  return state.account.type === data.account.type && state.account.value === data.account.value && state.holderName === data.holderName;
}
