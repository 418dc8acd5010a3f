/**
 * The operator may give a participant its own request rate (issue 15, item 3), in requests per second per key and
 * route class, instead of the switch's default (HISAAB_RATE_LIMIT_PER_KEY). Whole numbers only: a rate is a count.
 */
export const participantRateLimitPerSecondMin = 1;
/** Far above what one switch process serves: the bound is there so that a typo cannot overflow the arithmetic. */
export const participantRateLimitPerSecondMax = 1_000_000;

/** Read side of the overrides (adapters/readmodel-sqlite/projections/participant-rate-limits-*.ts). */
export interface ParticipantRateLimitReader {
  /** The participant's own rate, or null when it has none and the default applies. */
  rateLimitPerSecondOf(participantId: string): number | null;
}
