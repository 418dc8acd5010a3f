import Database from 'better-sqlite3';
import { rateLimitsProjection } from '../../../adapters/readmodel-sqlite/projections/rate-limits-projection';
import { SqliteRateLimitOverrideReader } from '../../../adapters/readmodel-sqlite/projections/rate-limits-read-model';
import type { JsonObject, RecordedEvent } from '../../../core/eventstore/event';

const at = '2026-12-03T10:00:00.000Z';

function recorded(position: bigint, type: string, data: JsonObject): RecordedEvent {
  return { id: `e${position}`, stream: 'any', revision: position, position, type, data, metadata: { at } };
}
const participant = (participantId: string, rateLimitPerSecond: number | null, position: bigint) =>
  recorded(position, 'ParticipantRateLimitChanged', { participantId, rateLimitPerSecond, previousRateLimitPerSecond: null, at });
const merchant = (merchantId: string, rateLimitPerSecond: number | null, position: bigint) =>
  recorded(position, 'MerchantRateLimitChanged', { merchantId, rateLimitPerSecond, previousRateLimitPerSecond: null, at });

// A merchant may share an id with a participant: their rates are kept apart.
const history = [
  participant('MARGALLA', 50, 1n),
  participant('RAVI', 7, 2n),
  participant('MARGALLA', 500, 3n),
  participant('RAVI', null, 4n),
  merchant('MARGALLA', 9, 5n),
];

function applyAll(database: Database.Database): void {
  database.transaction(() => {
    for (const event of history) rateLimitsProjection.apply(event, database);
  })();
}

describe('the rate-limits read model (real SQLite)', () => {
  it("holds each participant's and merchant's latest rate, none for one back on the default, and the same after a rebuild", () => {
    const database = new Database(':memory:');
    database.defaultSafeIntegers(true);
    rateLimitsProjection.setup(database);
    applyAll(database);
    const reader = new SqliteRateLimitOverrideReader(database);
    const read = () => [
      ...['MARGALLA', 'RAVI', 'INDUS'].map((id) => reader.participantRateLimitPerSecond(id)),
      ...['MARGALLA', 'RAVI'].map((id) => reader.merchantRateLimitPerSecond(id)),
    ];
    expect(read()).toEqual([500, null, null, 9, null]);

    database.transaction(() => {
      rateLimitsProjection.reset(database);
      rateLimitsProjection.setup(database);
    })();
    expect(read()).toEqual([null, null, null, null, null]);
    applyAll(database);
    expect(read()).toEqual([500, null, null, 9, null]);
    database.close();
  });
});
