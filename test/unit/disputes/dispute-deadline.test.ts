import { parseHolidays, parseResponseWindow, respondByAfter } from '../../../core/disputes/dispute-deadline';

// Asia/Karachi is UTC+05:00: the end of a Karachi day is 18:59:59.999 UTC.
describe('business-day deadlines in Asia/Karachi', () => {
  const fiveDays = parseResponseWindow('5bd', 'HISAAB_ODR_RESPOND_WITHIN');
  const oneDay = parseResponseWindow('1bd', 'HISAAB_ODR_DNC_RESPOND_WITHIN');

  it('counts five business days from a Wednesday across the weekend, to the end of the next Wednesday', () => {
    // Wednesday 2026-03-04 10:00 in Karachi.
    expect(respondByAfter(new Date('2026-03-04T05:00:00Z'), fiveDays, []).toISOString()).toBe('2026-03-11T18:59:59.999Z');
  });

  it('takes a claim opened on Friday with 1bd to the end of Monday', () => {
    expect(respondByAfter(new Date('2026-03-06T10:00:00Z'), oneDay, []).toISOString()).toBe('2026-03-09T18:59:59.999Z');
  });

  it('skips a holiday on the Monday after a weekend', () => {
    // 2026-03-23 (Pakistan Day) is a Monday.
    expect(respondByAfter(new Date('2026-03-20T10:00:00Z'), oneDay, ['2026-03-23']).toISOString()).toBe('2026-03-24T18:59:59.999Z');
  });

  it('counts the day by Karachi time: 20:00 UTC on Friday is already Saturday in Karachi', () => {
    expect(respondByAfter(new Date('2026-03-06T20:00:00Z'), oneDay, []).toISOString()).toBe('2026-03-09T18:59:59.999Z');
    // 18:00 UTC on Thursday is 23:00 Thursday in Karachi: the next business day is Friday.
    expect(respondByAfter(new Date('2026-03-05T18:00:00Z'), oneDay, []).toISOString()).toBe('2026-03-06T18:59:59.999Z');
  });

  it('five business days across a weekend and two holidays', () => {
    const holidays = parseHolidays('2026-03-23, 2026-03-24', 'HISAAB_HOLIDAYS');
    // Friday 2026-03-20 → Mon 23 (holiday), Tue 24 (holiday), Wed 25, Thu 26, Fri 27, Mon 30, Tue 31.
    expect(respondByAfter(new Date('2026-03-20T06:00:00Z'), fiveDays, holidays).toISOString()).toBe('2026-03-31T18:59:59.999Z');
  });

  it('adds an ISO-8601 duration as wall-clock time', () => {
    expect(respondByAfter(new Date('2026-03-06T10:00:00Z'), parseResponseWindow('PT30S', 'X'), []).toISOString()).toBe(
      '2026-03-06T10:00:30.000Z',
    );
    expect(respondByAfter(new Date('2026-03-06T10:00:00Z'), parseResponseWindow('P1DT2H', 'X'), []).toISOString()).toBe(
      '2026-03-07T12:00:00.000Z',
    );
  });

  it.each(['', '0bd', '61bd', 'P', 'PT', 'PT0S', '5 days', 'P100D', 'bd'])(
    'refuses the window %j with a sentence naming the variable',
    (text) => {
      expect(() => parseResponseWindow(text, 'HISAAB_ODR_RESPOND_WITHIN')).toThrow(/HISAAB_ODR_RESPOND_WITHIN/);
    },
  );

  it('refuses holidays that are not calendar dates', () => {
    expect(() => parseHolidays('2026-02-30', 'HISAAB_HOLIDAYS')).toThrow(/HISAAB_HOLIDAYS/);
    expect(() => parseHolidays('23/03/2026', 'HISAAB_HOLIDAYS')).toThrow(/HISAAB_HOLIDAYS/);
    expect(parseHolidays('', 'HISAAB_HOLIDAYS')).toEqual([]);
  });
});
