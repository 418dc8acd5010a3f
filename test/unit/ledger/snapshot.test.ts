import { canonicalState } from '../../../core/ledger/canonical-state';
import type { LedgerCommand } from '../../../core/ledger/commands';
import { decideCommands } from '../../../core/ledger/decide-batch';
import { eventStoreLimits, serializeAppend } from '../../../core/eventstore/limits';
import { initialState } from '../../../core/ledger/ledger-state';
import { restoreSnapshot, snapshotChunks, type SnapshotChunk } from '../../../core/ledger/snapshot';
import { nowMs } from './ledger-fixtures';
import { batchCommandsMax } from '../../../core/ledger/ledger-limits';

describe('ledger snapshots', () => {
  it('splits a large state into chunks under the event size limit and restores it exactly', () => {
    const state = initialState('PKR');
    const accounts: LedgerCommand[] = Array.from({ length: 4500 }, (_, index): LedgerCommand => ({
      type: 'create_account',
      id: `participant-account-with-a-long-identifier-${index.toString().padStart(6, '0')}`,
      ledger: 'PKR',
      code: 'POSITION',
      owner: `owner-with-a-long-identifier-${index}`,
      debitLimitMinor: 9_000_000_000_000_000_000n,
    }));
    for (let start = 0; start < accounts.length; start += batchCommandsMax)
      decideCommands(state, accounts.slice(start, start + batchCommandsMax), { nowMs }, () => undefined);
    const userData = Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`key_${index}`, 'v'.repeat(128)]));
    const pending: LedgerCommand[] = Array.from({ length: 900 }, (_, index): LedgerCommand => ({
      type: 'pending_transfer',
      id: `pending-${index}`,
      ledger: 'PKR',
      debitAccountId: (accounts[index] as { id: string }).id,
      creditAccountId: (accounts[index + 1] as { id: string }).id,
      amountMinor: 1_000n + BigInt(index),
      code: 'P2P',
      timeoutMs: 60_000,
      userData,
    }));
    expect(decideCommands(state, pending, { nowMs }, () => undefined).every((result) => result === 'ok')).toBe(true);

    const chunks = snapshotChunks(state);
    // 4,500 accounts at 2,000 a chunk, 900 pending transfers at 150 a chunk.
    expect(chunks).toHaveLength(3 + 6);
    for (const chunk of chunks) expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThan(eventStoreLimits.eventBytesMax);
    const restored = restoreSnapshot(JSON.parse(JSON.stringify(chunks)) as SnapshotChunk[], 'PKR', state.tunables);
    // No resolved transfers in this state, so the snapshot alone is the whole state but for the id window, which
    // start-up replays from the log (decider-properties tests that path).
    expect(withoutWindow(canonicalState(restored))).toEqual(withoutWindow(canonicalState(state)));
    expect(restored.pending.count).toBe(900);
  });

  it('keeps every chunk under the event size limit with the largest userData a pending transfer may carry', () => {
    const state = initialState('PKR');
    const debit = 'D'.repeat(64);
    const credit = 'C'.repeat(64);
    const opening: LedgerCommand[] = [debit, credit].map((id): LedgerCommand => ({
      type: 'create_account',
      id,
      ledger: 'PKR',
      code: 'POSITION',
      owner: id,
    }));
    decideCommands(state, opening, { nowMs }, () => undefined);
    // userData values are any 128 characters: control characters take 6 bytes each once JSON escapes them.
    const userData = Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`k${index}`.padEnd(32, '_'), '\u0001'.repeat(128)]));
    const pending: LedgerCommand[] = Array.from({ length: 450 }, (_, index): LedgerCommand => ({
      type: 'pending_transfer',
      id: `pending-${index}`.padEnd(64, '-'),
      ledger: 'PKR',
      debitAccountId: debit,
      creditAccountId: credit,
      amountMinor: 1_000_000_000_000n + BigInt(index),
      code: 'CHARGEBACK',
      timeoutMs: 60_000,
      userData,
    }));
    expect(decideCommands(state, pending, { nowMs }, () => undefined).every((result) => result === 'ok')).toBe(true);

    const chunks = snapshotChunks(state);
    const events = chunks.map((data, index) => ({
      id: `chunk-${index}`,
      type: 'LedgerSnapshotChunk',
      data,
      metadata: { at: new Date(nowMs).toISOString(), actor: 'engine:ledger-PKR' },
    }));
    // What the store checks before it writes anything: every chunk must pass, or the snapshot is lost.
    expect(() => serializeAppend('snapshot-ledger-PKR', events)).not.toThrow();
    const restored = restoreSnapshot(JSON.parse(JSON.stringify(chunks)) as SnapshotChunk[], 'PKR', state.tunables);
    // The id window is not in a snapshot: start-up replays it from the log (decider-properties tests that path).
    expect(withoutWindow(canonicalState(restored))).toEqual(withoutWindow(canonicalState(state)));
    expect(restored.window.length).toBe(0);
  });

  it('writes one chunk for an empty ledger', () => {
    const chunks = snapshotChunks(initialState('PKR'));
    expect(chunks).toEqual([{ ledger: 'PKR', eventCount: 0, recordCount: 0, chunkIndex: 0, chunkCount: 1, accounts: [], pending: [] }]);
  });
});

function withoutWindow(canonical: string): unknown {
  const { window: _window, ...rest } = JSON.parse(canonical) as Record<string, unknown>;
  return rest;
}
