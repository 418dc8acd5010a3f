import type { LedgerCommand } from '../../../core/ledger/commands';
import { decide, decideExpiry } from '../../../core/ledger/decide';
import type { Decision } from '../../../core/ledger/decision';
import type { LedgerEvent } from '../../../core/ledger/events';
import { evolve } from '../../../core/ledger/evolve';
import { balanceMinorMax, defaultTunables, type LedgerTunables } from '../../../core/ledger/ledger-limits';
import { initialState, type LedgerState } from '../../../core/ledger/ledger-state';
import { DeciderSpecification } from '../../support/decider-spec';
import {
  createAccount,
  nowMs,
  opened,
  pendingExpired,
  pendingPosted,
  pendingTransfer,
  pendingVoided,
  post,
  posted,
  reserved,
  transfer,
  voidPending,
} from './ledger-fixtures';

function specAt(atMs: number, tunables: LedgerTunables = defaultTunables) {
  return DeciderSpecification.for<LedgerCommand, LedgerEvent, LedgerState, Decision>({
    decide: (command, state) => decide(command, state, { nowMs: atMs }),
    evolve,
    initialState: () => initialState('PKR', tunables),
  });
}

const spec = specAt(nowMs);
const twoAccounts = [opened('A'), opened('B')];

describe('ledger decider: accounts', () => {
  it('ok: opens an account', () =>
    spec
      .given([])
      .when(createAccount('A', { debitLimitMinor: 500n }))
      .then({ result: 'ok', event: opened('A', { debitLimitMinor: 500n }) }));

  it('exists: the same account again', () =>
    spec
      .given([opened('A')])
      .when(createAccount('A'))
      .then({ result: 'exists' }));

  it('exists_with_different_fields: the same id with another owner', () =>
    spec
      .given([opened('A')])
      .when(createAccount('A', { owner: 'someone-else' }))
      .then({ result: 'exists_with_different_fields' }));

  it('exists_with_different_fields: the same id with another opening limit', () =>
    spec
      .given([opened('A')])
      .when(createAccount('A', { debitLimitMinor: 1n }))
      .then({ result: 'exists_with_different_fields' }));

  it('invalid_id: an id with a space', () => spec.given([]).when(createAccount('A B')).then({ result: 'invalid_id' }));

  it('invalid_id: an id longer than 64 characters', () =>
    spec
      .given([])
      .when(createAccount('A'.repeat(65)))
      .then({ result: 'invalid_id' }));

  it('invalid_code: an unknown account kind', () =>
    spec
      .given([])
      .when(createAccount('A', { code: 'SAVINGS' as never }))
      .then({ result: 'invalid_code' }));

  it('ledger_mismatch: an account for another currency', () =>
    spec
      .given([])
      .when(createAccount('A', { ledger: 'USD' }))
      .then({ result: 'ledger_mismatch' }));

  it('invalid_debit_limit: a negative limit', () =>
    spec
      .given([])
      .when(createAccount('A', { debitLimitMinor: -1n }))
      .then({ result: 'invalid_debit_limit' }));

  it('invalid_debit_limit: a limit that is a number, not a bigint', () =>
    spec
      .given([])
      .when(createAccount('A', { debitLimitMinor: 5 as unknown as bigint }))
      .then({ result: 'invalid_debit_limit' }));

  it('flags_are_mutually_exclusive: a debit limit and debitsMustNotExceedCredits', () =>
    spec
      .given([])
      .when(createAccount('A', { debitLimitMinor: 5n, debitsMustNotExceedCredits: true }))
      .then({ result: 'flags_are_mutually_exclusive' }));

  it('ledger_full: no room for another account', () =>
    specAt(nowMs, { ...defaultTunables, accountsMax: 2 })
      .given(twoAccounts)
      .when(createAccount('C'))
      .then({ result: 'ledger_full' }));

  it('ok: changes a debit limit, recording the previous one', () =>
    spec
      .given([opened('A', { debitLimitMinor: 100n })])
      .when({ type: 'change_debit_limit', accountId: 'A', debitLimitMinor: 250n })
      .then({
        result: 'ok',
        event: { type: 'LedgerDebitLimitChanged', data: { accountId: 'A', debitLimitMinor: '250', previousDebitLimitMinor: '100' } },
      }));

  it('account_not_found: changing the limit of an unknown account', () =>
    spec.given([]).when({ type: 'change_debit_limit', accountId: 'A', debitLimitMinor: 1n }).then({ result: 'account_not_found' }));

  it('flags_are_mutually_exclusive: a debit limit on a debitsMustNotExceedCredits account', () =>
    spec
      .given([opened('A', { debitsMustNotExceedCredits: true })])
      .when({ type: 'change_debit_limit', accountId: 'A', debitLimitMinor: 1n })
      .then({ result: 'flags_are_mutually_exclusive' }));
});

