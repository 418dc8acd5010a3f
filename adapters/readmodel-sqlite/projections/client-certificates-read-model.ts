import type Database from 'better-sqlite3';
import {
  clientCertificatesMax,
  type ClientCertificateBinding,
  type ClientCertificateReader,
} from '../../../core/participants/client-certificate';

type BindingRow = { fingerprint256: string; subject: string | null; not_after: string | null; registered_at: string };

/** ClientCertificateReader over the client-certificates projection. The table must exist: run the projection's setup first. */
export class SqliteClientCertificateReader implements ClientCertificateReader {
  private readonly bound: Database.Statement;
  private readonly list: Database.Statement;

  constructor(database: Database.Database) {
    this.bound = database.prepare('SELECT 1 FROM participant_client_certificates WHERE participant_id = ? AND fingerprint256 = ?');
    this.list = database.prepare(
      `SELECT fingerprint256, subject, not_after, registered_at FROM participant_client_certificates
       WHERE participant_id = ? ORDER BY position LIMIT ${clientCertificatesMax}`,
    );
  }

  isBound(participantId: string, fingerprint256: string): boolean {
    return this.bound.get(participantId, fingerprint256) !== undefined;
  }

  listClientCertificates(participantId: string): ClientCertificateBinding[] {
    return (this.list.all(participantId) as BindingRow[]).map((row) => ({
      fingerprint256: row.fingerprint256,
      subject: row.subject,
      notAfter: row.not_after,
      registeredAt: row.registered_at,
    }));
  }
}
