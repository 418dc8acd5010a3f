import { SlotOrderedInserts } from '../../../core/ledger/slot-ordered-inserts';

/** Whether every value sits on the probe path from its home with no free slot between (a valid linear-probing table). */
function misplaced(index: Uint32Array, homeOf: Map<number, number>): number[] {
  const mask = index.length - 1;
  const wrong: number[] = [];
  for (const [value, home] of homeOf) {
    let slot = home;
    while (index[slot] !== value && index[slot] !== 0) slot = (slot + 1) & mask;
    if (index[slot] !== value) wrong.push(value);
  }
  return wrong;
}

describe('SlotOrderedInserts', () => {
  it('builds a valid linear-probing table, probe chains wrapping past the last slot included', () => {
    const index = new Uint32Array(8192);
    const inserts = new SlotOrderedInserts(6000);
    const homeOf = new Map<number, number>();
    // Homes crowd the last 200 slots and the first 100, so chains run over the end into the start.
    for (let value = 1; value <= 6000; value += 1) {
      const home = value % 3 === 0 ? 8192 - 1 - (value % 200) : value % 3 === 1 ? value % 100 : (value * 2_654_435_761) % 8192;
      homeOf.set(value, home);
      expect(inserts.add(home, value)).toBe(value === 6000);
    }
    inserts.insertInto(index);
    expect(inserts.count).toBe(0);
    expect(index.filter((value) => value !== 0).length).toBe(6000);
    expect(misplaced(index, homeOf)).toEqual([]);
  });

  it('inserts a small batch as it came, and takes more after each batch', () => {
    const index = new Uint32Array(64);
    const inserts = new SlotOrderedInserts(10);
    const homeOf = new Map<number, number>();
    for (let value = 1; value <= 30; value += 1) {
      homeOf.set(value, 63 - (value % 4));
      if (inserts.add(63 - (value % 4), value)) inserts.insertInto(index);
    }
    expect(misplaced(index, homeOf)).toEqual([]);
    expect(() => new SlotOrderedInserts(0)).toThrow('at least one entry');
  });
});
