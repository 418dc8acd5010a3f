import fc from 'fast-check';
import { DestinationGates } from '../../../core/outbox/destination-gates';
import { DueQueue } from '../../../core/outbox/due-queue';

describe('due queue', () => {
  it('hands entries back earliest first, whatever order they came in', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 300 }), (dueTimes) => {
        const queue = new DueQueue();
        dueTimes.forEach((dueAtMs, index) => queue.push({ dueAtMs, deliveryId: `d${index}`, attempts: 0 }));
        const popped: number[] = [];
        for (let entry = queue.pop(); entry !== undefined; entry = queue.pop()) popped.push(entry.dueAtMs);
        return queue.size === 0 && JSON.stringify(popped) === JSON.stringify([...dueTimes].sort((a, b) => a - b));
      }),
    );
  });

  it('peeks without removing and is empty after clear', () => {
    const queue = new DueQueue();
    queue.push({ dueAtMs: 5, deliveryId: 'a', attempts: 0 });
    queue.push({ dueAtMs: 2, deliveryId: 'b', attempts: 1 });
    expect(queue.peek()).toEqual({ dueAtMs: 2, deliveryId: 'b', attempts: 1 });
    expect(queue.size).toBe(2);
    queue.clear();
    expect(queue.pop()).toBeUndefined();
  });
});

describe('destination gates', () => {
  const entry = (deliveryId: string) => ({ dueAtMs: 0, deliveryId, attempts: 1 });

  it('lets everything through to a destination that has not failed', () => {
    const gates = new DestinationGates();
    expect(gates.admit('MARGALLA', entry('a'), 0)).toEqual({ decision: 'attempt' });
    expect(gates.admit('MARGALLA', entry('b'), 0)).toEqual({ decision: 'attempt' });
  });

  it('closes a failed destination until its retry time, then lets one probe while the others are parked', () => {
    const gates = new DestinationGates();
    expect(gates.failuresInARow('MARGALLA')).toBe(0);
    expect(gates.failed('MARGALLA', 1_000)).toEqual([]);
    expect(gates.failuresInARow('MARGALLA')).toBe(1);
    expect(gates.admit('MARGALLA', entry('a'), 999)).toEqual({ decision: 'wait', untilMs: 1_000 });
    expect(gates.admit('OTHER', entry('z'), 999)).toEqual({ decision: 'attempt' });
    expect(gates.admit('MARGALLA', entry('a'), 1_000)).toEqual({ decision: 'attempt' });
    expect(gates.admit('MARGALLA', entry('b'), 1_000)).toEqual({ decision: 'parked' });
    expect(gates.admit('MARGALLA', entry('c'), 1_001)).toEqual({ decision: 'parked' });
    // The probe fails again: the parked deliveries are due at the next retry time, not now.
    expect(gates.failed('MARGALLA', 5_000)).toEqual([
      { ...entry('b'), dueAtMs: 5_000 },
      { ...entry('c'), dueAtMs: 5_000 },
    ]);
    expect(gates.failuresInARow('MARGALLA')).toBe(2);
    expect(gates.admit('MARGALLA', entry('b'), 5_000)).toEqual({ decision: 'attempt' });
    expect(gates.admit('MARGALLA', entry('c'), 5_000)).toEqual({ decision: 'parked' });
    // The probe gets an answer: the parked ones go at once and the destination is open.
    expect(gates.answered('MARGALLA')).toEqual([entry('c')]);
    expect(gates.failuresInARow('MARGALLA')).toBe(0);
    expect(gates.admit('MARGALLA', entry('d'), 5_001)).toEqual({ decision: 'attempt' });
  });
});
