import { Writable } from 'node:stream';
import { createLogger } from '../../../api/logger';
import { assembleSettlement } from '../../../api/settlement-assembly';
import { foldStream } from '../../../core/eventstore/read-stream';
import type { Timers } from '../../../core/settlement/close-scheduler';
import { settlementStreamName } from '../../../core/settlement/settlement-window-events';
import { waitUntil } from '../../support/wait-until';
import { startSettlementFixture } from './settlement-fixture';

/** Timers the test fires itself, with a clock it moves: the schedule runs without waiting on the wall clock. */
class TestTimers implements Timers {
  nowMs = Date.parse('2026-11-28T10:00:00.000Z');
  readonly pending = new Map<number, { atMs: number; callback: () => void }>();
  private next = 1;
  now = (): Date => new Date(this.nowMs);
  set(callback: () => void, delayMs: number): unknown {
    const handle = this.next++;
    this.pending.set(handle, { atMs: this.nowMs + delayMs, callback });
    return handle;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  /** Moves the clock to the earliest timer and fires it. */
  fireNext(): void {
    const [handle, timer] = [...this.pending.entries()].sort((a, b) => a[1].atMs - b[1].atMs)[0]!;
    this.pending.delete(handle);
    this.nowMs = timer.atMs;
    timer.callback();
  }
}

it('closes windows on the configured schedule, recorded as closed by the schedule, and stops with the switch', async () => {
  const fixture = await startSettlementFixture([{ id: 'INDUS', bankCode: 'INDU', netDebitCapMinor: 100_000n, customers: 1 }]);
  const logLines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger('info', capture);
  const timers = new TestTimers();
  const { provides: module, stop } = await assembleSettlement({
    store: fixture.store,
    ledgers: [fixture.ledger],
    readModelDatabase: fixture.readModels.database,
    waitForPosition: (position, timeoutMs) => fixture.runner.waitForPosition(position, timeoutMs),
    readModelWaitTimeoutMs: 5_000,
    now: timers.now,
    logger,
    schedule: { kind: 'interval', intervalMs: 60_000 },
    timers,
  });
  try {
    expect(module.routeModules).toHaveLength(2);
    expect(module.scheduler?.nextDueAt()?.toISOString()).toBe('2026-11-28T10:01:00.000Z');
    for (let round = 0; round < 2; round += 1) {
      timers.fireNext();
      await waitUntil(async () => (await closedBy(fixture.store)).length === round + 1, 'the scheduled close happened');
    }
    expect(await closedBy(fixture.store)).toEqual(['schedule', 'schedule']);
    expect(logLines.filter((line) => line.includes('settlement window closed by schedule'))).toHaveLength(2);
  } finally {
    await stop();
    await fixture.close();
  }
  expect(timers.pending.size).toBe(0);
});

async function closedBy(store: Parameters<typeof foldStream>[0]): Promise<string[]> {
  const closes: string[] = [];
  await foldStream(store, settlementStreamName('PKR'), 0n, (event) => {
    if (event.type === 'SettlementWindowClosed') closes.push(event.data['closedBy'] as string);
  });
  return closes;
}
