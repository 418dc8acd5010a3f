import type { CommandContext } from '../eventstore/decider-stream';
import type { CheckoutService } from './checkout-service';
import type { OpenSessionReader } from './open-session-reader';

export type SessionExpirySweeperOptions = {
  checkout: CheckoutService;
  reader: OpenSessionReader;
  now: () => Date;
  /** Sessions expired per sweep at most: a bound on one sweep's work. */
  sessionsPerSweepMax: number;
  onExpired?: (sessionId: string) => void;
  onError?: (sessionId: string, error: unknown) => void;
};

/**
 * Writes SessionExpired for every OPEN session past its expiry, so that the webhook module can send
 * `checkout.session.expired` (issue 11: within 5 s of the expiry; the switch sweeps every second). Reads show
 * EXPIRED from the expiry on whether or not the sweep has run; the sweep only makes it a durable fact.
 */
export class SessionExpirySweeper {
  constructor(private readonly options: SessionExpirySweeperOptions) {}

  /** One sweep; resolves with how many sessions it expired. */
  async sweep(): Promise<number> {
    const now = this.options.now();
    const due = this.options.reader.listExpiredOpen(now.toISOString(), this.options.sessionsPerSweepMax);
    let expired = 0;
    for (const sessionId of due) {
      const context: CommandContext = { now: this.options.now(), actor: 'switch:checkout-expiry', correlationId: sessionId };
      try {
        const result = await this.options.checkout.expire(sessionId, context);
        if (result.position !== null) {
          expired += 1;
          this.options.onExpired?.(sessionId);
        }
      } catch (error) {
        this.options.onError?.(sessionId, error);
      }
    }
    return expired;
  }
}
