import { PendingTransfers } from '../../../core/ledger/pending-transfers';
import type { UserDataJson } from '../../../core/ledger/events';

/** Holds a pending transfer of `amountLow` minor units from account 0 to account 1, expiring at `expiresAtMs`. */
function hold(table: PendingTransfers, id: string, expiresAtMs: number, createdAtFact: number, amountLow = 100): number {
  return table.add(id, 0, 1, amountLow, 0, 'P2P', 60_000, expiresAtMs, createdAtFact, null);
}

/** The ids in the order they expire, emptying the table as `decideExpiry` and `evolve` would. */
function drainInExpiryOrder(table: PendingTransfers): string[] {
  const ids: string[] = [];
  for (let slot = table.firstExpiry(); slot !== -1; slot = table.firstExpiry()) {
    ids.push(table.idOf(slot));
    table.remove(slot);
  }
  return ids;
}

describe('PendingTransfers', () => {
  it('given a pending transfer added, when it is looked up by id, then every field reads back as added', () => {
    // given
    const table = new PendingTransfers(16, 1);
    const userData: UserDataJson = { purpose: 'P2M' };
    const slot = table.add('p-1', 3, 7, 0xfffffff0, 0x7fffffff, 'REFUND', 30_000, 1_700_000_030_000, 42, userData);
    // when
    const found = table.find('p-1');
    // then
    expect(found).toBe(slot);
    expect(table.count).toBe(1);
    expect([table.idOf(found), table.debitIndexOf(found), table.creditIndexOf(found)]).toEqual(['p-1', 3, 7]);
    expect([table.amountLowOf(found), table.amountHighOf(found)]).toEqual([0xfffffff0, 0x7fffffff]);
    expect(table.amountMinorOf(found)).toBe((0x7fffffffn << 32n) | 0xfffffff0n);
    expect([table.codeOf(found), table.timeoutMsOf(found), table.expiresAtMsOf(found)]).toEqual(['REFUND', 30_000, 1_700_000_030_000]);
    expect([table.createdAtFactOf(found), table.userDataOf(found)]).toEqual([42, userData]);
    expect(table.find('p-2')).toBe(-1);
  });

  it('given a pending transfer saved and let go, when it is restored, then it reads back whole and expires in its place', () => {
    // given
    const table = new PendingTransfers(16, 3);
    const userData: UserDataJson = { purpose: 'P2M' };
    hold(table, 'early', 1_000, 1);
    const slot = table.add('middle', 4, 5, 0xfffffff0, 9, 'REFUND', 30_000, 2_000, 2, userData);
    hold(table, 'late', 3_000, 3);
    const saved = table.saved(slot);
    table.remove(slot);
    // when
    const restored = table.restore('middle', saved);
    // then
    expect(table.find('middle')).toBe(restored);
    expect(table.saved(restored)).toEqual({
      debitIndex: 4,
      creditIndex: 5,
      amountLow: 0xfffffff0,
      amountHigh: 9,
      code: 'REFUND',
      timeoutMs: 30_000,
      expiresAtMs: 2_000,
      createdAtFact: 2,
      userData,
    });
    expect(drainInExpiryOrder(table)).toEqual(['early', 'middle', 'late']);
  });

  it('given pending transfers, when one is removed, then it is not found and the others still are', () => {
    // given: enough ids that probe chains form in a small index, so removal must shift them back
    const table = new PendingTransfers(64, 2);
    for (let index = 0; index < 50; index += 1) hold(table, `id-${index}`, 1_000 + index, index);
    // when
    for (let index = 0; index < 50; index += 3) table.remove(table.find(`id-${index}`));
    // then
    const wrong: number[] = [];
    for (let index = 0; index < 50; index += 1) {
      const slot = table.find(`id-${index}`);
      const removed = index % 3 === 0;
      if (removed ? slot !== -1 : slot === -1 || table.idOf(slot) !== `id-${index}`) wrong.push(index);
    }
    expect(wrong).toEqual([]);
    expect(table.count).toBe(33);
  });

  it('given transfers added out of order, when they expire, then they come out by expiry, then by creating fact', () => {
    // given
    const table = new PendingTransfers(16, 3);
    const expiries = [50, 10, 30, 10, 70, 20, 60, 40];
    expiries.forEach((expiresAtMs, index) => hold(table, `t${index}`, expiresAtMs, index));
    // when one leaves early (posted or voided)
    table.remove(table.find('t2'));
    // then
    expect(drainInExpiryOrder(table)).toEqual(['t1', 't3', 't5', 't7', 't0', 't6', 't4']);
  });

  it('given many transfers added and removed at random places, when drained, then the expiry order holds', () => {
    // given: a deterministic shuffle of expiries, and a third of the transfers removed from the middle of the heap
    const table = new PendingTransfers(4096, 4);
    const expiresAt = (index: number): number => (index * 7919) % 1000;
    for (let index = 0; index < 3000; index += 1) hold(table, `x${index}`, expiresAt(index), index);
    for (let index = 0; index < 3000; index += 3) table.remove(table.find(`x${index}`));
    // when
    const drained = drainInExpiryOrder(table);
    // then
    const expected = Array.from({ length: 3000 }, (_, index) => index)
      .filter((index) => index % 3 !== 0)
      .sort((a, b) => expiresAt(a) - expiresAt(b) || a - b)
      .map((index) => `x${index}`);
    expect(drained).toEqual(expected);
  });

  it('given a full table, when one more is added, then it refuses: its capacity is a hard limit', () => {
    // given
    const table = new PendingTransfers(3, 5);
    hold(table, 'a', 1, 0);
    hold(table, 'b', 2, 1);
    hold(table, 'c', 3, 2);
    // when, then
    expect(() => hold(table, 'd', 4, 3)).toThrow('at most 3 pending transfers');
    // and once one is released there is room again
    table.remove(table.find('b'));
    expect(() => hold(table, 'd', 4, 3)).not.toThrow();
  });

  it('given an id already held, when it is added again, then it refuses: a pending id is held once', () => {
    const table = new PendingTransfers(8, 6);
    hold(table, 'twice', 1, 0);
    expect(() => hold(table, 'twice', 2, 1)).toThrow('is held once');
  });

  it('given freed slots, when transfers are added again, then the freed slots are reused before new ones', () => {
    // given
    const table = new PendingTransfers(2048, 7);
    const first = Array.from({ length: 1000 }, (_, index) => hold(table, `f${index}`, index, index));
    for (let index = 0; index < 1000; index += 1) table.remove(first[index] as number);
    // when
    const second = Array.from({ length: 1000 }, (_, index) => hold(table, `s${index}`, index, 1000 + index));
    // then
    expect(new Set(second)).toEqual(new Set(first));
    expect(table.slotsEverUsed).toBe(1000);
    // and a removed slot's references are dropped, so the strings it held can be collected
    expect(table.find('f0')).toBe(-1);
  });

  it('given more transfers than its first columns hold, when it grows, then every transfer and the expiry order survive', () => {
    // given: many times the slots it starts with
    const table = new PendingTransfers(10_000, 8);
    for (let index = 0; index < 5000; index += 1) hold(table, `g${index}`, 10_000 - index, index, index);
    // when, then
    const lost: number[] = [];
    for (let index = 0; index < 5000; index += 1) {
      const slot = table.find(`g${index}`);
      if (slot === -1 || table.amountLowOf(slot) !== index) lost.push(index);
    }
    expect(lost).toEqual([]);
    expect(table.idOf(table.firstExpiry())).toBe('g4999');
  });

  it('refuses a table it cannot hold', () => {
    expect(() => new PendingTransfers(0)).toThrow('at least one');
    expect(() => new PendingTransfers(2 ** 28 + 1)).toThrow('at most 2^28');
  });

  it('refuses to remove a slot that holds nothing: a programmer error, not bad input', () => {
    const table = new PendingTransfers(8, 9);
    const slot = hold(table, 'once', 1, 0);
    table.remove(slot);
    expect(() => table.remove(slot)).toThrow('holds a transfer');
  });
});
