import type Database from 'better-sqlite3';
import type { ParticipantRateLimitReader } from '../../../core/participants/participant-rate-limit';

/** The overrides, one primary-key get per request. The table must exist: run the projections' setup first. */
export class SqliteParticipantRateLimitReader implements ParticipantRateLimitReader {
  private readonly byParticipant: Database.Statement;

  constructor(database: Database.Database) {
    this.byParticipant = database.prepare('SELECT rate_limit_per_second FROM participant_rate_limits WHERE participant_id = ?');
  }

  rateLimitPerSecondOf(participantId: string): number | null {
    const row = this.byParticipant.get(participantId) as { rate_limit_per_second: bigint | number } | undefined;
    return row === undefined ? null : Number(row.rate_limit_per_second);
  }
}
