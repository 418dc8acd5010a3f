import { assert, AssertionError } from '../../core/assert';

/** DE11 runs 000001 to 999999 and then wraps; 000000 is never sent. */
export const STAN_MAX = 999_999;

/**
 * Hands out system trace audit numbers in sequence, skipping any still waiting for its answer, so that two
 * requests in flight on one channel never share a STAN (responses are matched on it).
 */
export class StanAllocator {
  private next: number;

  constructor(first: number = 1) {
    assert(Number.isSafeInteger(first) && first >= 1 && first <= STAN_MAX, `a first STAN is 1 to ${STAN_MAX}`);
    this.next = first;
  }

  allocate(isInUse: (stan: string) => boolean = () => false): string {
    for (let attempt = 0; attempt < STAN_MAX; attempt++) {
      const stan = formatStan(this.next);
      this.next = this.next === STAN_MAX ? 1 : this.next + 1;
      if (!isInUse(stan)) return stan;
    }
    // Callers bound their pending requests far below the STAN space, so a free one always exists.
    throw new AssertionError('every STAN is in use');
  }
}

export function formatStan(value: number): string {
  assert(Number.isSafeInteger(value) && value >= 1 && value <= STAN_MAX, `a STAN is 1 to ${STAN_MAX}`);
  return String(value).padStart(6, '0');
}