describe('ledger decider: single-phase transfers', () => {
  it('ok: posts a transfer', () =>
    spec
      .given(twoAccounts)
      .when(transfer('t1', 'A', 'B', 150050n))
      .then({ result: 'ok', event: posted('t1', 'A', 'B', 150050n) }));

  it('ok: carries userData, sorted, on the event', () =>
    spec
      .given(twoAccounts)
      .when(transfer('t1', 'A', 'B', 5n, { userData: { purpose: 'P2P', switchTransferId: 'x-1' } }))
      .thenMatches(
        (decision) =>
          decision.result === 'ok' && JSON.stringify(decision.event.data).includes('"userData":{"purpose":"P2P","switchTransferId":"x-1"}'),
      ));

  it('exists: the same transfer again', () =>
    spec
      .given([...twoAccounts, posted('t1', 'A', 'B', 5n)])
      .when(transfer('t1', 'A', 'B', 5n))
      .then({ result: 'exists' }));

  it('exists_with_different_fields: the same id with another amount', () =>
    spec
      .given([...twoAccounts, posted('t1', 'A', 'B', 5n)])
      .when(transfer('t1', 'A', 'B', 6n))
      .then({ result: 'exists_with_different_fields' }));

  it('exists_with_different_fields: the id of a pending transfer reused for a single-phase one', () =>
    spec
      .given([...twoAccounts, reserved('t1', 'A', 'B', 5n)])
      .when(transfer('t1', 'A', 'B', 5n))
      .then({ result: 'exists_with_different_fields' }));

  it('invalid_user_data: too many entries', () => {
    const userData = Object.fromEntries(Array.from({ length: 9 }, (_, index) => [`k${index}`, 'v']));
    spec
      .given(twoAccounts)
      .when(transfer('t1', 'A', 'B', 5n, { userData }))
      .then({ result: 'invalid_user_data' });
  });

  it('invalid_user_data: a value that is not a string', () =>
    spec
      .given(twoAccounts)
      .when(transfer('t1', 'A', 'B', 5n, { userData: { n: 5 as unknown as string } }))
      .then({ result: 'invalid_user_data' }));

  it('invalid_code: an unknown transfer code', () =>
    spec
      .given(twoAccounts)
      .when(transfer('t1', 'A', 'B', 5n, { code: 'GIFT' as never }))
      .then({ result: 'invalid_code' }));

  it('ledger_mismatch: a USD transfer on the PKR ledger', () =>
    spec
      .given(twoAccounts)
      .when(transfer('t1', 'A', 'B', 5n, { ledger: 'USD' }))
      .then({ result: 'ledger_mismatch' }));

  it('amount_must_be_positive: zero', () =>
    spec
      .given(twoAccounts)
      .when(transfer('t1', 'A', 'B', 0n))
      .then({ result: 'amount_must_be_positive' }));

  it('amount_must_be_positive: a JS number instead of a bigint', () =>
    spec
      .given(twoAccounts)
      .when(transfer('t1', 'A', 'B', 5 as unknown as bigint))
      .then({ result: 'amount_must_be_positive' }));

  it('accounts_must_be_different', () =>
    spec
      .given(twoAccounts)
      .when(transfer('t1', 'A', 'A', 5n))
      .then({ result: 'accounts_must_be_different' }));

  it('account_not_found: an unknown credit account', () =>
    spec
      .given([opened('A')])
      .when(transfer('t1', 'A', 'B', 5n))
      .then({ result: 'account_not_found' }));

  it('exceeds_net_debit_cap: one minor unit past the cap, counting posted credits', () =>
    spec
      .given([opened('A', { debitLimitMinor: 100n }), opened('B'), posted('in', 'B', 'A', 50n)])
      .when(transfer('t1', 'A', 'B', 151n))
      .then({ result: 'exceeds_net_debit_cap' }));

  it('ok: exactly up to the cap', () =>
    spec
      .given([opened('A', { debitLimitMinor: 100n }), opened('B'), posted('in', 'B', 'A', 50n)])
      .when(transfer('t1', 'A', 'B', 150n))
      .then({ result: 'ok', event: posted('t1', 'A', 'B', 150n) }));

  it('exceeds_net_debit_cap: pending debits count against the cap', () =>
    spec
      .given([opened('A', { debitLimitMinor: 100n }), opened('B'), reserved('p1', 'A', 'B', 60n)])
      .when(transfer('t1', 'A', 'B', 41n))
      .then({ result: 'exceeds_net_debit_cap' }));

  it('exceeds_net_debit_cap: after the operator lowers the cap', () =>
    spec
      .given([
        opened('A', { debitLimitMinor: 100n }),
        opened('B'),
        { type: 'LedgerDebitLimitChanged', data: { accountId: 'A', debitLimitMinor: '10', previousDebitLimitMinor: '100' } },
      ])
      .when(transfer('t1', 'A', 'B', 11n))
      .then({ result: 'exceeds_net_debit_cap' }));

  it('exceeds_credits: debitsMustNotExceedCredits with too few credits', () =>
    spec
      .given([opened('A', { debitsMustNotExceedCredits: true }), opened('B'), posted('in', 'B', 'A', 50n)])
      .when(transfer('t1', 'A', 'B', 51n))
      .then({ result: 'exceeds_credits' }));

  it('exceeds_debits: creditsMustNotExceedDebits on the credit side', () =>
    spec
      .given([opened('A'), opened('B', { creditsMustNotExceedDebits: true })])
      .when(transfer('t1', 'A', 'B', 1n))
      .then({ result: 'exceeds_debits' }));

  it.each(['REVERSAL', 'CHARGEBACK', 'SETTLEMENT'] as const)('ok: a %s transfer is never refused for a limit', (code) =>
    spec
      .given([opened('A', { debitLimitMinor: 0n }), opened('B', { creditsMustNotExceedDebits: true })])
      .when(transfer('t1', 'A', 'B', 1000n, { code }))
      .then({ result: 'ok', event: posted('t1', 'A', 'B', 1000n, code) }),
  );

  it('overflow: an amount past 2^63 - 1', () =>
    spec
      .given(twoAccounts)
      .when(transfer('t1', 'A', 'B', balanceMinorMax + 1n))
      .then({ result: 'overflow' }));

  it('overflow: a credit balance that would pass the maximum', () =>
    spec
      .given([...twoAccounts, posted('big', 'A', 'B', balanceMinorMax)])
      .when(transfer('t1', 'A', 'B', 1n))
      .then({ result: 'overflow' }));
});

