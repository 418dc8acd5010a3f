import { canonicalState } from '../../../core/ledger/canonical-state';
import type { LedgerCommand } from '../../../core/ledger/commands';
import { decideCommands } from '../../../core/ledger/decide-batch';
import { defaultTunables } from '../../../core/ledger/ledger-limits';
import { forgetOldTransfers, initialState, rememberedTransfer } from '../../../core/ledger/ledger-state';
import { createAccount, nowMs, pendingTransfer, transfer } from './ledger-fixtures';

describe('idempotency window', () => {
  const setup: LedgerCommand[] = [createAccount('A'), createAccount('B')];

  it('forgets resolved transfers older than the window, keeps pending ones, and decides the same before and after forgetting', () => {
    const state = initialState('PKR', { ...defaultTunables, transfersRememberedEvents: 3 });
    decideCommands(state, [...setup, pendingTransfer('p-old', 'A', 'B', 5n), transfer('t-old', 'A', 'B', 1n)], { nowMs }, () => undefined);
    decideCommands(
      state,
      [transfer('t1', 'A', 'B', 1n), transfer('t2', 'A', 'B', 1n), transfer('t3', 'A', 'B', 1n)],
      { nowMs },
      () => undefined,
    );
    // Outside the window already, before anything was dropped from memory:
    expect(rememberedTransfer(state, 't-old')).toBeUndefined();
    expect(rememberedTransfer(state, 'p-old')).toBeDefined();
    const before = canonicalState(state);
    // Both ids leave the window; the pending one is still held whole (and so still remembered) until resolved.
    expect(forgetOldTransfers(state, 100)).toBe(2);
    expect(state.window.length).toBe(3);
    expect(state.pending.find('p-old')).not.toBe(-1);
    expect(canonicalState(state)).toBe(before);
    // A forgotten id is new again: the documented limit of the window.
    expect(decideCommands(state, [transfer('t-old', 'A', 'B', 1n), transfer('t3', 'A', 'B', 1n)], { nowMs }, () => undefined)).toEqual([
      'ok',
      'exists',
    ]);
  });

  it('holds no stale expiry entries: posted and voided transfers leave the expiry order at once', () => {
    const state = initialState('PKR');
    decideCommands(state, setup, { nowMs }, () => undefined);
    const reserve = Array.from({ length: 8000 }, (_, index) => pendingTransfer(`p${index}`, 'A', 'B', 1n));
    for (let round = 0; round < 9; round += 1) {
      const ids = reserve.map((command) => ({ ...command, id: `${command.id}-${round}` }));
      decideCommands(state, ids, { nowMs }, () => undefined);
      decideCommands(
        state,
        ids.map((command): LedgerCommand => ({ type: 'void_pending', id: `v-${command.id}`, pendingId: command.id })),
        { nowMs },
        () => undefined,
      );
    }
    expect(state.pending.count).toBe(0);
    expect(state.pending.firstExpiry()).toBe(-1);
    // Freed slots are reused: nine rounds of 8,000 took the room of one.
    expect(state.pending.slotsEverUsed).toBe(8000);
  });
});
