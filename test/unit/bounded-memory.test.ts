import { BoundedMemory } from '../../core/bounded-memory';

describe('BoundedMemory', () => {
  it('remembers values by key, and starts again empty when one more would pass its bound', () => {
    const memory = new BoundedMemory<string, number>(3);
    memory.remember('a', 1);
    memory.remember('b', 2);
    memory.remember('c', 3);
    expect([memory.get('a'), memory.get('b'), memory.get('c'), memory.size]).toEqual([1, 2, 3, 3]);
    // Remembering a key it holds again is no growth: nothing is forgotten.
    memory.remember('c', 30);
    expect([memory.get('a'), memory.get('c'), memory.size]).toEqual([1, 30, 3]);
    memory.remember('d', 4);
    expect([memory.has('a'), memory.has('b'), memory.has('c'), memory.get('d'), memory.size]).toEqual([false, false, false, 4, 1]);
  });

  it('forgets one key or everything when asked', () => {
    const memory = new BoundedMemory<string, string>(10);
    memory.remember('x', 'one');
    memory.remember('y', 'two');
    memory.forget('x');
    expect([memory.get('x'), memory.get('y')]).toEqual([undefined, 'two']);
    memory.clear();
    expect(memory.size).toBe(0);
  });

  it('refuses a bound that is not a whole number of at least one', () => {
    for (const bound of [0, -1, 1.5, Number.NaN]) expect(() => new BoundedMemory<string, string>(bound)).toThrow(/at least one entry/);
  });
});
