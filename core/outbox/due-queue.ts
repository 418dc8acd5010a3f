/** An entry of the due queue: a delivery to try at `dueAtMs`; `attempts` tells a stale entry from a current one. */
export type DueEntry = { dueAtMs: number; deliveryId: string; attempts: number };

/**
 * A binary min-heap of deliveries ordered by when they are due, so the worker finds the next due delivery in
 * O(log n) however many are pending. Entries are never updated in place: a rescheduled delivery gets a new
 * entry and the old one is recognised as stale when it surfaces.
 */
export class DueQueue {
  private readonly heap: DueEntry[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(entry: DueEntry): void {
    this.heap.push(entry);
    this.siftUp(this.heap.length - 1);
  }

  peek(): DueEntry | undefined {
    return this.heap[0];
  }

  pop(): DueEntry | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined) return undefined;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }

  private siftUp(start: number): void {
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.at(parent).dueAtMs <= this.at(index).dueAtMs) return;
      this.swap(parent, index);
      index = parent;
    }
  }

  private siftDown(start: number): void {
    let index = start;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.heap.length && this.at(left).dueAtMs < this.at(smallest).dueAtMs) smallest = left;
      if (right < this.heap.length && this.at(right).dueAtMs < this.at(smallest).dueAtMs) smallest = right;
      if (smallest === index) return;
      this.swap(smallest, index);
      index = smallest;
    }
  }

  private at(index: number): DueEntry {
    const entry = this.heap[index];
    if (entry === undefined) throw new Error(`due queue index ${index} out of range`);
    return entry;
  }

  private swap(first: number, second: number): void {
    const entry = this.at(first);
    this.heap[first] = this.at(second);
    this.heap[second] = entry;
  }
}
