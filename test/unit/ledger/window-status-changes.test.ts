import { WindowStatusChanges } from '../../../core/ledger/window-status-changes';

describe('WindowStatusChanges', () => {
  it('given changes past one chunk, when read back, then each place and created event is as added, in order', () => {
    // given: 70,000 changes, past the 65,536 of the first chunk
    const changes = new WindowStatusChanges(100_000);
    for (let change = 0; change < 70_000; change += 1) changes.add(change * 3, 0xfffffff0 - change);
    // when, then
    const wrong: number[] = [];
    for (let change = 0; change < 70_000; change += 1)
      if (changes.placeAt(change) !== change * 3 || changes.createdAt(change) !== 0xfffffff0 - change) wrong.push(change);
    expect(wrong).toEqual([]);
    expect([changes.count, changes.lost]).toEqual([70_000, false]);
  });

  it('given more changes than it keeps, when one more comes, then it says they were lost until cleared', () => {
    const changes = new WindowStatusChanges(2);
    changes.add(1, 1);
    changes.add(2, 2);
    changes.add(3, 3);
    expect([changes.count, changes.lost]).toEqual([2, true]);
    changes.clear();
    expect([changes.count, changes.lost]).toEqual([0, false]);
    // Cleared, it takes changes again into the chunks it kept.
    changes.add(4, 4);
    expect([changes.placeAt(0), changes.createdAt(0)]).toEqual([4, 4]);
  });
});
