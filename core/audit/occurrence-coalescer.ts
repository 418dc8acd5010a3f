import { assert } from '../assert';

/** How many occurrences of one kind a minute saw beyond the first, which was recorded on its own. */
export type Repeats<Sample> = { sample: Sample; repeats: number };

const minuteMs = 60_000;

/**
 * Coalesces occurrences per kind per minute with bounded memory: the first occurrence of a kind in a minute is
 * recorded at once, the rest are only counted, and the counts of a minute that is over are handed out once as
 * repeats. It remembers the current minute's kinds only, at most `kindsMax` of them; past that, occurrences of new
 * kinds fold into one overflow kind, so a flood of distinct sources costs neither memory nor log beyond the bound.
 */
export class OccurrenceCoalescer<Sample> {
  private minute = Number.NEGATIVE_INFINITY;
  private readonly kinds = new Map<string, Repeats<Sample>>();

  constructor(
    private readonly kindsMax: number,
    /** The sample that stands for every kind past the bound. */
    private readonly overflow: (sample: Sample) => { kind: string; sample: Sample },
  ) {
    assert(Number.isSafeInteger(kindsMax) && kindsMax >= 1, 'a coalescer remembers at least one kind');
  }

  /**
   * Counts one occurrence at `nowMs`. Answers the sample to record now (the first of its kind this minute, or
   * null when it is only counted) and the repeats of minutes that are over, to record as well.
   */
  occur(kind: string, sample: Sample, nowMs: number): { record: Sample | null; finished: Repeats<Sample>[] } {
    const finished = this.finishMinutesBefore(nowMs);
    let key = kind;
    let recorded = sample;
    if (!this.kinds.has(key) && this.kinds.size >= this.kindsMax) {
      const folded = this.overflow(sample);
      key = folded.kind;
      recorded = folded.sample;
    }
    const known = this.kinds.get(key);
    if (known !== undefined) {
      known.repeats += 1;
      return { record: null, finished };
    }
    this.kinds.set(key, { sample: recorded, repeats: 0 });
    return { record: recorded, finished };
  }

  /** The repeats of every minute before the one of `nowMs`, handed out once. */
  finishMinutesBefore(nowMs: number): Repeats<Sample>[] {
    const minute = Math.floor(nowMs / minuteMs);
    if (minute === this.minute) return [];
    const finished = [...this.kinds.values()].filter((entry) => entry.repeats > 0);
    this.kinds.clear();
    this.minute = minute;
    return finished;
  }
}
