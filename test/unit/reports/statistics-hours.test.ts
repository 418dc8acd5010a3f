import { hourOf, summaryHourRange } from '../../../core/reports/statistics-hours';

describe('summary hours', () => {
  it('buckets an instant into its UTC hour', () => {
    expect(hourOf('2026-11-28T10:59:59.999Z')).toBe('2026-11-28T10:00:00.000Z');
    expect(hourOf('2026-11-28T15:30:00+05:00')).toBe('2026-11-28T10:00:00.000Z');
  });

  it('covers the last 24 whole hours by default, including the current one', () => {
    const range = summaryHourRange(null, null, new Date('2026-11-28T10:30:00Z'));
    expect(range).toMatchObject({ fromHour: '2026-11-27T11:00:00.000Z', toHour: '2026-11-28T11:00:00.000Z' });
    expect(range.hours).toHaveLength(24);
    expect(range.hours[23]).toBe('2026-11-28T10:00:00.000Z');
  });

  it('refuses a range that is backwards, too long or not an instant', () => {
    const now = new Date('2026-11-28T10:30:00Z');
    expect(summaryHourRange('2026-11-28T08:15:00Z', '2026-11-28T10:05:00Z', now)).toMatchObject({
      fromHour: '2026-11-28T08:00:00.000Z',
      toHour: '2026-11-28T11:00:00.000Z',
    });
    expect(() => summaryHourRange('2026-11-28T10:00:00Z', '2026-11-28T09:00:00Z', now)).toThrow('must be after from');
    expect(() => summaryHourRange('2026-01-01T00:00:00Z', '2026-03-01T00:00:00Z', now)).toThrow('at most 744 hours');
    expect(() => summaryHourRange('yesterday', null, now)).toThrow('ISO-8601');
  });
});
