import { assert } from '../../core/assert';
import { DomainError } from '../../core/errors';
import { jtiLengthMax } from '../../core/auth/request-signature';

/** Nonces waiting for their write, and how many one write takes: bounded like every queue. */
const pendingMax = 8_192;
const batchMax = 1_024;

export type PendingNonce = { participantId: string; jti: string; expiresAtSeconds: number; nowSeconds: number };
type QueuedNonce = PendingNonce & { resolve: (result: 'fresh' | 'replayed') => void; reject: (error: unknown) => void };

/**
 * The group commit both nonce registries share (the data dir's SQLite file and PostgreSQL's table): nonces that
 * arrive in one turn of the event loop are written together, one durable write for every signed request in flight
 * instead of one each. `write` records a batch in one transaction and says, in order, which nonces were new; a jti
 * twice in one batch is new only the first time.
 */
export class NonceWriteQueue {
  private readonly pending: QueuedNonce[] = [];
  private flushing = false;

  constructor(private readonly write: (batch: readonly PendingNonce[]) => Promise<readonly boolean[]> | readonly boolean[]) {}

  remember(participantId: string, jti: string, expiresAtSeconds: number, nowSeconds: number): Promise<'fresh' | 'replayed'> {
    assert(jti.length >= 1 && jti.length <= jtiLengthMax, `a jti is 1 to ${jtiLengthMax} characters`);
    assert(Number.isSafeInteger(expiresAtSeconds) && expiresAtSeconds > nowSeconds, 'a nonce is remembered until a later time');
    if (this.pending.length >= pendingMax) {
      return Promise.reject(
        new DomainError('OVERLOADED', `${pendingMax} signed requests are waiting for their nonce to be recorded; retry shortly`),
      );
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ participantId, jti, expiresAtSeconds, nowSeconds, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, batchMax);
      try {
        const fresh = await this.write(batch);
        assert(fresh.length === batch.length, 'a nonce write answers for every nonce of its batch');
        batch.forEach((entry, index) => entry.resolve(fresh[index] === true ? 'fresh' : 'replayed'));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.flushing = false;
  }
}
