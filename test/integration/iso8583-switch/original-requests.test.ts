import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { OriginalRequests, originalRequestLimits, type OriginalIdentity } from '../../../adapters/iso8583-switch/original-requests';
import { tempDir } from '../../support/temp-dir';

/**
 * Issue 9 defect 2: the durable record of originals (which transfer a 0200 became, and reversals that came before
 * their 0200) on a real SQLite event store: bounded per bank per day, counted only within its window, and found
 * again by a new process on the same file.
 */

let directory: ReturnType<typeof tempDir>;
let store: SqliteEventStore;
let nowMs = Date.parse('2026-12-03T10:00:00.000Z');
const now = (): Date => new Date(nowMs);

beforeEach(() => {
  directory = tempDir('hisaab-originals-');
  store = new SqliteEventStore(join(directory.path, 'events.db'));
  nowMs = Date.parse('2026-12-03T10:00:00.000Z');
});

afterEach(async () => {
  await store.close();
  directory.remove();
});

function identity(stan: number, acquirerInstitutionId = '600001'): OriginalIdentity {
  return { acquirerInstitutionId, mti: '0200', systemTraceAuditNumber: String(stan).padStart(6, '0'), transmissionDateTime: '1203101530' };
}

const reversal = { participantId: 'INDUS', retrievalReferenceNumber: '633700000001', amountMinor: 25_000n, currency: 'PKR' };

it('names one original whatever zero fill its acquirer id carries, and finds what was recorded after a reopen', async () => {
  const originals = new OriginalRequests({ store, now });
  expect(originals.streamOf(identity(1, '00000600001'))).toBe(originals.streamOf(identity(1)));
  expect(originals.streamOf(identity(2))).not.toBe(originals.streamOf(identity(1)));
  await originals.recordRequest(identity(1), await originals.read(identity(1)), {
    transferId: 'transfer-1',
    retrievalReferenceNumber: '1',
    participantId: 'INDUS',
  });
  expect(await originals.recordReversalBeforeRequest(identity(2), await originals.read(identity(2)), reversal)).toBe(true);
  await store.close();
  store = new SqliteEventStore(join(directory.path, 'events.db'));
  const reopened = new OriginalRequests({ store, now });
  expect(await reopened.read(identity(1))).toMatchObject({ transferId: 'transfer-1', reversedBeforeRequest: false });
  expect(await reopened.read(identity(2))).toMatchObject({ transferId: null, reversedBeforeRequest: true });
});

it('records reversals of unseen originals up to the bank’s daily limit, then refuses until the next UTC day', async () => {
  const originals = new OriginalRequests({ store, now, limits: { unseenReversalsPerBankPerDayMax: 2 } });
  for (const stan of [1, 2])
    expect(await originals.recordReversalBeforeRequest(identity(stan), await originals.read(identity(stan)), reversal)).toBe(true);
  expect(await originals.recordReversalBeforeRequest(identity(3), await originals.read(identity(3)), reversal)).toBe(false);
  expect(await originals.read(identity(3))).toMatchObject({ reversedBeforeRequest: false, events: 0 });
  // Another bank has a limit of its own.
  expect(
    await originals.recordReversalBeforeRequest(identity(3), await originals.read(identity(3)), { ...reversal, participantId: 'MEEZAN' }),
  ).toBe(true);
  nowMs += 24 * 60 * 60 * 1000;
  expect(await originals.recordReversalBeforeRequest(identity(4), await originals.read(identity(4)), reversal)).toBe(true);
});

it('forgets a record past its window: DE7 has no year, and the same identifiers name another transfer a year later', async () => {
  const originals = new OriginalRequests({ store, now });
  await originals.recordRequest(identity(1), await originals.read(identity(1)), {
    transferId: 'last-year',
    retrievalReferenceNumber: '1',
    participantId: 'INDUS',
  });
  nowMs += originalRequestLimits.matchWindowMs + 1;
  const later = await originals.read(identity(1));
  expect(later).toMatchObject({ transferId: null, reversedBeforeRequest: false, events: 1 });
  await originals.recordRequest(identity(1), later, { transferId: 'this-year', retrievalReferenceNumber: '2', participantId: 'INDUS' });
  expect((await originals.read(identity(1))).transferId).toBe('this-year');
});

it('holds a bounded number of events per original', async () => {
  const originals = new OriginalRequests({ store, now, limits: { eventsPerOriginalMax: 2 } });
  await originals.recordRequest(identity(1), await originals.read(identity(1)), {
    transferId: 'a',
    retrievalReferenceNumber: '1',
    participantId: 'INDUS',
  });
  expect(originals.hasRoom(await originals.read(identity(1)))).toBe(true);
  await originals.recordRequest(identity(1), await originals.read(identity(1)), {
    transferId: 'b',
    retrievalReferenceNumber: '2',
    participantId: 'INDUS',
  });
  expect(originals.hasRoom(await originals.read(identity(1)))).toBe(false);
});

it('records every one of a burst of one bank’s unseen reversals arriving at once: counting them does not race itself', async () => {
  // A bank back from an outage sends the reversals of everything it could not get answered, all at once.
  const originals = new OriginalRequests({ store, now });
  const stans = Array.from({ length: 50 }, (_, index) => 1_000 + index);
  const recorded = await Promise.all(
    stans.map(async (stan) => originals.recordReversalBeforeRequest(identity(stan), await originals.read(identity(stan)), reversal)),
  );
  expect(recorded.filter((done) => done)).toHaveLength(stans.length);
  expect(await store.streamRevision('iso8583-unseen-reversals-INDUS-2026-12-03')).toBe(BigInt(stans.length - 1));
});
