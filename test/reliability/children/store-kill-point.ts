/**
 * One deterministic SIGKILL point in a child process's durable writes, for crash tests. The setting is
 * `<when>:<event type>`:
 * - `before:<type>`: the process kills itself just before the first durable write that would hold an event of this
 *   type (nothing of that write is durable);
 * - `after:<type>`: just after the first durable write that holds one (all of it is durable, nothing after it).
 * `<type>@<ledger stream>` names a ledger fact inside the batch records of one ledger stream instead (ledger facts are
 * not events of their own: the engine writes one binary record per tick), so `after:LedgerPendingPosted@ledger-USD`
 * dies just after the first write that posted a pending transfer in the dollar ledger.
 * Only the store's public writes are wrapped; the code under test is the real one.
 */
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import type { NewEvent } from '../../../core/eventstore/event';
import type { AppendResult, StreamAppend } from '../../../core/eventstore/event-store';
import type { ExpectedRevision } from '../../../core/eventstore/expected-revision';
import { isLedgerBatch, ledgerFacts } from '../../../core/ledger/ledger-record';

export function installStoreKillPoint(setting: string): void {
  const [when, killType] = setting.split(':');
  if ((when !== 'before' && when !== 'after') || killType === undefined || killType === '') {
    throw new Error('a kill point is before:<event type> or after:<event type>');
  }
  const [factType, ledgerStream] = killType.split('@');
  const holdsLedgerFact = (stream: string, events: readonly NewEvent[]): boolean =>
    stream === ledgerStream &&
    events.some(
      (event) =>
        isLedgerBatch({ ...event, stream, revision: 0n, position: 0n }) &&
        ledgerFacts({ ...event, stream, revision: 0n, position: 0n }).some((fact) => fact.type === factType),
    );
  const holdsKillType = (stream: string, events: readonly NewEvent[]): boolean =>
    ledgerStream === undefined ? events.some((event) => event.type === killType) : holdsLedgerFact(stream, events);
  const die = (): never => {
    process.kill(process.pid, 'SIGKILL');
    throw new Error('unreachable: SIGKILL was sent');
  };

  /* eslint-disable @typescript-eslint/unbound-method -- the originals are called with the store as `this`. */
  const appendManySync = SqliteEventStore.prototype.appendManySync;
  SqliteEventStore.prototype.appendManySync = function (this: SqliteEventStore, appends: readonly StreamAppend[]): AppendResult[] {
    const hit = appends.some((entry) => holdsKillType(entry.stream, entry.events));
    if (hit && when === 'before') die();
    const results = appendManySync.call(this, appends);
    if (hit && when === 'after') die();
    return results;
  };
  // appendMany shares the group commit of `append` (it no longer calls appendManySync), so it is wrapped on its own.
  const appendMany = SqliteEventStore.prototype.appendMany;
  SqliteEventStore.prototype.appendMany = async function (
    this: SqliteEventStore,
    appends: readonly StreamAppend[],
  ): Promise<AppendResult[]> {
    const hit = appends.some((entry) => holdsKillType(entry.stream, entry.events));
    if (hit && when === 'before') die();
    const results = await appendMany.call(this, appends);
    if (hit && when === 'after') die();
    return results;
  };
  const appendSync = SqliteEventStore.prototype.appendSync;
  SqliteEventStore.prototype.appendSync = function (
    this: SqliteEventStore,
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): AppendResult {
    const hit = holdsKillType(stream, events);
    if (hit && when === 'before') die();
    const result = appendSync.call(this, stream, events, expected);
    if (hit && when === 'after') die();
    return result;
  };
  const append = SqliteEventStore.prototype.append;
  SqliteEventStore.prototype.append = async function (
    this: SqliteEventStore,
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const hit = holdsKillType(stream, events);
    if (hit && when === 'before') die();
    const result = await append.call(this, stream, events, expected);
    if (hit && when === 'after') die();
    return result;
  };
  /* eslint-enable @typescript-eslint/unbound-method */
}
