import { assert } from '../assert';

/** Changes per chunk: 512 KiB of pairs, allocated as changes first reach them and kept for reuse. */
const chunkBits = 16;
const chunkChanges = 2 ** chunkBits;
const chunkMask = chunkChanges - 1;

/**
 * The pending statuses the transfer id window changed since its last segment was written, as pairs [place, the
 * entry's created event modulo 2^32] (the place may be reused by a later entry by the time they are read; the event
 * tells). Held in typed chunks kept from one snapshot to the next, so that a post or void, which changes a status,
 * leaves no garbage (issue 18 item 3): they were a JS array that grew by copying and was dropped at every snapshot.
 * At most `changesMax`; past that `lost` says a segment could not say them all, and the next segment is whole.
 */
export class WindowStatusChanges {
  private readonly chunks: Uint32Array[] = [];
  /** Changes held. */
  count = 0;
  /** Whether more changed than could be held since the last `clear`. */
  lost = false;

  constructor(readonly changesMax: number) {
    assert(Number.isSafeInteger(changesMax) && changesMax >= 1, 'a window keeps at least one status change');
  }

  /** Records that the status of the entry at `place`, created at event `createdAt` (modulo 2^32), changed. */
  add(place: number, createdAt: number): void {
    if (this.count >= this.changesMax) {
      this.lost = true;
      return;
    }
    const chunkIndex = this.count >>> chunkBits;
    const chunk = this.chunks[chunkIndex] ?? this.addChunk(chunkIndex);
    const at = (this.count & chunkMask) * 2;
    chunk[at] = place;
    chunk[at + 1] = createdAt;
    this.count += 1;
  }

  placeAt(change: number): number {
    return (this.chunks[change >>> chunkBits] as Uint32Array)[(change & chunkMask) * 2] as number;
  }

  createdAt(change: number): number {
    return (this.chunks[change >>> chunkBits] as Uint32Array)[(change & chunkMask) * 2 + 1] as number;
  }

  /** Forgets every change (their chunks stay, for the next ones). */
  clear(): void {
    this.count = 0;
    this.lost = false;
  }

  private addChunk(chunkIndex: number): Uint32Array {
    assert(chunkIndex === this.chunks.length, 'status change chunks are added in order');
    const chunk = new Uint32Array(chunkChanges * 2);
    this.chunks.push(chunk);
    return chunk;
  }
}
