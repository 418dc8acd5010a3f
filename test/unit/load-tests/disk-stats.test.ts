import { diskIntervals, diskReadingOf, readDisks } from '../../../load-tests/disk-stats';

const before = [
  ' 254       0 vda 1020466 26816 24942914 258568 37279697 739491 1168534784 30195267 0 1121788 30675536 332268 128 73904992 31457 3258906 190243',
  ' 254       1 vda1 1020000 26816 24942000 258000 37279000 739491 1168534000 30195000 0 1121000 30675000 332268 128 73904992 31457 0 0',
  '   7       0 loop0 100 0 200 5 0 0 0 0 0 1 5 0 0 0 0 0 0',
].join('\n');
const after = [
  ' 254       0 vda 1020466 26816 24942914 258568 37280697 739491 1168544784 30197267 0 1121788 30675536 332268 128 73904992 31457 3259406 190443',
  ' 254       1 vda1 1020000 26816 24942000 258000 37280000 739491 1168544000 30197000 0 1121000 30675000 332268 128 73904992 31457 0 0',
].join('\n');

it('sums whole disks only, leaving out partitions and loop devices', () => {
  expect(diskReadingOf(before, 0)).toEqual({
    atSeconds: 0,
    writesCompleted: 37_279_697,
    writingMs: 30_195_267,
    flushesCompleted: 3_258_906,
    flushingMs: 190_243,
  });
});

it('gives writes a second and the mean write and flush time between readings', () => {
  expect(diskIntervals([diskReadingOf(before, 0), diskReadingOf(after, 10)])).toEqual([
    { atSeconds: 10, writesPerSecond: 100, writeMeanMs: 2, flushMeanMs: 0.4 },
  ]);
});

it('reads this machine where Linux counts its disks', () => {
  const reading = readDisks(0);
  if (process.platform === 'linux') expect(reading).toMatchObject({ atSeconds: 0, writesCompleted: expect.any(Number) as unknown });
  else expect(reading).toBeNull();
});
