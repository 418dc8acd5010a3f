import { assert } from '../../core/assert';

/** What one take from a bucket tells the caller: whether to serve, and what to say in the RateLimit headers. */
export type BucketAnswer = {
  allowed: boolean;
  /** The bucket's capacity (twice the rate): how many requests a client that waited may send at once. */
  burst: number;
  /** Whole requests the bucket still holds after this one. */
  remaining: number;
  /** Seconds, rounded up, until the bucket holds one whole request again (0 while it holds one). */
  retryAfterSeconds: number;
  /** Seconds, rounded up, until the bucket is full again. */
  fullInSeconds: number;
};

type Bucket = { tokens: number; ratePerSecond: number; updatedAtMs: number };

/** A bucket holds twice its rate: a client may send two seconds' worth at once after a quiet spell. */
export const burstSeconds = 2;
/** The largest rate a bucket takes (requests per second): far beyond what one process serves. */
export const ratePerSecondMax = 1_000_000;

/**
 * Token buckets by key, refilled lazily from the injected clock: a take costs one Map lookup and a few sums, with
 * no timer per key. At most `bucketsMax` buckets are kept; when the table is full, refilled buckets are dropped,
 * then the least recently used (see `prune`), so a flood from many addresses or keys
 * cannot grow memory without bound. A dropped bucket comes back full, which is where a client that stayed quiet
 * that long would be anyway; an attacker who churns through more keys than the cap can make buckets forget, and
 * the README says so.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly bucketsMax: number) {
    assert(Number.isSafeInteger(bucketsMax) && bucketsMax >= 1, 'a bucket table holds at least one bucket');
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one request from `key`'s bucket at `ratePerSecond` (a new rate applies from now, the tokens kept). */
  take(key: string, ratePerSecond: number, nowMs: number): BucketAnswer {
    assert(Number.isFinite(ratePerSecond) && ratePerSecond > 0 && ratePerSecond <= ratePerSecondMax, 'a bucket rate is bounded');
    const burst = Math.max(1, Math.floor(ratePerSecond * burstSeconds));
    const bucket = this.touch(key, burst, ratePerSecond, nowMs);
    const elapsedMs = Math.max(0, nowMs - bucket.updatedAtMs);
    bucket.tokens = Math.min(burst, bucket.tokens + (elapsedMs * bucket.ratePerSecond) / 1000);
    bucket.ratePerSecond = ratePerSecond;
    bucket.updatedAtMs = Math.max(bucket.updatedAtMs, nowMs);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    assert(bucket.tokens >= 0 && bucket.tokens <= burst, 'a bucket holds between none and its burst');
    return {
      allowed,
      burst,
      remaining: Math.floor(bucket.tokens),
      retryAfterSeconds: bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / ratePerSecond),
      fullInSeconds: Math.ceil((burst - bucket.tokens) / ratePerSecond),
    };
  }

  /** The key's bucket, moved to the most recently used end; a new one starts full. */
  private touch(key: string, burst: number, ratePerSecond: number, nowMs: number): Bucket {
    const existing = this.buckets.get(key);
    if (existing !== undefined) {
      // A Map iterates in insertion order: deleting and setting again makes it the newest.
      this.buckets.delete(key);
      this.buckets.set(key, existing);
      return existing;
    }
    if (this.buckets.size >= this.bucketsMax) this.prune(nowMs);
    const bucket = { tokens: burst, ratePerSecond, updatedAtMs: nowMs };
    this.buckets.set(key, bucket);
    return bucket;
  }

  /**
   * Makes room in one pass, so that its cost is shared by the many new buckets that fill the room again: first
   * every bucket that has refilled (as good as absent: dropping it forgets nothing), then, if that freed too
   * little, the least recently used down to `pruneToFraction` of the cap. Dropping one bucket per new key would
   * walk the Map's deleted slots from its start each time: 15 µs a take under a flood, measured.
   */
  private prune(nowMs: number): void {
    const keep = Math.floor(this.bucketsMax * pruneToFraction);
    for (const [key, bucket] of this.buckets) {
      const burst = Math.max(1, Math.floor(bucket.ratePerSecond * burstSeconds));
      const refilled = bucket.tokens + ((nowMs - bucket.updatedAtMs) * bucket.ratePerSecond) / 1000 >= burst;
      if (refilled) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= keep) break;
      this.buckets.delete(key);
    }
    assert(this.buckets.size < this.bucketsMax, 'pruning leaves room for a new bucket');
  }
}

/** How full the table is left after pruning: 90 %, so a pass over it is paid for by a tenth of it in new keys. */
const pruneToFraction = 0.9;
