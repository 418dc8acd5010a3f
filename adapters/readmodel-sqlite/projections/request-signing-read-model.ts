import type Database from 'better-sqlite3';
import { assert } from '../../../core/assert';
import type { RequestSigningReader } from '../../../core/auth/request-signing-reader';
import {
  signingKeysListedMax,
  type PublicJwk,
  type RegisteredSigningKey,
  type RequestSigningAlgorithm,
} from '../../../core/auth/request-signing-key';
import type { StoredSwitchSigningKey, SwitchSigningKeyReader } from '../../../core/secrets/switch-signing-keys';
import { ReferenceDataCache } from '../reference-data-cache';

type KeyRow = { kid: string; alg: string; public_key: string; created_at: string; revoked_at: string | null };
type SwitchKeyRow = { kid: string; public_key: string; sealed_private_key: string; created_at: string };

/** Both readers over the request-signing projection. Tables must exist: run the projections' setup first. */
export class SqliteRequestSigningReader implements RequestSigningReader, SwitchSigningKeyReader {
  private readonly required: Database.Statement;
  private readonly activeKey: Database.Statement;
  private readonly keys: Database.Statement;
  private readonly switchKeys: Database.Statement;
  /**
   * Asked for by every participant's write (must it sign?) and every message the switch signs: kept until a
   * projection of reference data writes (a rotation, a participant told to sign).
   */
  private readonly signingRequired: ReferenceDataCache<boolean>;
  private readonly currentSwitchKeys: ReferenceDataCache<StoredSwitchSigningKey[]>;

  constructor(database: Database.Database) {
    this.required = database.prepare('SELECT required FROM participant_signed_requests WHERE participant_id = ?');
    this.activeKey = database.prepare(
      'SELECT * FROM participant_request_signing_keys WHERE participant_id = ? AND kid = ? AND revoked_at IS NULL',
    );
    this.keys = database.prepare(
      `SELECT * FROM participant_request_signing_keys WHERE participant_id = ?
       ORDER BY revoked_at IS NOT NULL, COALESCE(revoked_at, created_at) DESC, kid LIMIT ?`,
    );
    this.switchKeys = database.prepare('SELECT * FROM switch_signing_keys ORDER BY position DESC LIMIT ?');
    this.signingRequired = new ReferenceDataCache(database);
    this.currentSwitchKeys = new ReferenceDataCache(database);
  }

  signedRequestsRequired(participantId: string): boolean {
    return this.signingRequired.get(participantId, () => this.readSignedRequestsRequired(participantId));
  }

  private readSignedRequestsRequired(participantId: string): boolean {
    const row = this.required.get(participantId) as { required: bigint | number } | undefined;
    return row !== undefined && Number(row.required) === 1;
  }

  findActiveSigningKey(participantId: string, kid: string): RegisteredSigningKey | null {
    const row = this.activeKey.get(participantId, kid) as KeyRow | undefined;
    return row === undefined ? null : toKey(row);
  }

  listSigningKeys(participantId: string): RegisteredSigningKey[] {
    return (this.keys.all(participantId, signingKeysListedMax) as KeyRow[]).map(toKey);
  }

  switchSigningKeys(limit: number): StoredSwitchSigningKey[] {
    assert(Number.isSafeInteger(limit) && limit >= 1 && limit <= 100, 'ask for 1 to 100 switch signing keys');
    return this.currentSwitchKeys.get(String(limit), () => this.readSwitchSigningKeys(limit));
  }

  private readSwitchSigningKeys(limit: number): StoredSwitchSigningKey[] {
    return (this.switchKeys.all(limit) as SwitchKeyRow[]).map((row) => ({
      kid: row.kid,
      publicKey: JSON.parse(row.public_key) as PublicJwk,
      sealedPrivateKey: row.sealed_private_key,
      createdAt: row.created_at,
    }));
  }
}

function toKey(row: KeyRow): RegisteredSigningKey {
  return {
    kid: row.kid,
    alg: row.alg as RequestSigningAlgorithm,
    publicKey: JSON.parse(row.public_key) as PublicJwk,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
