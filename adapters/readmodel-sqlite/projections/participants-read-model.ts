import type Database from 'better-sqlite3';
import { assert } from '../../../core/assert';
import type { ParticipantReader, ParticipantRecord, StoredSigningSecret } from '../../../core/participants/participant-reader';
import { participantPageLimitMax } from '../../../core/participants/participant-reader';
import type { CreditMode, ParticipantEndpoints, ParticipantType } from '../../../core/participants/participant-profile';
import { ReferenceDataCache } from '../reference-data-cache';

type ParticipantRow = {
  id: string;
  name: string;
  participant_type: string;
  bank_code: string;
  currency: string;
  net_debit_cap_minor: bigint;
  credit_mode: string;
  endpoints: string;
  active: bigint;
  created_at: string;
  updated_at: string;
  signing_secrets: string;
  rate_limit_per_second: bigint | null;
  additional_currencies: string;
  fx_provider: bigint;
};

// The signing secrets (signing-secrets projection), newest first, as a JSON array beside each participant, and the
// operator's rate for it (rate-limits projection).
const selectColumns = `
  SELECT p.*, (
    SELECT json_group_array(json_object('secretId', s.secret_id, 'storedSecret', s.stored_secret, 'retiresAt', s.retires_at))
    FROM (SELECT * FROM participant_signing_secrets WHERE participant_id = p.id ORDER BY position DESC) s
  ) AS signing_secrets,
  (SELECT r.rate_limit_per_second FROM rate_limits r WHERE r.owner = 'participant:' || p.id) AS rate_limit_per_second, (
    SELECT json_group_array(json_object('currency', c.currency, 'netDebitCapMinor', CAST(c.net_debit_cap_minor AS TEXT)))
    FROM (SELECT * FROM participant_currencies WHERE participant_id = p.id ORDER BY currency) c
  ) AS additional_currencies,
  EXISTS (SELECT 1 FROM participant_fx_providers f WHERE f.participant_id = p.id) AS fx_provider
  FROM participants p`;

/** ParticipantReader over the participants and signing-secrets projections. Tables must exist: run the projections' setup first. */
export class SqliteParticipantReader implements ParticipantReader {
  private readonly byId: Database.Statement;
  /** By id, asked for several times by every payment: kept until a projection of reference data writes. */
  private readonly cache: ReferenceDataCache<ParticipantRecord | null>;
  private readonly byBankCode: Database.Statement;
  private readonly byInstitutionId: Database.Statement;
  private readonly firstPage: Database.Statement;
  private readonly nextPage: Database.Statement;

  constructor(database: Database.Database) {
    this.byId = database.prepare(`${selectColumns} WHERE p.id = ?`);
    this.byBankCode = database.prepare(`${selectColumns} WHERE p.bank_code = ? ORDER BY p.created_at LIMIT 1`);
    // Few participants are banks on ISO 8583, and registration is rare: a scan of the endpoints is enough.
    this.byInstitutionId = database.prepare(
      `${selectColumns} WHERE json_extract(p.endpoints, '$.institutionId') = ? ORDER BY p.created_at LIMIT 1`,
    );
    this.firstPage = database.prepare(`${selectColumns} ORDER BY p.id LIMIT ?`);
    this.nextPage = database.prepare(`${selectColumns} WHERE p.id > ? ORDER BY p.id LIMIT ?`);
    this.cache = new ReferenceDataCache(database);
  }

  findParticipant(participantId: string): ParticipantRecord | null {
    return this.cache.get(participantId, () => this.readParticipant(participantId));
  }

  private readParticipant(participantId: string): ParticipantRecord | null {
    const row = this.byId.get(participantId) as ParticipantRow | undefined;
    return row ? toRecord(row) : null;
  }

  findParticipantByBankCode(bankCode: string): ParticipantRecord | null {
    const row = this.byBankCode.get(bankCode) as ParticipantRow | undefined;
    return row ? toRecord(row) : null;
  }

  findParticipantByInstitutionId(institutionId: string): ParticipantRecord | null {
    const row = this.byInstitutionId.get(institutionId) as ParticipantRow | undefined;
    return row ? toRecord(row) : null;
  }

  listParticipants(afterId: string | null, limit: number): ParticipantRecord[] {
    assert(
      Number.isSafeInteger(limit) && limit >= 1 && limit <= participantPageLimitMax,
      `a page holds 1 to ${participantPageLimitMax} participants`,
    );
    const rows = (afterId === null ? this.firstPage.all(limit) : this.nextPage.all(afterId, limit)) as ParticipantRow[];
    return rows.map(toRecord);
  }
}

function toRecord(row: ParticipantRow): ParticipantRecord {
  return {
    id: row.id,
    name: row.name,
    type: row.participant_type as ParticipantType,
    bankCode: row.bank_code,
    currency: row.currency,
    netDebitCapMinor: row.net_debit_cap_minor,
    creditMode: row.credit_mode as CreditMode,
    endpoints: JSON.parse(row.endpoints) as ParticipantEndpoints,
    active: row.active === 1n,
    signingSecrets: JSON.parse(row.signing_secrets) as StoredSigningSecret[],
    rateLimitPerSecond: row.rate_limit_per_second === null ? null : Number(row.rate_limit_per_second),
    additionalCurrencies: (JSON.parse(row.additional_currencies) as { currency: string; netDebitCapMinor: string }[]).map((entry) => ({
      currency: entry.currency,
      netDebitCapMinor: BigInt(entry.netDebitCapMinor),
    })),
    fxProvider: row.fx_provider === 1n,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
