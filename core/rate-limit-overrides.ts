/**
 * The operator may give a participant or a merchant its own request rate (issue 15, item 3), in requests per
 * second per key and route class, instead of the switch's default (HISAAB_RATE_LIMIT_PER_KEY). Whole numbers
 * only: a rate is a count.
 */
export const rateLimitPerSecondMin = 1;
/** Far above what one switch process serves: the bound is there so that a typo cannot overflow the arithmetic. */
export const rateLimitPerSecondMax = 1_000_000;

/** Read side of the overrides (adapters/readmodel-sqlite/projections/rate-limits-*.ts); null: the default applies. */
export interface RateLimitOverrideReader {
  participantRateLimitPerSecond(participantId: string): number | null;
  merchantRateLimitPerSecond(merchantId: string): number | null;
}
