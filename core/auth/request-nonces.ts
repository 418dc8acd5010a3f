/**
 * The `jti`s of signed requests already accepted (issue 15), so that a request captured on the wire cannot be
 * sent again. A jti needs remembering only while its request could still pass the freshness check: a request
 * whose `iat` is more than the allowed skew away from the switch clock is refused as stale anyway, so a jti is
 * forgotten once `iat + skew` has passed. That bounds the registry by the signed writes of one window, and is
 * why forgetting is safe.
 */
export interface RequestNonceRegistry {
  /**
   * Records a jti for the participant until `expiresAtSeconds` (unix seconds); `replayed` when it is recorded
   * already. A `fresh` answer is durable before it resolves: a restart does not forget it.
   */
  remember(participantId: string, jti: string, expiresAtSeconds: number, nowSeconds: number): Promise<'fresh' | 'replayed'>;
  /**
   * The registry remembers every jti accepted since this instant (unix seconds): when it was first created. A
   * request signed before it (a lost or replaced registry file) may have been accepted by the registry it
   * replaced, so it is refused as stale rather than taken on trust.
   */
  readonly rememberedSinceSeconds: number;
}
