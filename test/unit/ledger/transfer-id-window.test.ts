import { murmurHash128 } from '../../../core/ledger/murmur-hash-128';
import { TransferIdWindow } from '../../../core/ledger/transfer-id-window';

/** A fields digest for the tests: two words of a hash of a text standing for a transfer's fields. */
function digest(fieldsText: string): [number, number] {
  const out = new Uint32Array(4);
  murmurHash128(fieldsText, 7, out);
  return [out[0] as number, out[1] as number];
}

/** A window over `windowEvents` events where event n creates transfer `t<n>` (one id per event, as at most). */
function filled(windowEvents: number, margin: number, events: number): TransferIdWindow {
  const window = new TransferIdWindow(windowEvents, margin);
  for (let event = 0; event < events; event += 1) window.insert(`t${event}`, event, 'transfer', null, ...digest(`fields-${event}`));
  return window;
}

describe('TransferIdWindow', () => {
  it('finds every id created in the last windowEvents events, none older, and compares field digests', () => {
    const window = filled(1000, 100, 1050);
    const eventCount = 1050;
    for (let event = 0; event < 1050; event += 1) {
      const place = window.find(`t${event}`, eventCount);
      if (event < eventCount - 1000) expect(place).toBe(-1);
      else {
        expect(place).not.toBe(-1);
        expect(window.eventNumberAt(place, eventCount)).toBe(event);
        expect(window.kindAt(place)).toBe('transfer');
        expect(window.statusAt(place)).toBeNull();
        expect(window.sameFields(place, ...digest(`fields-${event}`))).toBe(true);
        expect(window.sameFields(place, ...digest(`fields-${event + 1}`))).toBe(false);
      }
    }
    expect(window.find('never', eventCount)).toBe(-1);
  });

  it('forgets exactly the expired entries, in bounded steps, and decides the same before and after', () => {
    const window = filled(1000, 100, 1050);
    const before = window.aliveEntries(1050);
    expect(window.forgetExpired(1050, 30)).toBe(30);
    expect(window.forgetExpired(1050, 1000)).toBe(20);
    expect(window.length).toBe(1000);
    expect(window.aliveEntries(1050)).toEqual(before);
    for (let event = 50; event < 1050; event += 1) expect(window.find(`t${event}`, 1050)).not.toBe(-1);
  });

  it('evicts the oldest entry when full only if it has left the window, and keeps working across the ring', () => {
    const window = filled(100, 10, 5000);
    expect(window.length).toBe(110);
    for (let event = 4900; event < 5000; event += 1) expect(window.find(`t${event}`, 5000)).not.toBe(-1);
    expect(window.find('t4899', 5000)).toBe(-1);
    // Ten ids inside one event's window would overfill it: the ring refuses to drop a live id.
    const crowded = new TransferIdWindow(100, 10);
    for (let index = 0; index < 110; index += 1) crowded.insert(`c${index}`, 0, 'transfer', null, ...digest('same'));
    expect(() => crowded.insert('c110', 0, 'transfer', null, ...digest('same'))).toThrow('evicts only expired ids');
  });

  it('finds a newer entry of an id behind an expired one, before the old one is removed', () => {
    const window = new TransferIdWindow(10, 100);
    window.insert('again', 0, 'transfer', null, ...digest('old'));
    for (let event = 1; event < 20; event += 1) window.insert(`t${event}`, event, 'transfer', null, ...digest('x'));
    expect(window.find('again', 20)).toBe(-1);
    window.insert('again', 20, 'pending_transfer', 'pending', ...digest('new'));
    const place = window.find('again', 21);
    expect(window.eventNumberAt(place, 21)).toBe(20);
    expect(window.sameFields(place, ...digest('new'))).toBe(true);
    expect(window.statusAt(place)).toBe('pending');
  });

  it('undoes inserts newest first (a failed linked chain) and records how a pending transfer ended', () => {
    const window = filled(1000, 100, 10);
    window.insert('p', 10, 'pending_transfer', 'pending', ...digest('p-fields'));
    const end = window.end;
    window.setStatus(window.find('p', 11), 'posted');
    window.insert('post-p', 11, 'post_pending', null, ...digest('post-fields'));
    window.insert('other', 12, 'void_pending', null, ...digest('void-fields'));
    expect(window.statusAt(window.find('p', 13))).toBe('posted');
    expect(window.kindAt(window.find('post-p', 13))).toBe('post_pending');
    window.truncate(end);
    expect(window.find('post-p', 13)).toBe(-1);
    expect(window.find('other', 13)).toBe(-1);
    expect(window.find('p', 13)).not.toBe(-1);
    for (let event = 0; event < 10; event += 1) expect(window.find(`t${event}`, 13)).not.toBe(-1);
    expect(() => window.setStatus(window.find('t1', 13), 'voided')).toThrow('only a pending transfer has a status');
  });

  it('keeps every live id findable through heavy churn of inserts and removals (backward-shift deletion)', () => {
    // A small window and many events: probe chains wrap the index and are shifted back on every removal.
    const window = new TransferIdWindow(200, 50);
    for (let event = 0; event < 20_000; event += 1) {
      window.insert(`id-${event}`, event, 'transfer', null, ...digest(`${event}`));
      if (event % 7 === 0) window.forgetExpired(event + 1, 1_000);
      if (event % 997 === 0) {
        for (let alive = Math.max(0, event - 199); alive <= event; alive += 1) {
          const place = window.find(`id-${alive}`, event + 1);
          expect(window.eventNumberAt(place, event + 1)).toBe(alive);
        }
      }
    }
    expect(window.length).toBeLessThanOrEqual(250);
  });

  it('refuses a window it cannot index', () => {
    expect(() => new TransferIdWindow(0, 10)).toThrow('at least one event');
    expect(() => new TransferIdWindow(2 ** 28, 10)).toThrow('holds at most');
  });
});

