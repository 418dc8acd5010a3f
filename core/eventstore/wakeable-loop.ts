/**
 * The run of a follower of the global log (the advice intake, the session webhook follower): a loop that pauses
 * between reads, can be woken early (`nudge`, after a write it should see) and stops after the step in hand.
 */
export class WakeableLoop {
  private lifecycle: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  get isNew(): boolean {
    return this.lifecycle === 'new';
  }

  get running(): boolean {
    return this.lifecycle === 'running';
  }

  /** Runs `body` until it returns; it should check `running` between its steps. */
  start(body: () => Promise<void>): void {
    this.lifecycle = 'running';
    this.loop = body();
  }

  /** Ends the pause in hand at once. */
  nudge(): void {
    this.wake?.();
  }

  /** Stops the loop (waking it from a pause) and resolves once its body has returned. */
  async stop(): Promise<void> {
    if (this.lifecycle !== 'running') {
      this.lifecycle = 'stopped';
      return;
    }
    this.lifecycle = 'stopping';
    this.wake?.();
    await this.loop;
    this.lifecycle = 'stopped';
  }

  /** Sleeps, or less when nudged or stopped. */
  async pause(durationMs: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, durationMs);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = null;
  }
}
