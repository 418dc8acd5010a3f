import { assert } from '../../core/assert';

/** A set that forgets its oldest members beyond a bound: memory for hints that may be lost without harm. */
export class RecentSet {
  private readonly members = new Set<string>();

  constructor(private readonly sizeMax: number) {
    assert(Number.isSafeInteger(sizeMax) && sizeMax >= 1, 'a recent set holds at least one member');
  }

  has(member: string): boolean {
    return this.members.has(member);
  }

  add(member: string): void {
    this.members.delete(member);
    this.members.add(member);
    while (this.members.size > this.sizeMax) {
      const oldest = this.members.values().next();
      if (oldest.done === true) return;
      this.members.delete(oldest.value);
    }
  }

  delete(member: string): void {
    this.members.delete(member);
  }
}
