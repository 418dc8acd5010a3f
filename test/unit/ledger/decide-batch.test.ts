import { canonicalState } from '../../../core/ledger/canonical-state';
import type { LedgerCommand } from '../../../core/ledger/commands';
import { decideCommands } from '../../../core/ledger/decide-batch';
import type { LedgerEvent } from '../../../core/ledger/events';
import { evolve } from '../../../core/ledger/evolve';
import { initialState, type LedgerState } from '../../../core/ledger/ledger-state';
import type { LedgerResultCode } from '../../../core/ledger/result-codes';
import { DeciderSpecification } from '../../support/decider-spec';
import { nowMs, opened, pendingPosted, pendingTransfer, post, posted, reserved, transfer } from './ledger-fixtures';

type BatchOutput = { results: LedgerResultCode[]; events: LedgerEvent[]; state: string };

const spec = DeciderSpecification.for<LedgerCommand[], LedgerEvent, LedgerState, BatchOutput>({
  decide: (commands, state) => {
    const events: LedgerEvent[] = [];
    const results = decideCommands(state, commands, { nowMs }, (event) => events.push(event));
    return { results, events, state: canonicalState(state) };
  },
  evolve,
  initialState: () => initialState('PKR'),
});

/** The canonical state after these events: what a refused chain must leave behind untouched. */
function stateAfter(events: LedgerEvent[]): string {
  const state = initialState('PKR');
  for (const event of events) evolve(state, event);
  return canonicalState(state);
}

const capped = [opened('A', { debitLimitMinor: 100n }), opened('B'), opened('FEES')];

describe('ledger decider: batches and linked chains', () => {
  it('later commands see earlier ones in the same batch', () =>
    spec
      .given(capped)
      .when([transfer('t1', 'A', 'B', 60n), transfer('t2', 'A', 'B', 60n), transfer('t3', 'A', 'B', 40n)])
      .thenMatches(
        (output) => JSON.stringify(output.results) === JSON.stringify(['ok', 'exceeds_net_debit_cap', 'ok']) && output.events.length === 2,
      ));

  it('ok: a linked payment and its fee leg are applied together', () =>
    spec
      .given(capped)
      .when([transfer('pay', 'A', 'B', 90n, { linked: true }), transfer('fee', 'A', 'FEES', 10n)])
      .thenMatches((output) => output.results.join() === 'ok,ok' && output.events.length === 2));

  it('linked_event_failed: the fee leg breaks the cap, so the payment is undone too', () =>
    spec
      .given(capped)
      .when([transfer('pay', 'A', 'B', 95n, { linked: true }), transfer('fee', 'A', 'FEES', 10n), transfer('after', 'A', 'B', 100n)])
      .then({
        results: ['linked_event_failed', 'exceeds_net_debit_cap', 'ok'],
        events: [posted('after', 'A', 'B', 100n)],
        state: stateAfter([...capped, posted('after', 'A', 'B', 100n)]),
      }));

  it('linked_event_failed: a refused first command fails the rest of its chain only', () =>
    spec
      .given(capped)
      .when([
        transfer('one', 'A', 'NOBODY', 1n, { linked: true }),
        transfer('two', 'A', 'B', 1n, { linked: true }),
        transfer('three', 'A', 'B', 1n),
        transfer('four', 'A', 'B', 1n),
      ])
      .thenMatches(
        (output) => output.results.join() === 'account_not_found,linked_event_failed,linked_event_failed,ok' && output.events.length === 1,
      ));

  it('a refused chain undoes a pending post and an opened account it had applied', () => {
    const given = [...capped, reserved('p1', 'A', 'B', 50n)];
    spec
      .given(given)
      .when([
        { type: 'create_account', id: 'NEW', ledger: 'PKR', code: 'MERCHANT', owner: 'shop', linked: true },
        { ...post('c1', 'p1'), linked: true },
        pendingTransfer('p2', 'A', 'B', 51n),
      ])
      .then({ results: ['linked_event_failed', 'linked_event_failed', 'exceeds_net_debit_cap'], events: [], state: stateAfter(given) });
  });

  it('linked_event_chain_open: the last command of a batch is linked', () =>
    spec
      .given(capped)
      .when([transfer('t0', 'A', 'B', 1n), transfer('t1', 'A', 'B', 1n, { linked: true }), transfer('t2', 'A', 'B', 1n, { linked: true })])
      .thenMatches((output) => output.results.join() === 'ok,linked_event_failed,linked_event_chain_open' && output.events.length === 1));

  it('exists does not fail a chain: a retried chain answers exists throughout', () =>
    spec
      .given([...capped, posted('pay', 'A', 'B', 90n), posted('fee', 'A', 'FEES', 10n)])
      .when([transfer('pay', 'A', 'B', 90n, { linked: true }), transfer('fee', 'A', 'FEES', 10n)])
      .thenMatches((output) => output.results.join() === 'exists,exists' && output.events.length === 0));

  it('a post then a new reservation in one chain: the released amount is usable at once', () =>
    spec
      .given([...capped, reserved('p1', 'A', 'B', 100n)])
      .when([{ ...post('c1', 'p1', 30n), linked: true }, pendingTransfer('p2', 'A', 'B', 70n)])
      .thenMatches(
        (output) =>
          output.results.join() === 'ok,ok' &&
          JSON.stringify(output.events[0]) === JSON.stringify(pendingPosted('c1', 'p1', 'A', 'B', 30n, 100n, 30n)),
      ));

  it('invalid_code: something that is not a command at all', () =>
    spec
      .given(capped)
      .when([null as unknown as LedgerCommand, { type: 'burn' } as unknown as LedgerCommand])
      .thenMatches((output) => output.results.join() === 'invalid_code,invalid_code'));
});
