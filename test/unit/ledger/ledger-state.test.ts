import { canonicalState } from '../../../core/ledger/canonical-state';
import type { LedgerCommand } from '../../../core/ledger/commands';
import { decideCommands } from '../../../core/ledger/decide-batch';
import { ExpiryHeap } from '../../../core/ledger/expiry-heap';
import { defaultTunables } from '../../../core/ledger/ledger-limits';
import { compactExpiries, forgetOldTransfers, initialState, rememberedTransfer } from '../../../core/ledger/ledger-state';
import type { Transfer } from '../../../core/ledger/transfer';
import { createAccount, nowMs, pendingTransfer, transfer } from './ledger-fixtures';

function record(id: string, expiresAtMs: number, createdAtEvent: number): Transfer {
  return {
    id,
    kind: 'pending_transfer',
    debitAccountId: 'A',
    creditAccountId: 'B',
    amountMinor: 1n,
    code: 'P2P',
    pendingId: null,
    timeoutMs: 1,
    expiresAtMs,
    pendingStatus: 'pending',
    requestedAmountMinor: null,
    userData: null,
    createdAtEvent,
  };
}

describe('expiry heap', () => {
  it('pops by expiry, then by creation, and keeps order after retain', () => {
    const heap = new ExpiryHeap();
    const expiries = [50, 10, 30, 10, 70, 20, 60, 40];
    expiries.forEach((expiresAtMs, index) => heap.push(record(`t${index}`, expiresAtMs, index)));
    heap.retain((transfer) => transfer.id !== 't2');
    const popped: string[] = [];
    for (let next = heap.pop(); next !== undefined; next = heap.pop()) popped.push(next.id);
    expect(popped).toEqual(['t1', 't3', 't5', 't7', 't0', 't6', 't4']);
  });
});

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
    expect(state.transfers.has('p-old')).toBe(true);
    expect(canonicalState(state)).toBe(before);
    // A forgotten id is new again: the documented limit of the window.
    expect(decideCommands(state, [transfer('t-old', 'A', 'B', 1n), transfer('t3', 'A', 'B', 1n)], { nowMs }, () => undefined)).toEqual([
      'ok',
      'exists',
    ]);
  });

  it('drops stale expiry entries once they outnumber the pending transfers', () => {
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
    expect(state.pendingCount).toBe(0);
    expect(state.expiries.size).toBe(72_000);
    expect(compactExpiries(state)).toBe(true);
    expect(state.expiries.size).toBe(0);
  });
});
