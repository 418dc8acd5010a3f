import { assert } from '../assert';
import { nextCloseAt, type CloseSchedule } from './close-schedule';

/** How timers are set: the platform's by default, a test's own when it drives time itself. */
export type Timers = {
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
};

export const platformTimers: Timers = {
  set: (callback, delayMs) => {
    const handle = setTimeout(callback, delayMs);
    // A pending close must not keep a process alive that is otherwise done.
    handle.unref();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * The longest the scheduler sleeps before looking at the clock again. Timers cannot wait past ~24.8 days, and the
 * injected clock may move differently from the timer's: waking at least hourly keeps a close from being missed.
 */
export const schedulerSleepMsMax = 60 * 60 * 1000;

export type CloseSchedulerOptions = {
  schedule: CloseSchedule;
  currencies: readonly string[];
  /** Closes the open window of a currency (SettlementService.closeWindow with closedBy `schedule`). */
  close: (currency: string) => Promise<void>;
  now: () => Date;
  timers?: Timers;
  /** A close that failed (the next scheduled one still runs). Must not throw. */
  onError: (currency: string, error: unknown) => void;
  /** After every scheduled round of closes, with the moment it was due. Must not throw. */
  onRound?: (dueAt: Date) => void;
};

/**
 * Closes every currency's open window when the schedule says, one currency after another. A round that was missed
 * (the process was busy or asleep past several due moments) closes once, not once per missed moment.
 */
export class CloseScheduler {
  private readonly options: CloseSchedulerOptions;
  private readonly timers: Timers;
  private anchor: Date | null = null;
  private dueAt: Date | null = null;
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(options: CloseSchedulerOptions) {
    assert(options.currencies.length > 0, 'a scheduler closes windows of at least one currency');
    this.options = options;
    this.timers = options.timers ?? platformTimers;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.anchor = this.options.now();
    this.dueAt = nextCloseAt(this.options.schedule, this.anchor, this.anchor);
    this.arm();
  }

  /** Stops scheduling; resolves once a round in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    if (this.running !== null) await this.running;
  }

  /** When the next round is due, or null when stopped (or the schedule never fires again). */
  nextDueAt(): Date | null {
    return this.stopped ? null : this.dueAt;
  }

  private arm(): void {
    if (this.stopped || this.dueAt === null) return;
    const delayMs = Math.min(Math.max(this.dueAt.getTime() - this.options.now().getTime(), 0), schedulerSleepMsMax);
    this.timer = this.timers.set(() => this.wake(), delayMs);
  }

  private wake(): void {
    this.timer = null;
    const dueAt = this.dueAt;
    if (this.stopped || dueAt === null) return;
    const now = this.options.now();
    if (now.getTime() < dueAt.getTime()) {
      this.arm();
      return;
    }
    this.running = this.round(dueAt).finally(() => {
      this.running = null;
      assert(this.anchor !== null, 'a started scheduler has an anchor');
      // After the later of the due moment and now: missed moments are covered by the round just run.
      const after = now.getTime() > dueAt.getTime() ? now : dueAt;
      this.dueAt = nextCloseAt(this.options.schedule, after, this.anchor);
      this.arm();
    });
  }

  private async round(dueAt: Date): Promise<void> {
    for (const currency of this.options.currencies) {
      try {
        await this.options.close(currency);
      } catch (error) {
        this.options.onError(currency, error);
      }
    }
    this.options.onRound?.(dueAt);
  }
}
