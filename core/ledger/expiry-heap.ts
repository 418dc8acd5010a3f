import type { Transfer } from './transfer';

/**
 * Pending transfers ordered by expiry (then by creation, so the order of expiry events is deterministic).
 * Entries are never removed early: an entry whose transfer is no longer pending (posted, voided, rolled back)
 * is skipped when it reaches the top. Its size is bounded by the transfers reserved within the longest timeout.
 */
export class ExpiryHeap {
  private readonly items: Transfer[] = [];

  get size(): number {
    return this.items.length;
  }

  push(transfer: Transfer): void {
    const items = this.items;
    items.push(transfer);
    let index = items.length - 1;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as Transfer;
      if (!earlier(transfer, parent)) break;
      items[index] = parent;
      index = parentIndex;
    }
    items[index] = transfer;
  }

  /** Keeps only the entries `live` accepts and restores the heap order: O(n), for occasional clean-ups. */
  retain(live: (transfer: Transfer) => boolean): void {
    const kept = this.items.filter(live);
    this.items.length = 0;
    for (const transfer of kept) this.push(transfer);
  }

  peek(): Transfer | undefined {
    return this.items[0];
  }

  pop(): Transfer | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let index = 0;
    const length = items.length;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && earlier(items[right] as Transfer, items[left] as Transfer)) child = right;
      const childItem = items[child] as Transfer;
      if (!earlier(childItem, last)) break;
      items[index] = childItem;
      index = child;
    }
    items[index] = last;
    return top;
  }
}

function earlier(a: Transfer, b: Transfer): boolean {
  const aExpiry = a.expiresAtMs as number;
  const bExpiry = b.expiresAtMs as number;
  return aExpiry < bExpiry || (aExpiry === bExpiry && a.createdAtEvent < b.createdAtEvent);
}
