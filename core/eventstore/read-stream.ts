import type { RecordedEvent } from './event';
import type { EventStore } from './event-store';
import { eventStoreLimits } from './limits';

/** Reads a whole stream from a revision on, page by page, handing each event to `visit` in order. */
export async function foldStream(
  store: EventStore,
  stream: string,
  fromRevision: bigint,
  visit: (event: RecordedEvent) => void,
): Promise<bigint | null> {
  let next = fromRevision;
  let last: bigint | null = null;
  for (;;) {
    const page = await store.readStream(stream, next, eventStoreLimits.readLimitMax);
    for (const event of page) {
      visit(event);
      last = event.revision;
    }
    if (page.length < eventStoreLimits.readLimitMax) return last;
    next = (last ?? next) + 1n;
  }
}
