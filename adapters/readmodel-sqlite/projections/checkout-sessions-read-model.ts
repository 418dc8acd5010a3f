import type Database from 'better-sqlite3';
import type { OpenSessionReader } from '../../../core/gateway/open-session-reader';

/** OpenSessionReader over the checkout-sessions projection. */
export class SqliteOpenSessionReader implements OpenSessionReader {
  private readonly expiredOpen: Database.Statement;

  constructor(database: Database.Database) {
    this.expiredOpen = database.prepare(
      `SELECT session_id FROM checkout_sessions WHERE status = 'OPEN' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
    );
  }

  listExpiredOpen(nowIso: string, limit: number): string[] {
    return (this.expiredOpen.all(nowIso, limit) as { session_id: string }[]).map((row) => row.session_id);
  }
}
