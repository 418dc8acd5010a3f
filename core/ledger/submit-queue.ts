import type { LedgerCommand } from './commands';
import type { CompanionAppend, SubmitReceipt } from './ledger-engine-contract';

export type QueuedSubmit = {
  commands: readonly LedgerCommand[];
  companions: readonly CompanionAppend[];
  resolve: (receipt: SubmitReceipt) => void;
  reject: (error: unknown) => void;
  /**
   * Set once the submit went back to the queue because the pipelined append it followed failed: it is decided again
   * once, on the state rebuilt from the log, and answered with the failure if that happens a second time.
   */
  retriedAfterFailure?: boolean;
};

/** The engine's queue of submits, counted in commands (the unit the queue limit is in). */
export class SubmitQueue {
  private items: QueuedSubmit[] = [];
  private head = 0;
  private commands = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  get commandCount(): number {
    return this.commands;
  }

  push(submit: QueuedSubmit): void {
    this.items.push(submit);
    this.commands += submit.commands.length;
  }

  /** Puts submits a tick took back at the head of the queue, in their order (a tick retried without them). */
  returnToFront(submits: readonly QueuedSubmit[]): void {
    if (submits.length === 0) return;
    this.items = [...submits, ...this.items.slice(this.head)];
    this.head = 0;
    for (const submit of submits) this.commands += submit.commands.length;
  }

  /** Whole submits, oldest first, while their commands fit in `commandsMax` (the first one always does). */
  take(commandsMax: number): QueuedSubmit[] {
    const taken: QueuedSubmit[] = [];
    let commands = 0;
    while (this.head < this.items.length) {
      const next = this.items[this.head] as QueuedSubmit;
      if (taken.length > 0 && commands + next.commands.length > commandsMax) break;
      taken.push(next);
      commands += next.commands.length;
      this.head += 1;
    }
    this.commands -= commands;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return taken;
  }
}
