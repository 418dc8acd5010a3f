import Database from 'better-sqlite3';
import { participantsProjection } from '../../../adapters/readmodel-sqlite/projections/participants-projection';
import { SqliteParticipantReader } from '../../../adapters/readmodel-sqlite/projections/participants-read-model';
import { signingSecretsProjection } from '../../../adapters/readmodel-sqlite/projections/signing-secrets-projection';
import type { JsonObject, RecordedEvent } from '../../../core/eventstore/event';

const at = '2026-12-04T09:00:00.000Z';
const later = '2026-12-04T09:05:00.000Z';

function recorded(position: bigint, type: string, data: JsonObject): RecordedEvent {
  return { id: `e${position}`, stream: 'any', revision: position, position, type, data, metadata: { at } };
}

const bankEndpoints = { iso8583: '127.0.0.1:5000', institutionId: '600001', tls: { ca: 'CA-ONE' } };
const movedBank = { iso8583: '10.0.0.7:6000', institutionId: '600009', tls: { ca: 'CA-TWO' } };
const registered = recorded(1n, 'ParticipantRegistered', {
  participantId: 'INDUS',
  name: 'Indus Bank',
  participantType: 'BANK',
  bankCode: 'INDS',
  currency: 'PKR',
  netDebitCapMinor: '100000000',
  creditMode: 'REQUEST',
  endpoints: bankEndpoints,
  requestReference: null,
  at,
});
const changed = recorded(2n, 'ParticipantEndpointsChanged', {
  participantId: 'INDUS',
  endpoints: movedBank,
  previousEndpoints: bankEndpoints,
  at: later,
});

function openReadModel(): Database.Database {
  const database = new Database(':memory:');
  database.defaultSafeIntegers(true);
  participantsProjection.setup(database);
  signingSecretsProjection.setup(database);
  return database;
}

function apply(database: Database.Database, events: readonly RecordedEvent[]): void {
  database.transaction(() => {
    for (const event of events) participantsProjection.apply(event, database);
  })();
}

describe("the participants read model and a participant's changed endpoints (real SQLite)", () => {
  it('answers the new endpoints at once, though the record was cached before the change, and by the new institution id only', () => {
    const database = openReadModel();
    const reader = new SqliteParticipantReader(database);
    apply(database, [registered]);
    // Read once, so that the reader's cache holds the record as registered.
    expect(reader.findParticipant('INDUS')?.endpoints).toEqual(bankEndpoints);
    apply(database, [changed]);
    expect(reader.findParticipant('INDUS')).toMatchObject({ endpoints: movedBank, updatedAt: later, createdAt: at });
    expect(reader.findParticipantByInstitutionId('600009')?.id).toBe('INDUS');
    expect(reader.findParticipantByInstitutionId('600001')).toBeNull();
    database.close();
  });

  it('holds the same rows after a reset and a replay of the log (a rebuild)', () => {
    const database = openReadModel();
    apply(database, [registered, changed]);
    const rows = () => database.prepare('SELECT * FROM participants ORDER BY id').all();
    const before = rows();
    database.transaction(() => {
      participantsProjection.reset(database);
      participantsProjection.setup(database);
    })();
    expect(rows()).toEqual([]);
    apply(database, [registered, changed]);
    expect(rows()).toEqual(before);
    database.close();
  });
});
