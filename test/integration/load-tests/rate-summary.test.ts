/**
 * Reading what transfers-rate.k6.js makes k6 v1.8.1 write: a summary k6 wrote (3 s at 20/s against the bare
 * reference server, intervals of 1 s), kept beside this test, so that a change of the script's tags or of k6's
 * summary shape fails here before a 30-minute soak reports nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rateFiguresOfSummary } from '../../../load-tests/rate-summary';

const summary = JSON.parse(readFileSync(join(__dirname, 'k6-rate-summary.v1.8.1.json'), 'utf8')) as unknown;

it('reads the totals by outcome and each interval that had a request, with its accepted p99', () => {
  const figures = rateFiguresOfSummary(summary, 20, 3);
  expect(figures.accepted.count).toBe(61);
  expect(figures.shed.count).toBe(0);
  expect(figures.errors.count).toBe(0);
  expect(figures.droppedIterations).toBe(0);
  expect(figures.accepted.p99Ms).toBeGreaterThan(0);
  expect(figures.intervals.map((interval) => interval.interval)).toEqual([0, 1, 2, 3]);
  expect(figures.intervals.reduce((total, interval) => total + interval.accepted, 0)).toBe(61);
  for (const interval of figures.intervals) expect(interval.acceptedP99Ms).toBeGreaterThan(0);
});

it('refuses a summary without metrics, naming the script it expected', () => {
  expect(() => rateFiguresOfSummary({ state: {} }, 20, 3)).toThrow(/transfers-rate\.k6\.js/);
});