describe('ledger decider: two-phase transfers', () => {
  const withPending = [...twoAccounts, reserved('p1', 'A', 'B', 100n)];

  it('ok: reserves with an expiry from the injected time', () =>
    spec
      .given(twoAccounts)
      .when(pendingTransfer('p1', 'A', 'B', 100n, { timeoutMs: 5000 }))
      .then({ result: 'ok', event: reserved('p1', 'A', 'B', 100n, 5000) }));

  it('invalid_timeout: zero, fractional, or past the maximum', () => {
    spec
      .given(twoAccounts)
      .when(pendingTransfer('p1', 'A', 'B', 1n, { timeoutMs: 0 }))
      .then({ result: 'invalid_timeout' });
    spec
      .given(twoAccounts)
      .when(pendingTransfer('p1', 'A', 'B', 1n, { timeoutMs: 1.5 }))
      .then({ result: 'invalid_timeout' });
    spec
      .given(twoAccounts)
      .when(pendingTransfer('p1', 'A', 'B', 1n, { timeoutMs: defaultTunables.timeoutMsMax + 1 }))
      .then({ result: 'invalid_timeout' });
  });

  it('ledger_full: no room for another pending transfer', () =>
    specAt(nowMs, { ...defaultTunables, pendingTransfersMax: 1 })
      .given(withPending)
      .when(pendingTransfer('p2', 'A', 'B', 1n))
      .then({ result: 'ledger_full' }));

  it('ok: posts the whole pending amount', () =>
    spec
      .given(withPending)
      .when(post('c1', 'p1'))
      .then({ result: 'ok', event: pendingPosted('c1', 'p1', 'A', 'B', 100n, 100n) }));

  it('ok: posts part of it (the rest is released)', () =>
    spec
      .given(withPending)
      .when(post('c1', 'p1', 40n))
      .then({ result: 'ok', event: pendingPosted('c1', 'p1', 'A', 'B', 40n, 100n, 40n) }));

  it('ok: voids it', () =>
    spec
      .given(withPending)
      .when(voidPending('v1', 'p1'))
      .then({ result: 'ok', event: pendingVoided('v1', 'p1', 'A', 'B', 100n) }));

  it('exists: the same post again', () =>
    spec
      .given([...withPending, pendingPosted('c1', 'p1', 'A', 'B', 100n, 100n)])
      .when(post('c1', 'p1'))
      .then({ result: 'exists' }));

  it('exists_with_different_fields: the post id again with an amount', () =>
    spec
      .given([...withPending, pendingPosted('c1', 'p1', 'A', 'B', 100n, 100n)])
      .when(post('c1', 'p1', 100n))
      .then({ result: 'exists_with_different_fields' }));

  it('pending_not_found: no such pending transfer', () =>
    spec.given(twoAccounts).when(post('c1', 'p1')).then({ result: 'pending_not_found' }));

  it('pending_not_found: the id of a single-phase transfer', () =>
    spec
      .given([...twoAccounts, posted('t1', 'A', 'B', 5n)])
      .when(voidPending('v1', 't1'))
      .then({ result: 'pending_not_found' }));

  it('pending_already_posted', () =>
    spec
      .given([...withPending, pendingPosted('c1', 'p1', 'A', 'B', 100n, 100n)])
      .when(voidPending('v1', 'p1'))
      .then({ result: 'pending_already_posted' }));

  it('pending_already_voided', () =>
    spec
      .given([...withPending, pendingVoided('v1', 'p1', 'A', 'B', 100n)])
      .when(post('c1', 'p1'))
      .then({ result: 'pending_already_voided' }));

  it('pending_expired: after its expiry event', () =>
    spec
      .given([...withPending, pendingExpired('p1', 'A', 'B', 100n)])
      .when(post('c1', 'p1'))
      .then({ result: 'pending_expired' }));

  it('pending_expired: past its timeout even before the expiry event is written', () =>
    specAt(nowMs + 10_000)
      .given(withPending)
      .when(post('c1', 'p1'))
      .then({ result: 'pending_expired' }));

  it('ok: one millisecond before its timeout', () =>
    specAt(nowMs + 9_999)
      .given(withPending)
      .when(post('c1', 'p1'))
      .then({ result: 'ok', event: pendingPosted('c1', 'p1', 'A', 'B', 100n, 100n) }));

  it('post_exceeds_pending_amount', () =>
    spec
      .given(withPending)
      .when(post('c1', 'p1', 101n))
      .then({ result: 'post_exceeds_pending_amount' }));

  it('amount_must_be_positive: a post of zero', () =>
    spec
      .given(withPending)
      .when(post('c1', 'p1', 0n))
      .then({ result: 'amount_must_be_positive' }));

  it('invalid_id: a post without a valid pending id', () => spec.given(withPending).when(post('c1', '')).then({ result: 'invalid_id' }));

  it('ok: posting a pending transfer never fails a limit (the reservation already counted)', () =>
    spec
      .given([opened('A', { debitLimitMinor: 100n }), opened('B'), reserved('p1', 'A', 'B', 100n)])
      .when(post('c1', 'p1'))
      .then({ result: 'ok', event: pendingPosted('c1', 'p1', 'A', 'B', 100n, 100n) }));
});

