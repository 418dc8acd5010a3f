import { assert } from './assert';

/**
 * Values remembered by key, at most `entriesMax` of them: when it is full, remembering one more starts it again
 * empty. It is for values that are costly to work out and come back often (opened secrets, imported keys, keyed
 * hashes, loaded records): the busy ones are worked out again at once and remembered anew, with no bookkeeping per
 * entry on the hot path. A value must stay right for its key while it is remembered, or its holder must forget it.
 */
export class BoundedMemory<Key, Value> {
  private readonly entries = new Map<Key, Value>();

  constructor(readonly entriesMax: number) {
    assert(Number.isSafeInteger(entriesMax) && entriesMax >= 1, 'a bounded memory holds at least one entry');
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: Key): boolean {
    return this.entries.has(key);
  }

  get(key: Key): Value | undefined {
    return this.entries.get(key);
  }

  remember(key: Key, value: Value): void {
    if (this.entries.size >= this.entriesMax && !this.entries.has(key)) this.entries.clear();
    this.entries.set(key, value);
  }

  forget(key: Key): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
