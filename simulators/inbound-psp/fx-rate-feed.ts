import Decimal from 'decimal.js';

/** A dealer's rate for one currency into rupees, as it posts it: a decimal string with 4 places. */
export type PostedRate = { from: string; rate: string; validUntil: string };

/** Mid-market rupees per unit the feed starts from (late-2026-like figures; a simulator's, not a market's). */
export const baseRatesToRupees: Readonly<Record<string, string>> = { USD: '278.4500', EUR: '301.1000', GBP: '352.2000' };

/** How far a posted rate strays from its base, either way: a quarter of a percent. */
const jitterShare = new Decimal('0.0025');

/**
 * An authorised dealer's rate feed: it posts each currency's rate into rupees with its own key, valid for
 * `validForSeconds`, and posts again after `refreshMs` (less than the validity), so its rates never go stale while
 * it runs. Each posting moves the rate a little from its base (seeded), as a live feed would.
 */
export class FxRateFeed {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: {
      switchUrl: string;
      dealerKey: string;
      currencies: readonly string[];
      validForSeconds: number;
      random: () => number;
      onError?: (message: string) => void;
    },
  ) {
    if (options.validForSeconds < 10 || options.validForSeconds > 3_600) throw new Error('validForSeconds is from 10 to 3600');
    for (const currency of options.currencies) {
      if (baseRatesToRupees[currency] === undefined) throw new Error(`the rate feed has no base rate for ${currency}`);
    }
  }

  /** Four fifths of the validity: a refresh lands well before the last rate goes stale. */
  get refreshMs(): number {
    return Math.floor((this.options.validForSeconds * 1000 * 4) / 5);
  }

  /** Posts every rate now and keeps refreshing them until `stop`; resolves with the first postings. */
  async start(): Promise<PostedRate[]> {
    const posted = await this.postAll();
    this.timer = setInterval(() => {
      this.postAll().catch((error: unknown) => this.options.onError?.(error instanceof Error ? error.message : String(error)));
    }, this.refreshMs);
    // The feed alone never keeps a process alive.
    this.timer.unref();
    return posted;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  async postAll(): Promise<PostedRate[]> {
    const posted: PostedRate[] = [];
    for (const currency of this.options.currencies) posted.push(await this.post(currency));
    return posted;
  }

  private async post(from: string): Promise<PostedRate> {
    const base = new Decimal(baseRatesToRupees[from] ?? '0');
    const swing = jitterShare.times(new Decimal(this.options.random()).times(2).minus(1));
    const rate = base.times(swing.plus(1)).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4);
    const response = await fetch(new URL(`/v1/fx/rates/${from}/PKR`, this.options.switchUrl), {
      method: 'PUT',
      headers: { authorization: `Bearer ${this.options.dealerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rate, validForSeconds: this.options.validForSeconds }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`posting the ${from}/PKR rate answered ${response.status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { validUntil: string };
    return { from, rate, validUntil: body.validUntil };
  }
}
