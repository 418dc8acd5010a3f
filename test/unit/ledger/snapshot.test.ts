import { canonicalState } from '../../../core/ledger/canonical-state';
import type { LedgerCommand } from '../../../core/ledger/commands';
import { decideCommands } from '../../../core/ledger/decide-batch';
import { eventStoreLimits } from '../../../core/eventstore/limits';
import { initialState } from '../../../core/ledger/ledger-state';
import { restoreSnapshot, snapshotChunks, type SnapshotChunk } from '../../../core/ledger/snapshot';
import { nowMs } from './ledger-fixtures';

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
    for (let start = 0; start < accounts.length; start += 8190) decideCommands(state, accounts.slice(start, start + 8190), { nowMs }, () => undefined);
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
    expect(chunks).toHaveLength(3 + 3);
    for (const chunk of chunks) expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThan(eventStoreLimits.eventBytesMax);
    const restored = restoreSnapshot(JSON.parse(JSON.stringify(chunks)) as SnapshotChunk[], 'PKR', state.tunables);
    // No resolved transfers in this state, so the snapshot alone is the whole state.
    expect(canonicalState(restored)).toBe(canonicalState(state));
    expect(restored.expiries.size).toBe(900);
  });

  it('writes one chunk for an empty ledger', () => {
    const chunks = snapshotChunks(initialState('PKR'));
    expect(chunks).toEqual([{ ledger: 'PKR', eventCount: 0, chunkIndex: 0, chunkCount: 1, accounts: [], pending: [] }]);
  });
});
