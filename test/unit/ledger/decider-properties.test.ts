import fc from 'fast-check';
import type { RecordedEvent } from '../../../core/eventstore/event';
import { canonicalState } from '../../../core/ledger/canonical-state';
import { decideExpiry } from '../../../core/ledger/decide';
import { decideCommands } from '../../../core/ledger/decide-batch';
import type { LedgerEvent } from '../../../core/ledger/events';
import { evolve } from '../../../core/ledger/evolve';
import { defaultTunables, type LedgerTunables } from '../../../core/ledger/ledger-limits';
import { forgetOldTransfers, initialState, rememberedFromEvent, type LedgerState } from '../../../core/ledger/ledger-state';
import { ledgerBatchType, ledgerFacts } from '../../../core/ledger/ledger-record';
import { LedgerRecordEncoder } from '../../../core/ledger/ledger-record-encoder';
import { LedgerInvariantChecker } from '../../../core/ledger/ledger-verification';
import { rememberFromLog } from '../../../core/ledger/remember-from-log';
import { restoreSnapshot, snapshotChunks, type SnapshotChunk } from '../../../core/ledger/snapshot';
import { accountIds, commandArbitrary, openingCommands } from './ledger-arbitraries';

/**
 * The decider alone, without a store, so that thousands of random sequences run in seconds. Each sequence
 * mixes batches, clock moves, expiry sweeps, forgetting and restarts from a snapshot (through JSON, as the
 * store keeps it). After every step: the invariant checker of `npm run verify` finds nothing in the events so
 * far, balances sum to zero, and a replay of all events from empty equals the live state exactly.
 *
 * Beside it, a twin state takes every batch as the engine does, through the record encoder (decide-into-record.ts:
 * transfers, pending transfers and posts written as rows straight from the decision, no event): after every batch
 * its results equal the event path's, its records decode to exactly the events the event path emitted, and after
 * every step the two states are equal.
 */
type Step =
  | { kind: 'batch'; commands: Parameters<typeof decideCommands>[1] }
  | { kind: 'advance'; ms: number }
  | { kind: 'expire'; max: number }
  | { kind: 'forget'; steps: number }
  | { kind: 'restart-from-snapshot' };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.array(commandArbitrary, { minLength: 1, maxLength: 10 }).map((commands): Step => ({ kind: 'batch', commands })),
  },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 3000 }).map((ms): Step => ({ kind: 'advance', ms })) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 4 }).map((max): Step => ({ kind: 'expire', max })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }).map((steps): Step => ({ kind: 'forget', steps })) },
  { weight: 1, arbitrary: fc.constant<Step>({ kind: 'restart-from-snapshot' }) },
);

/** A batch record as the store would hand it back. */
function recordedBatch(bytes: Uint8Array): RecordedEvent {
  return {
    id: 'batch',
    type: ledgerBatchType,
    data: {},
    metadata: { at: '2026-06-01T00:00:00.000Z' },
    bytes,
    stream: 'ledger-PKR',
    revision: 0n,
    position: 0n,
  };
}

class Run {
  state: LedgerState;
  /** The same steps through the record encoder, as the engine decides. */
  twin: LedgerState;
  readonly encoder = new LedgerRecordEncoder();
  readonly log: RecordedEvent[] = [];
  readonly checker = new LedgerInvariantChecker('PKR');
  clockMs = Date.parse('2026-06-01T00:00:00.000Z');

  constructor(readonly tunables: LedgerTunables) {
    this.state = initialState('PKR', tunables);
    this.twin = initialState('PKR', tunables);
  }

  record(event: LedgerEvent): void {
    const recorded: RecordedEvent = {
      id: `e${this.log.length}`,
      type: event.type,
      data: JSON.parse(JSON.stringify(event.data)),
      metadata: { at: new Date(this.clockMs).toISOString() },
      stream: 'ledger-PKR',
      revision: BigInt(this.log.length),
      position: BigInt(this.log.length),
    };
    this.log.push(recorded);
    this.checker.apply(recorded);
  }

