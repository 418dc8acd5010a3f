import { START, type Position, type ReadPosition } from '@eventstore/db-client';
import { START_POSITION } from '../../core/eventstore/event-store';
import { EsdbAdapterError } from './esdb-errors';

/**
 * How ESDB's two-part log position maps onto the port's single bigint.
 *
 * EventStoreDB addresses a record in its transaction file by {commit, prepare}, and orders $all by commit, then
 * prepare. Since the gRPC API (20.6+) every append is written as "committed prepares": one record per event,
 * each flagged IsCommitted, with no separate commit record. For those records the server reports
 * commit === prepare === the record's own log position, and that number is strictly increasing in $all order.
 * So the port's position IS that number: no arithmetic, lossless, and it fits SQLite's 64-bit INTEGER, where the
 * projection runner keeps its checkpoints.
 *
 * Only legacy explicit transactions (the TCP API's StartTransaction, which gRPC does not offer) produce records
 * with commit > prepare, several events sharing one commit position. No single 64-bit number orders those
 * correctly against the rest, so such an event is refused with a clear error instead of being given a position
 * that could break ordering. Hisaab writes only through gRPC, so its own streams never contain one.
 *
 * Going back: port position p becomes {commit: p, prepare: p}. ESDB reads $all forwards INCLUSIVELY from a
 * position, so readers of "everything after p" start there and skip every record at or before p: the event at p
 * itself when it is still there, nothing otherwise. Subscriptions do the same, which makes resuming from a stored
 * checkpoint exact whether or not the server treats the start position as inclusive.
 */

/** Positions are signed 64-bit on the server; anything above (notably 2^64 - 1) is its marker for "not known". */
const positionMax = (1n << 63n) - 1n;

/** The port position of an ESDB record position, or null when the server did not report one. */
export function toStorePosition(position: Position | undefined): bigint | null {
  if (position === undefined) return null;
  const { commit, prepare } = position;
  if (commit < 0n || commit > positionMax || prepare < 0n || prepare > positionMax) return null;
  if (commit !== prepare) {
    throw new EsdbAdapterError(
      'ESDB_UNSUPPORTED_POSITION',
      `the event at EventStoreDB position {commit ${commit}, prepare ${prepare}} was written by a legacy explicit transaction; ` +
        'Hisaab reads only events appended through the gRPC API, whose commit and prepare positions are equal',
    );
  }
  return commit;
}

/** Where a forward read of $all starts so that it includes everything after `afterPosition` (and maybe the record at it). */
export function toReadPosition(afterPosition: bigint): ReadPosition {
  // Every negative position is "before the first event", as in the SQLite adapter (position > afterPosition).
  if (afterPosition <= START_POSITION) return START;
  if (afterPosition > positionMax) {
    throw new EsdbAdapterError('ESDB_UNSUPPORTED_POSITION', `position ${afterPosition} is beyond EventStoreDB's 64-bit log positions`);
  }
  return { commit: afterPosition, prepare: afterPosition };
}

/**
 * True when the record at `position` comes strictly after port position `afterPosition` in $all order. Compares
 * the raw pair, so it also decides correctly for legacy records that have no port position.
 */
export function isAfter(position: Position, afterPosition: bigint): boolean {
  if (afterPosition <= START_POSITION) return true;
  if (position.commit !== afterPosition) return position.commit > afterPosition;
  return position.prepare > afterPosition;
}