describe('ledger decider: expiry', () => {
  const expirySpec = (atMs: number) =>
    DeciderSpecification.for<'expire', LedgerEvent, LedgerState, Decision | null>({
      decide: (_command, state) => decideExpiry(state, { nowMs: atMs }),
      evolve,
      initialState: () => initialState('PKR'),
    });

  it('expires a pending transfer at its timeout', () =>
    expirySpec(nowMs + 10_000)
      .given([...twoAccounts, reserved('p1', 'A', 'B', 100n)])
      .when('expire')
      .then({ result: 'ok', event: pendingExpired('p1', 'A', 'B', 100n) }));

  it('does nothing before the timeout', () =>
    expirySpec(nowMs + 9_999)
      .given([...twoAccounts, reserved('p1', 'A', 'B', 100n)])
      .when('expire')
      .then(null));

  it('never expires a transfer twice, nor a posted or voided one', () => {
    expirySpec(nowMs + 20_000)
      .given([...twoAccounts, reserved('p1', 'A', 'B', 100n), pendingExpired('p1', 'A', 'B', 100n)])
      .when('expire')
      .then(null);
    expirySpec(nowMs + 20_000)
      .given([...twoAccounts, reserved('p1', 'A', 'B', 100n), pendingVoided('v1', 'p1', 'A', 'B', 100n)])
      .when('expire')
      .then(null);
  });

  it('expires the earliest first', () =>
    expirySpec(nowMs + 60_000)
      .given([...twoAccounts, reserved('late', 'A', 'B', 1n, 30_000), reserved('early', 'A', 'B', 2n, 5_000)])
      .when('expire')
      .then({ result: 'ok', event: pendingExpired('early', 'A', 'B', 2n) }));
});

describe('ledger evolve: invariants it asserts', () => {
  const evolveSpec = DeciderSpecification.for<LedgerCommand, LedgerEvent, LedgerState, Decision>({
    decide: (command, state) => decide(command, state, { nowMs }),
    evolve,
    initialState: () => initialState('PKR'),
  });

  it('crashes on a pending transfer resolved twice', () =>
    evolveSpec
      .given([...twoAccounts, reserved('p1', 'A', 'B', 1n), pendingVoided('v1', 'p1', 'A', 'B', 1n), pendingExpired('p1', 'A', 'B', 1n)])
      .when(post('c1', 'p1'))
      // A resolved pending transfer is no longer held whole, so a second resolution finds nothing to resolve.
      .thenThrows((error) => String(error.message).includes('resolves a pending transfer the ledger holds (p1)')));

  it('crashes on a transfer naming an account that was never opened', () =>
    evolveSpec
      .given([opened('A'), posted('t1', 'A', 'B', 1n)])
      .when(post('c1', 'p1'))
      .thenThrows((error) => String(error.message).includes('account B exists')));
});
