import type Database from 'better-sqlite3';
import type { RateLimitOverrideReader } from '../../../core/rate-limit-overrides';
import { rateLimitOwner } from './rate-limits-projection';
import { ReferenceDataCache } from '../reference-data-cache';

/**
 * The overrides, asked for by every request with a key, kept in memory until a projection of reference data writes.
 * The table must exist: run the projections' setup first.
 */
export class SqliteRateLimitOverrideReader implements RateLimitOverrideReader {
  private readonly byOwner: Database.Statement;
  private readonly cache: ReferenceDataCache<number | null>;

  constructor(database: Database.Database) {
    this.byOwner = database.prepare('SELECT rate_limit_per_second FROM rate_limits WHERE owner = ?');
    this.cache = new ReferenceDataCache(database);
  }

  participantRateLimitPerSecond(participantId: string): number | null {
    return this.read(rateLimitOwner('participant', participantId));
  }

  merchantRateLimitPerSecond(merchantId: string): number | null {
    return this.read(rateLimitOwner('merchant', merchantId));
  }

  private read(owner: string): number | null {
    return this.cache.get(owner, () => this.readOwner(owner));
  }

  private readOwner(owner: string): number | null {
    const row = this.byOwner.get(owner) as { rate_limit_per_second: bigint | number } | undefined;
    return row === undefined ? null : Number(row.rate_limit_per_second);
  }
}
