import { nextCloseAt, type CloseSchedule } from '../../../core/settlement/close-schedule';
import { CloseScheduler, schedulerSleepMsMax, type Timers } from '../../../core/settlement/close-scheduler';

/** Time driven by the test: timers fire when the test moves the clock past them. */
class ManualClock implements Timers {
  private nowMs: number;
  private readonly pending = new Map<number, { atMs: number; callback: () => void }>();
  private nextHandle = 1;

  constructor(start: string) {
    this.nowMs = Date.parse(start);
  }

  now = (): Date => new Date(this.nowMs);

  set(callback: () => void, delayMs: number): unknown {
    const handle = this.nextHandle++;
    this.pending.set(handle, { atMs: this.nowMs + delayMs, callback });
    return handle;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  nextTimerAt(): string | null {
    const times = [...this.pending.values()].map((timer) => timer.atMs).sort((a, b) => a - b);
    return times[0] === undefined ? null : new Date(times[0]).toISOString();
  }

  get timerCount(): number {
    return this.pending.size;
  }

  /** Moves the clock to `to`, firing due timers in order and letting the promises they start run. */
  async advanceTo(to: string): Promise<void> {
    const targetMs = Date.parse(to);
    for (;;) {
      const due = [...this.pending.entries()].filter(([, timer]) => timer.atMs <= targetMs).sort((a, b) => a[1].atMs - b[1].atMs)[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.nowMs = Math.max(this.nowMs, due[1].atMs);
      due[1].callback();
      for (let turn = 0; turn < 10; turn += 1) await Promise.resolve();
    }
    this.nowMs = targetMs;
  }

  /** The process was asleep: the clock is at `to` before any timer gets to run, and due ones then fire late. */
  async jumpTo(to: string): Promise<void> {
    this.nowMs = Date.parse(to);
    await this.advanceTo(to);
  }
}

describe('close schedule moments', () => {
  it('computes cron moments in the configured time zone', () => {
    const daily: CloseSchedule = { kind: 'cron', expression: '0 17 * * *', timezone: 'Asia/Karachi' };
    // 17:00 in Karachi (UTC+5) is 12:00 UTC.
    expect(nextCloseAt(daily, new Date('2026-11-28T10:00:00Z'), new Date(0))?.toISOString()).toBe('2026-11-28T12:00:00.000Z');
    expect(nextCloseAt(daily, new Date('2026-11-28T12:00:00Z'), new Date(0))?.toISOString()).toBe('2026-11-29T12:00:00.000Z');
  });

  it('counts intervals from the anchor so that late rounds do not drift', () => {
    const schedule: CloseSchedule = { kind: 'interval', intervalMs: 60_000 };
    const anchor = new Date('2026-11-28T10:00:00Z');
    expect(nextCloseAt(schedule, anchor, anchor)?.toISOString()).toBe('2026-11-28T10:01:00.000Z');
    expect(nextCloseAt(schedule, new Date('2026-11-28T10:01:30Z'), anchor)?.toISOString()).toBe('2026-11-28T10:02:00.000Z');
  });
});

describe('close scheduler', () => {
  function scheduler(clock: ManualClock, schedule: CloseSchedule, closes: string[], failures: string[] = []) {
    return new CloseScheduler({
      schedule,
      currencies: ['PKR', 'USD'],
      now: clock.now,
      timers: clock,
      close: async (currency) => {
        if (failures.includes(currency)) throw new Error(`${currency} failed`);
        closes.push(`${currency}@${clock.now().toISOString()}`);
      },
      onError: (currency) => closes.push(`${currency} error`),
    });
  }

  it('closes every currency when each interval is due, and nothing before', async () => {
    const clock = new ManualClock('2026-11-28T10:00:00Z');
    const closes: string[] = [];
    const running = scheduler(clock, { kind: 'interval', intervalMs: 60_000 }, closes);
    running.start();
    await clock.advanceTo('2026-11-28T10:00:59Z');
    expect(closes).toEqual([]);
    await clock.advanceTo('2026-11-28T10:02:00Z');
    expect(closes).toEqual([
      'PKR@2026-11-28T10:01:00.000Z',
      'USD@2026-11-28T10:01:00.000Z',
      'PKR@2026-11-28T10:02:00.000Z',
      'USD@2026-11-28T10:02:00.000Z',
    ]);
    expect(running.nextDueAt()?.toISOString()).toBe('2026-11-28T10:03:00.000Z');
    await running.stop();
  });

  it('follows a cron schedule and sleeps at most an hour at a time before looking at the clock again', async () => {
    const clock = new ManualClock('2026-11-28T10:00:00Z');
    const closes: string[] = [];
    const running = scheduler(clock, { kind: 'cron', expression: '0 17 * * *', timezone: 'Asia/Karachi' }, closes);
    running.start();
    expect(running.nextDueAt()?.toISOString()).toBe('2026-11-28T12:00:00.000Z');
    expect(clock.nextTimerAt()).toBe('2026-11-28T11:00:00.000Z');
    await clock.advanceTo('2026-11-28T11:00:00Z');
    expect(clock.nextTimerAt()).toBe('2026-11-28T12:00:00.000Z');
    expect(closes).toEqual([]);
    await clock.advanceTo('2026-11-28T12:00:00Z');
    expect(closes).toEqual(['PKR@2026-11-28T12:00:00.000Z', 'USD@2026-11-28T12:00:00.000Z']);
    expect(schedulerSleepMsMax).toBe(3_600_000);
    await running.stop();
  });

  it('closes once for a round that was missed several times over, then keeps to the schedule', async () => {
    const clock = new ManualClock('2026-11-28T10:00:00Z');
    const closes: string[] = [];
    const running = scheduler(clock, { kind: 'interval', intervalMs: 60_000 }, closes);
    running.start();
    await clock.jumpTo('2026-11-28T10:03:30Z');
    expect(closes).toEqual(['PKR@2026-11-28T10:03:30.000Z', 'USD@2026-11-28T10:03:30.000Z']);
    expect(running.nextDueAt()?.toISOString()).toBe('2026-11-28T10:04:00.000Z');
    await clock.advanceTo('2026-11-28T10:04:00Z');
    expect(closes.filter((close) => close.startsWith('PKR'))).toEqual(['PKR@2026-11-28T10:03:30.000Z', 'PKR@2026-11-28T10:04:00.000Z']);
    await running.stop();
  });

  it('goes on after a failed close and reports it', async () => {
    const clock = new ManualClock('2026-11-28T10:00:00Z');
    const closes: string[] = [];
    const running = scheduler(clock, { kind: 'interval', intervalMs: 60_000 }, closes, ['PKR']);
    running.start();
    await clock.advanceTo('2026-11-28T10:02:00Z');
    expect(closes).toEqual(['PKR error', 'USD@2026-11-28T10:01:00.000Z', 'PKR error', 'USD@2026-11-28T10:02:00.000Z']);
    await running.stop();
  });

  it('stops: no timer is left and nothing more closes', async () => {
    const clock = new ManualClock('2026-11-28T10:00:00Z');
    const closes: string[] = [];
    const running = scheduler(clock, { kind: 'interval', intervalMs: 60_000 }, closes);
    running.start();
    await running.stop();
    expect(clock.timerCount).toBe(0);
    expect(running.nextDueAt()).toBeNull();
    await clock.advanceTo('2026-11-28T11:00:00Z');
    expect(closes).toEqual([]);
  });
});