  restartFromSnapshot(): void {
    const restored = this.restored();
    expect(canonicalState(restored)).toBe(canonicalState(this.state));
    this.state = restored;
    this.twin = this.restored();
  }

  private restored(): LedgerState {
    const chunks = JSON.parse(JSON.stringify(snapshotChunks(this.state))) as SnapshotChunk[];
    const restored = restoreSnapshot(chunks, 'PKR', this.tunables);
    for (let revision = Math.max(0, rememberedFromEvent(restored)); revision < restored.eventCount; revision += 1) {
      const recorded = this.log[revision] as RecordedEvent;
      rememberFromLog(restored, { type: recorded.type, data: recorded.data } as unknown as LedgerEvent, revision);
    }
    return restored;
  }

  replayFromEmpty(): LedgerState {
    const state = initialState('PKR', this.tunables);
    for (const recorded of this.log) evolve(state, { type: recorded.type, data: recorded.data } as unknown as LedgerEvent);
    return state;
  }
}

function apply(run: Run, step: Step): void {
  switch (step.kind) {
    case 'batch': {
      const events: LedgerEvent[] = [];
      const results = decideCommands(run.state, step.commands, { nowMs: run.clockMs }, (event) => {
        run.record(event);
        events.push(event);
      });
      expect(results).toHaveLength(step.commands.length);
      run.encoder.begin(run.twin.eventCount);
      expect(decideCommands(run.twin, step.commands, { nowMs: run.clockMs }, run.encoder)).toEqual(results);
      expect(run.encoder.finish().flatMap((bytes) => ledgerFacts(recordedBatch(bytes)))).toEqual(events);
      return;
    }
    case 'advance':
      run.clockMs += step.ms;
      return;
    case 'expire':
      for (let count = 0; count < step.max; count += 1) {
        const decision = decideExpiry(run.state, { nowMs: run.clockMs });
        if (decision === null || decision.result !== 'ok') return;
        evolve(run.state, decision.event);
        run.record(decision.event);
        const twinDecision = decideExpiry(run.twin, { nowMs: run.clockMs });
        expect(twinDecision).toEqual(decision);
        if (twinDecision !== null && twinDecision.result === 'ok') evolve(run.twin, twinDecision.event);
      }
      return;
    case 'forget':
      expect(forgetOldTransfers(run.twin, step.steps)).toBe(forgetOldTransfers(run.state, step.steps));
      return;
    case 'restart-from-snapshot':
      run.restartFromSnapshot();
      return;
  }
}

describe('ledger decider properties (fast-check, in memory)', () => {
  it('keeps every invariant, and replay from empty equals the live state, after every step', () => {
    fc.assert(
      fc.property(
        fc.array(stepArbitrary, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 3, max: 80 }),
        (steps, transfersRememberedEvents) => {
          const run = new Run({ ...defaultTunables, transfersRememberedEvents, pendingTransfersMax: 6 });
          apply(run, { kind: 'batch', commands: openingCommands });
          for (const step of steps) {
            apply(run, step);
            expect(run.checker.violations).toEqual([]);
            let postedSum = 0n;
            let pendingSum = 0n;
            for (const id of accountIds) {
              const account = run.state.accounts.get(id);
              if (account === undefined) throw new Error(`account ${id} is missing`);
              postedSum += account.debitsPostedMinor - account.creditsPostedMinor;
              pendingSum += account.debitsPendingMinor - account.creditsPendingMinor;
            }
            expect([postedSum, pendingSum]).toEqual([0n, 0n]);
            expect(canonicalState(run.replayFromEmpty())).toBe(canonicalState(run.state));
            expect(canonicalState(run.twin)).toBe(canonicalState(run.state));
          }
        },
      ),
      { numRuns: Number(process.env.HISAAB_PROPERTY_RUNS_PURE ?? 3000) },
    );
  });
});