describe('TransferIdWindow growth', () => {
  it('starts empty, grows a block at a time without moving an entry, and keeps every live id, its fields, status and event', () => {
    // 300,000 events over a window of 200,000: the ring gains blocks of 65,536 entries up to its capacity, then wraps.
    const window = new TransferIdWindow(200_000, 1_000);
    const blocks = (): Uint32Array[] => (window as unknown as { blocks: Uint32Array[] }).blocks;
    const sizeOf = (): number => blocks().reduce((entries, block) => entries + block.length / 6, 0);
    expect(sizeOf()).toBe(0);
    const sizes = new Set<number>();
    let firstBlock: Uint32Array | undefined;
    for (let event = 0; event < 300_000; event += 1) {
      window.insert(
        `g${event}`,
        event,
        event % 5 === 0 ? 'pending_transfer' : 'transfer',
        event % 5 === 0 ? 'pending' : null,
        ...digest(`f${event}`),
      );
      firstBlock ??= blocks()[0];
      if (event === 1_000) window.setStatus(window.find('g1000', event + 1), 'voided');
      if (event % 1_000 === 999) window.forgetExpired(event + 1, 10_000);
      if (event % 1_000 === 0) sizes.add(sizeOf());
    }
    expect([...sizes]).toEqual([65_536, 131_072, 196_608, 201_000]);
    // Grown by adding blocks, never by copying the ring into a larger one: the first block is still the first.
    expect(blocks()).toHaveLength(4);
    expect(blocks()[0]).toBe(firstBlock);
    // Mismatches are collected and compared once: 300,000 expect calls would take a minute under jest.
    const eventCount = 300_000;
    const wrong: number[] = [];
    for (let event = 0; event < eventCount; event += 1) {
      const place = window.find(`g${event}`, eventCount);
      const alive = event >= eventCount - 200_000;
      const right = alive
        ? place !== -1 &&
          window.eventNumberAt(place, eventCount) === event &&
          window.sameFields(place, ...digest(`f${event}`)) &&
          window.statusAt(place) === (event % 5 === 0 ? 'pending' : null)
        : place === -1;
      if (!right) wrong.push(event);
    }
    expect(wrong).toEqual([]);
  });

  it('keeps a status set before the index grows and undoes inserts across its growth', () => {
    const window = new TransferIdWindow(1_000_000, 10);
    for (let event = 0; event < 65_536; event += 1) window.insert(`s${event}`, event, 'pending_transfer', 'pending', ...digest('x'));
    window.setStatus(window.find('s7', 65_536), 'expired');
    const end = window.end;
    window.insert('after-growth', 65_536, 'transfer', null, ...digest('y'));
    expect(window.statusAt(window.find('s7', 65_537))).toBe('expired');
    expect(window.find('after-growth', 65_537)).not.toBe(-1);
    window.truncate(end);
    expect(window.find('after-growth', 65_537)).toBe(-1);
    const lost: number[] = [];
    for (let event = 0; event < 65_536; event += 1) if (window.find(`s${event}`, 65_537) === -1) lost.push(event);
    expect(lost).toEqual([]);
  });
});

