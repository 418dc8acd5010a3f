import Database from 'better-sqlite3';
import { participantRateLimitsProjection } from '../../../adapters/readmodel-sqlite/projections/participant-rate-limits-projection';
import { SqliteParticipantRateLimitReader } from '../../../adapters/readmodel-sqlite/projections/participant-rate-limits-read-model';
import type { RecordedEvent } from '../../../core/eventstore/event';

const at = '2026-12-03T10:00:00.000Z';

function changed(participantId: string, rateLimitPerSecond: number | null, position: bigint): RecordedEvent {
  return {
    id: `e${position}`,
    stream: `participant-${participantId}`,
    revision: position,
    position,
    type: 'ParticipantRateLimitChanged',
    data: { participantId, rateLimitPerSecond, previousRateLimitPerSecond: null, at },
    metadata: { at },
  };
}

const history = [changed('MARGALLA', 50, 1n), changed('RAVI', 7, 2n), changed('MARGALLA', 500, 3n), changed('RAVI', null, 4n)];

function applyAll(database: Database.Database): void {
  database.transaction(() => {
    for (const event of history) participantRateLimitsProjection.apply(event, database);
  })();
}

describe('the participant-rate-limits read model (real SQLite)', () => {
  it("holds each participant's latest rate, none for one back on the default, and the same after a rebuild", () => {
    const database = new Database(':memory:');
    database.defaultSafeIntegers(true);
    participantRateLimitsProjection.setup(database);
    applyAll(database);
    const reader = new SqliteParticipantRateLimitReader(database);
    const read = () => ['MARGALLA', 'RAVI', 'INDUS'].map((id) => reader.rateLimitPerSecondOf(id));
    expect(read()).toEqual([500, null, null]);

    database.transaction(() => {
      participantRateLimitsProjection.reset(database);
      participantRateLimitsProjection.setup(database);
    })();
    expect(read()).toEqual([null, null, null]);
    applyAll(database);
    expect(read()).toEqual([500, null, null]);
    database.close();
  });
});
