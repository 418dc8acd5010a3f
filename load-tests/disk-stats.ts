import { readFileSync } from 'node:fs';

/**
 * The machine's whole disks as /proc/diskstats counts them (Linux): writes and flushes completed and the
 * milliseconds spent on each, summed over the disks. Between two readings they give the mean time a write and a
 * flush took, which is what a durable commit waits for: a soak records them beside the switch's commit time, so that
 * a commit that grows slower can be laid at the disk or not.
 */
export type DiskReading = {
  atSeconds: number;
  writesCompleted: number;
  writingMs: number;
  flushesCompleted: number;
  flushingMs: number;
};

/**
 * Whole disks, not their partitions, loop devices or RAM disks: sda, vda, xvda, hda, nvme0n1, mmcblk0. Device-mapper
 * and RAID devices (dm-*, md*) are left out because their writes reach a whole disk too, and would be counted twice.
 */
const wholeDiskName = /^(?:[shv]d[a-z]+|xvd[a-z]+|nvme\d+n\d+|mmcblk\d+)$/;

/**
 * Sums the whole disks' counters of a /proc/diskstats text. Fields after the device's name, 1-based as the kernel
 * documents them: 5 writes completed, 8 ms writing, 16 flushes completed, 17 ms flushing (kernels before 5.5 have
 * no flush fields: they count as 0).
 */
export function diskReadingOf(text: string, atSeconds: number): DiskReading {
  const reading: DiskReading = { atSeconds, writesCompleted: 0, writingMs: 0, flushesCompleted: 0, flushingMs: 0 };
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields[2];
    if (name === undefined || !wholeDiskName.test(name)) continue;
    const field = (position: number) => Number(fields[position + 2] ?? 0) || 0;
    reading.writesCompleted += field(5);
    reading.writingMs += field(8);
    reading.flushesCompleted += field(16);
    reading.flushingMs += field(17);
  }
  return reading;
}

/** A reading of this machine's disks now, or null where there is no /proc/diskstats (not Linux). */
export function readDisks(atSeconds: number): DiskReading | null {
  try {
    return diskReadingOf(readFileSync('/proc/diskstats', 'utf8'), atSeconds);
  } catch {
    return null;
  }
}

export type DiskInterval = { atSeconds: number; writesPerSecond: number; writeMeanMs: number | null; flushMeanMs: number | null };

/** Between each reading and the one before it: writes a second and the mean write and flush time (null: none). */
export function diskIntervals(readings: readonly DiskReading[]): DiskInterval[] {
  return readings.slice(1).map((reading, index) => {
    const before = readings[index] as DiskReading;
    const writes = reading.writesCompleted - before.writesCompleted;
    const flushes = reading.flushesCompleted - before.flushesCompleted;
    const seconds = reading.atSeconds - before.atSeconds;
    const mean = (milliseconds: number, count: number) => (count > 0 ? Math.round((milliseconds / count) * 1000) / 1000 : null);
    return {
      atSeconds: reading.atSeconds,
      writesPerSecond: seconds > 0 ? Math.round(writes / seconds) : 0,
      writeMeanMs: mean(reading.writingMs - before.writingMs, writes),
      flushMeanMs: mean(reading.flushingMs - before.flushingMs, flushes),
    };
  });
}