describe('TransferIdWindow bulk load (entries indexed in slot order)', () => {
  /** The window's index slots, sorted: two windows holding the same entries hold the same values, wherever placed. */
  const indexValues = (window: TransferIdWindow): number[] =>
    [...(window as unknown as { index: Uint32Array }).index].filter((value) => value !== 0).sort((a, b) => a - b);

  it('answers, segments and indexes as inserts one by one, through growth, eviction, lookups, statuses and undo', () => {
    // 150,000 events over a window of 100,000 with one seed: the bulk window's index grows and its ring wraps, so
    // evictions run while entries wait for the index, and lookups in between see entries still waiting.
    const seed = 12_345;
    const oneByOne = new TransferIdWindow(100_000, 1_000, seed);
    const bulk = new TransferIdWindow(100_000, 1_000, seed);
    bulk.beginBulkLoad();
    let truncatedAt = -1;
    for (let event = 0; event < 150_000; event += 1) {
      const pending = event % 9 === 0;
      for (const window of [oneByOne, bulk]) {
        window.insert(`b${event}`, event, pending ? 'pending_transfer' : 'transfer', pending ? 'pending' : null, ...digest(`f${event}`));
        if (event % 1_000 === 999) window.forgetExpired(event + 1, 10_000);
      }
      if (event % 12_500 === 6_789) {
        const target = event - (event % 9) - 900;
        const place = bulk.find(`b${target}`, event + 1);
        expect(place).toBe(oneByOne.find(`b${target}`, event + 1));
        bulk.setStatus(place, 'posted');
        oneByOne.setStatus(place, 'posted');
      }
      if (event === 100_000) {
        truncatedAt = oneByOne.end - 3;
        oneByOne.truncate(truncatedAt);
        bulk.truncate(truncatedAt);
      }
    }
    bulk.endBulkLoad();
    const eventCount = 150_000;
    const wrong: number[] = [];
    for (let event = 0; event < eventCount; event += 1) {
      const place = bulk.find(`b${event}`, eventCount);
      if (place !== oneByOne.find(`b${event}`, eventCount) || (place !== -1 && bulk.statusAt(place) !== oneByOne.statusAt(place)))
        wrong.push(event);
    }
    expect(wrong).toEqual([]);
    expect(bulk.find('b99998', eventCount)).toBe(-1);
    expect(bulk.find('b149999', eventCount)).not.toBe(-1);
    expect(bulk.aliveEntries(eventCount)).toEqual(oneByOne.aliveEntries(eventCount));
    expect(bulk.entryWordsFrom(0, eventCount)).toEqual(oneByOne.entryWordsFrom(0, eventCount));
    expect(indexValues(bulk)).toEqual(indexValues(oneByOne));
    // After the load the window decides and forgets as any other.
    bulk.insert('after', eventCount, 'transfer', null, ...digest('after'));
    expect(bulk.eventNumberAt(bulk.find('after', eventCount + 1), eventCount + 1)).toBe(eventCount);
    expect(bulk.forgetExpired(eventCount + 25_000, 100_000)).toBe(oneByOne.forgetExpired(eventCount + 25_000, 100_000));
  });

  it('restores window segment words in bulk to the window they came from', () => {
    const source = new TransferIdWindow(100_000, 500, 99);
    for (let event = 0; event < 120_000; event += 1) source.insert(`r${event}`, event, 'transfer', null, ...digest(`g${event}`));
    source.forgetExpired(120_000, 1_000_000);
    const words = source.entryWordsFrom(20_000, 120_000);
    const restore = (bulk: boolean): TransferIdWindow => {
      const restored = new TransferIdWindow(100_000, 500, 99);
      restored.reserve(100_000);
      if (bulk) restored.beginBulkLoad();
      // Two parts, as a segment of several parts arrives: the first part's entries wait for the second's.
      const half = 50_000 * 7;
      expect(restored.insertEntryWords(words.subarray(0, half), 50_000, 20_000, 120_000, 20_000, -1)).toBe(69_999);
      expect(restored.insertEntryWords(words.subarray(half), 50_000, 20_000, 120_000, 20_000, 69_999)).toBe(119_999);
      if (bulk) restored.endBulkLoad();
      return restored;
    };
    const restored = restore(true);
    expect(restored.aliveEntries(120_000)).toEqual(source.aliveEntries(120_000));
    expect(indexValues(restored)).toEqual(indexValues(restore(false)));
    expect(restored.entryWordsFrom(20_000, 120_000)).toEqual(words);
    const lost: number[] = [];
    for (let event = 20_000; event < 120_000; event += 1) if (restored.find(`r${event}`, 120_000) === -1) lost.push(event);
    expect(lost).toEqual([]);
    expect(restored.find('r19999', 120_000)).toBe(-1);
  });
});
