import { TokenBuckets } from '../../../api/rate-limit/token-buckets';
import { routeClassOf } from '../../../api/rate-limit/route-classes';

describe('token buckets', () => {
  it('let a full bucket of twice the rate through at once, then refuse, saying when one more fits', () => {
    const buckets = new TokenBuckets(10);
    const answers = Array.from({ length: 21 }, () => buckets.take('key', 10, 0));
    expect(answers.filter((answer) => answer.allowed)).toHaveLength(20);
    const refused = answers[20];
    expect(refused).toEqual({ allowed: false, burst: 20, remaining: 0, retryAfterSeconds: 1, fullInSeconds: 2 });
    expect(answers[0]).toMatchObject({ allowed: true, remaining: 19 });
  });

  it('refill at the rate as time passes, never beyond the burst', () => {
    const buckets = new TokenBuckets(10);
    for (let index = 0; index < 20; index += 1) buckets.take('key', 10, 0);
    expect(buckets.take('key', 10, 50).allowed).toBe(false);
    expect(buckets.take('key', 10, 100).allowed).toBe(true);
    expect(buckets.take('key', 10, 60_000)).toMatchObject({ allowed: true, remaining: 19 });
  });

  it('keep one bucket per key', () => {
    const buckets = new TokenBuckets(10);
    for (let index = 0; index < 2; index += 1) buckets.take('a', 1, 0);
    expect(buckets.take('a', 1, 0).allowed).toBe(false);
    expect(buckets.take('b', 1, 0).allowed).toBe(true);
  });

  it('take a new rate from the next request on, keeping the tokens left', () => {
    const buckets = new TokenBuckets(10);
    for (let index = 0; index < 20; index += 1) buckets.take('key', 10, 0);
    expect(buckets.take('key', 1, 0)).toMatchObject({ allowed: false, burst: 2 });
    expect(buckets.take('key', 1, 1_000)).toMatchObject({ allowed: true, burst: 2 });
  });

  it('hold at most their cap, dropping the least recently used: memory stays bounded whatever the flood', () => {
    const buckets = new TokenBuckets(3);
    for (let index = 0; index < 2; index += 1) buckets.take('old', 1, 0);
    buckets.take('kept', 1, 0);
    buckets.take('old', 1, 0);
    for (let index = 0; index < 1_000; index += 1) buckets.take(`flood-${index}`, 1, 0);
    expect(buckets.size).toBe(3);
    // The dropped bucket comes back full: as if its client had been quiet.
    expect(buckets.take('old', 1, 0)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('drop refilled buckets first when full, keeping the state of a client still over its rate', () => {
    const buckets = new TokenBuckets(4);
    for (const quiet of ['q1', 'q2', 'q3']) buckets.take(quiet, 1, 0);
    for (let index = 0; index < 3; index += 1) buckets.take('busy', 1, 10_000);
    // The table is full; the quiet ones have refilled long since, the busy one is empty.
    expect(buckets.take('new', 1, 10_000).allowed).toBe(true);
    expect(buckets.size).toBe(2);
    expect(buckets.take('busy', 1, 10_000).allowed).toBe(false);
  });

  it('refuse a rate out of bounds: a programmer error', () => {
    const buckets = new TokenBuckets(1);
    expect(() => buckets.take('key', 0, 0)).toThrow();
    expect(() => buckets.take('key', Number.NaN, 0)).toThrow();
    expect(() => new TokenBuckets(0)).toThrow();
  });
});

describe('route classes', () => {
  it.each([
    ['POST', '/v1/transfers', 'money'],
    ['POST', '/v1/transfers/batch', 'money'],
    ['POST', '/v1/refunds', 'money'],
    ['POST', '/v1/participants/MARGALLA/funds', 'money'],
    ['POST', '/v1/aliases', 'write'],
    ['PATCH', '/v1/participants/MARGALLA', 'write'],
    ['DELETE', '/v1/keys/abc', 'write'],
    ['GET', '/v1/transfers', 'read'],
    ['GET', '/v1/transfers/abc', 'read'],
    ['HEAD', '/v1/participants', 'read'],
  ])('%s %s is a %s', (method, path, routeClass) => expect(routeClassOf(method, path)).toBe(routeClass));
});
