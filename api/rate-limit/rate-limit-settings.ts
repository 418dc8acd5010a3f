/**
 * Request rates the edge allows (issue 15, item 3), each a token bucket that holds twice its rate (api/rate-limit/).
 * Rates are for the whole switch: with front-end workers each process applies its share (api/rate-limit/rate-limiting.ts).
 */
export type RateLimitSettings = {
  /** HISAAB_RATE_LIMIT_PER_KEY: requests per second per API key and route class, unless the operator set one. */
  perKeyPerSecond: number;
  /** HISAAB_RATE_LIMIT_PAY_PAGE_PER_ADDRESS: requests per second per client address on the hosted pay pages. */
  payPagePerAddressPerSecond: number;
  /**
   * HISAAB_RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS: requests per second per client address for requests without a
   * valid key (missing, unknown, revoked, malformed): a flood of guessed keys is limited where it comes from.
   */
  unauthenticatedPerAddressPerSecond: number;
  /** Buckets kept in memory at most (all kinds together); past it the least recently used is dropped. */
  bucketsMax: number;
};

export const rateLimitSettingsDefault: RateLimitSettings = {
  perKeyPerSecond: 2_000,
  payPagePerAddressPerSecond: 50,
  unauthenticatedPerAddressPerSecond: 50,
  bucketsMax: 100_000,
};
