import { decide, evolve, initialState, type AliasCommand, type AliasEvent } from '../../../core/directory/alias';
import type { AliasKey } from '../../../core/directory/alias-key';
import { deciderSpec } from '../../support/decider-spec';

const spec = deciderSpec({ decide, evolve, initialState });
const now = new Date('2025-03-01T10:00:00.000Z');
const at = now.toISOString();
const alias: AliasKey = { type: 'MSISDN', value: '923001111111' };
const wallet = { type: 'WALLET' as const, value: '03001111111' };

function registered(participantId: string, holderName = 'Ayesha Khan'): AliasEvent {
  return { type: 'AliasRegistered', data: { alias, participantId, account: wallet, holderName, at } };
}
function register(participantId: string, holderName = 'Ayesha Khan'): AliasCommand {
  return { type: 'RegisterAlias', data: { alias, participantId, account: wallet, holderName }, now };
}
function remove(participantId: string): AliasCommand {
  return { type: 'RemoveAlias', data: { alias, participantId }, now };
}

describe('alias decider', () => {
  it('registers a free alias', () =>
    spec
      .given([])
      .when(register('WALLETA'))
      .then([registered('WALLETA')]));

  it('refuses an alias that another participant holds', () =>
    spec
      .given([registered('WALLETA')])
      .when(register('WALLETB'))
      .thenThrows('ALIAS_TAKEN'));

  it('treats the same registration again as a retry with no new fact', () =>
    spec
      .given([registered('WALLETA')])
      .when(register('WALLETA'))
      .then([]));

  it('lets the owner change the holder name or account', () =>
    spec
      .given([registered('WALLETA')])
      .when(register('WALLETA', 'Ayesha Malik'))
      .then([registered('WALLETA', 'Ayesha Malik')]));

  it('removes an alias for its owner', () =>
    spec
      .given([registered('WALLETA')])
      .when(remove('WALLETA'))
      .then([{ type: 'AliasRemoved', data: { alias, participantId: 'WALLETA', at } }]));

  it('refuses removal by another participant', () =>
    spec
      .given([registered('WALLETA')])
      .when(remove('WALLETB'))
      .thenThrows('FORBIDDEN'));

  it('refuses removal of a free alias', () => spec.given([]).when(remove('WALLETA')).thenThrows('ALIAS_NOT_FOUND'));

  it('frees a removed alias for another participant', () =>
    spec
      .given([registered('WALLETA'), { type: 'AliasRemoved', data: { alias, participantId: 'WALLETA', at } }])
      .when(register('WALLETB'))
      .then([registered('WALLETB')]));
});
