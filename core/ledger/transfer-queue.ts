import type { Transfer } from './transfer';

/**
 * Transfers in creation order, so the engine can forget resolved ones once they leave the idempotency window.
 * An array with a moving head: amortised O(1) push and shift without a linked list's allocations.
 */
export class TransferQueue {
  private items: Transfer[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(transfer: Transfer): void {
    this.items.push(transfer);
  }

  peek(): Transfer | undefined {
    return this.items[this.head];
  }

  shift(): Transfer | undefined {
    const transfer = this.items[this.head];
    if (transfer === undefined) return undefined;
    this.head += 1;
    // Compact once the dead prefix is at least half the array, so memory stays proportional to what is held.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return transfer;
  }

  /** Drops the newest entries until `length` is left: undoes pushes of a linked chain that failed. */
  truncate(length: number): void {
    this.items.length = this.head + length;
  }
}
