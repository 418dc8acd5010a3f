import { OccurrenceCoalescer } from '../../../core/audit/occurrence-coalescer';

const minuteMs = 60_000;
const coalescer = () => new OccurrenceCoalescer<string>(3, () => ({ kind: '(many)', sample: '(many)' }));

it('records the first occurrence of a kind in a minute and counts the rest, handing the count out once the minute ends', () => {
  const subject = coalescer();
  expect(subject.occur('10.0.0.1', 'first', 0)).toEqual({ record: 'first', finished: [] });
  for (let index = 0; index < 5; index += 1)
    expect(subject.occur('10.0.0.1', 'again', 1_000 + index)).toEqual({ record: null, finished: [] });
  expect(subject.occur('10.0.0.1', 'next minute', minuteMs)).toEqual({
    record: 'next minute',
    finished: [{ sample: 'first', repeats: 5 }],
  });
  // Handed out once: the minute after that has nothing to finish.
  expect(subject.finishMinutesBefore(2 * minuteMs)).toEqual([]);
});

it('folds a flood of distinct sources into one kind past its bound, so memory and log stay bounded', () => {
  const subject = coalescer();
  const recorded: string[] = [];
  for (let index = 0; index < 1_000; index += 1) {
    const { record } = subject.occur(`10.0.${index >> 8}.${index & 255}`, `source ${index}`, 5_000);
    if (record !== null) recorded.push(record);
  }
  expect(recorded).toEqual(['source 0', 'source 1', 'source 2', '(many)']);
  expect(subject.finishMinutesBefore(minuteMs)).toEqual([{ sample: '(many)', repeats: 996 }]);
});

it('refuses a bound below one', () => {
  expect(() => new OccurrenceCoalescer<string>(0, () => ({ kind: 'x', sample: 'x' }))).toThrow();
});
