import type { NewEvent, RecordedEvent } from '../../core/eventstore/event';
import type { EventStore } from '../../core/eventstore/event-store';
import { START_POSITION } from '../../core/eventstore/event-store';
import { WrongExpectedRevisionError } from '../../core/eventstore/expected-revision';
import { EventStoreInputError, eventStoreLimits } from '../../core/eventstore/limits';
import { newId } from '../../core/ids';

/** What each adapter's test file supplies: a fresh store and a way to dispose of it. */
export type StoreFactory = {
  open(): Promise<EventStore>;
  dispose(store: EventStore): Promise<void>;
};

let uniqueCounter = 0;
/** Stream names unique to one test, so the suite also runs against a shared EventStoreDB that keeps its data. */
function uniqueStream(kind: string): string {
  uniqueCounter += 1;
  return `${kind}-${process.pid}-${Date.now().toString(36)}-${uniqueCounter}`;
}

function event(type: string, data: Record<string, string | number> = {}): NewEvent {
  return { id: newId(), type, data, metadata: { at: new Date(0).toISOString(), actor: 'contract-test', correlationId: 'c-1' } };
}

async function collect(store: EventStore, after: bigint, count: number, prefix: string, timeoutMs = 10_000): Promise<RecordedEvent[]> {
  const received: RecordedEvent[] = [];
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const subscription = store.subscribeAll(
    after,
    (recorded) => {
      received.push(recorded);
      if (received.length >= count) resolveDone();
    },
    { filter: { streamPrefixes: [prefix] } },
  );
  const timer = setTimeout(resolveDone, timeoutMs);
  await done;
  clearTimeout(timer);
  await subscription.close();
  return received;
}

/** The contract every EventStore adapter passes. */
export function eventStoreContract(adapterName: string, factory: StoreFactory): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await factory.dispose(store);
    });

    it('appends and reads a stream back in order with revisions, ids, data and metadata', async () => {
      const stream = uniqueStream('contract');
      const events = [event('A', { n: 1 }), event('B', { n: 2 }), event('C', { n: 3 })];
      const result = await store.append(stream, events, 'no_stream');
      expect(result.nextExpectedRevision).toBe(2n);
      const read = await store.readStream(stream, 0n, 100);
      expect(read.map((e) => e.type)).toEqual(['A', 'B', 'C']);
      expect(read.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      expect(read.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(read[1]?.data).toEqual({ n: 2 });
      expect(read[0]?.metadata).toEqual({ at: '1970-01-01T00:00:00.000Z', actor: 'contract-test', correlationId: 'c-1' });
      expect(read[2]?.position).toBe(result.position);
      expect(await store.streamRevision(stream)).toBe(2n);
      expect((await store.readStream(stream, 1n, 1)).map((e) => e.type)).toEqual(['B']);
    });

    it("keeps a binary event's bytes exactly, beside JSON events, and refuses a binary event with data", async () => {
      const stream = uniqueStream('contract');
      const payload = Uint8Array.from({ length: 4096 }, (_, index) => (index * 31) % 256);
      const binary: NewEvent = { ...event('Binary'), bytes: payload };
      await store.append(stream, [event('A', { n: 1 }), binary], 'no_stream');
      const read = await store.readStream(stream, 0n, 10);
      expect(read[0]?.bytes).toBeUndefined();
      expect(read[0]?.data).toEqual({ n: 1 });
      expect(read[1]?.data).toEqual({});
      expect(Buffer.from(read[1]?.bytes ?? []).equals(Buffer.from(payload))).toBe(true);
      const all = await store.readAll(START_POSITION, eventStoreLimits.readLimitMax, { streamPrefixes: [stream] });
      expect(Buffer.from(all[1]?.bytes ?? []).equals(Buffer.from(payload))).toBe(true);
      await expect(store.append(stream, [{ ...event('Binary', { n: 1 }), bytes: payload }], 1n)).rejects.toThrow(EventStoreInputError);
      await expect(store.append(stream, [{ ...event('Binary'), bytes: new Uint8Array(0) }], 1n)).rejects.toThrow(EventStoreInputError);
      expect(await store.streamRevision(stream)).toBe(1n);
    });

    it('says which of many streams exist, in one lookup', async () => {
      const written = [uniqueStream('exists'), uniqueStream('exists')];
      for (const stream of written) await store.append(stream, [event('A'), event('B')], 'no_stream');
      const missing = uniqueStream('missing');
      expect(await store.existingStreams([...written, missing])).toEqual(new Set(written));
      expect(await store.existingStreams([])).toEqual(new Set());
    });

    it('reads a missing stream as empty, with no revision', async () => {
      const stream = uniqueStream('missing');
      expect(await store.readStream(stream, 0n, 10)).toEqual([]);
      expect(await store.streamRevision(stream)).toBeNull();
    });

    it('enforces every expected-revision rule with a typed error that carries expected and actual', async () => {
      const stream = uniqueStream('revision');
      await expect(store.append(stream, [event('A')], 'stream_exists')).rejects.toMatchObject({
        code: 'WRONG_EXPECTED_REVISION',
        expected: 'stream_exists',
        actual: null,
      });
      await expect(store.append(stream, [event('A')], 0n)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await store.append(stream, [event('A')], 'no_stream');
      await expect(store.append(stream, [event('B')], 'no_stream')).rejects.toMatchObject({ expected: 'no_stream', actual: 0n });
      await expect(store.append(stream, [event('B')], 5n)).rejects.toMatchObject({ expected: 5n, actual: 0n });
      await store.append(stream, [event('B')], 0n);
      await store.append(stream, [event('C')], 'stream_exists');
      await store.append(stream, [event('D')], 'any');
      const read = await store.readStream(stream, 0n, 100);
      expect(read.map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
    });

    it('lets exactly one of many concurrent appenders win each revision, and loses none', async () => {
      const stream = uniqueStream('race');
      const appenders = 20;
      let conflicts = 0;
      const appendWithRetry = async (index: number): Promise<void> => {
        for (let attempt = 0; attempt < 200; attempt += 1) {
          const revision = await store.streamRevision(stream);
          try {
            await store.append(stream, [event('Raced', { index })], revision === null ? 'no_stream' : revision);
            return;
          } catch (error) {
            if (!(error instanceof WrongExpectedRevisionError)) throw error;
            conflicts += 1;
          }
        }
        throw new Error(`appender ${index} never won a revision`);
      };
      await Promise.all(Array.from({ length: appenders }, (_, index) => appendWithRetry(index)));
      const read = await store.readStream(stream, 0n, 100);
      expect(read.map((e) => e.revision)).toEqual(Array.from({ length: appenders }, (_, index) => BigInt(index)));
      expect(new Set(read.map((e) => e.data['index'])).size).toBe(appenders);
      expect(conflicts).toBeGreaterThanOrEqual(0);
    });

    it('all-or-nothing: a conflicting batch writes none of its events', async () => {
      const stream = uniqueStream('atomic');
      await store.append(stream, [event('A')], 'no_stream');
      await expect(store.append(stream, [event('B'), event('C')], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect((await store.readStream(stream, 0n, 10)).map((e) => e.type)).toEqual(['A']);
    });

    it('appendMany writes several streams in the order given, each with its own expected revision', async () => {
      const first = uniqueStream('many');
      const second = uniqueStream('many');
      await store.append(second, [event('Existing')], 'no_stream');
      const results = await store.appendMany([
        { stream: first, events: [event('A'), event('B')], expectedRevision: 'no_stream' },
        { stream: second, events: [event('C')], expectedRevision: 0n },
      ]);
      expect(results.map((result) => result.nextExpectedRevision)).toEqual([1n, 1n]);
      expect((results[1]?.position ?? 0n) > (results[0]?.position ?? 0n)).toBe(true);
      expect((await store.readStream(first, 0n, 10)).map((e) => e.type)).toEqual(['A', 'B']);
      expect((await store.readStream(second, 0n, 10)).map((e) => e.type)).toEqual(['Existing', 'C']);
      const positions = [...(await store.readStream(first, 0n, 10)), ...(await store.readStream(second, 1n, 10))].map((e) => e.position);
      expect([...positions].sort((left, right) => (left < right ? -1 : 1))).toEqual(positions);
    });

    it('appendMany stops at the first stream not as expected: all or none where the store is multi-stream atomic', async () => {
      const first = uniqueStream('many');
      const conflicting = uniqueStream('many');
      const last = uniqueStream('many');
      await store.append(conflicting, [event('Existing')], 'no_stream');
      const attempt = store.appendMany([
        { stream: first, events: [event('A')], expectedRevision: 'no_stream' },
        { stream: conflicting, events: [event('B')], expectedRevision: 'no_stream' },
        { stream: last, events: [event('C')], expectedRevision: 'no_stream' },
      ]);
      await expect(attempt).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', stream: conflicting });
      // A store without multi-stream transactions keeps the prefix before the failure; nothing after it is written.
      expect((await store.readStream(first, 0n, 10)).map((e) => e.type)).toEqual(store.multiStreamAtomic ? [] : ['A']);
      expect((await store.readStream(conflicting, 0n, 10)).map((e) => e.type)).toEqual(['Existing']);
      expect(await store.readStream(last, 0n, 10)).toEqual([]);
    });

    it('appendMany refuses bad input anywhere before it writes any stream', async () => {
      const first = uniqueStream('many');
      const attempt = store.appendMany([
        { stream: first, events: [event('A')], expectedRevision: 'no_stream' },
        { stream: uniqueStream('many'), events: [], expectedRevision: 'any' },
      ]);
      await expect(attempt).rejects.toBeInstanceOf(EventStoreInputError);
      expect(await store.readStream(first, 0n, 10)).toEqual([]);
    });

    it('orders the global log across streams, strictly increasing, in append order', async () => {
      const prefix = uniqueStream('global');
      const head = await store.headPosition();
      await store.append(`${prefix}-x`, [event('X1')], 'no_stream');
      await store.append(`${prefix}-y`, [event('Y1'), event('Y2')], 'no_stream');
      await store.append(`${prefix}-x`, [event('X2')], 0n);
      const read = await store.readAll(head, 1000, { streamPrefixes: [prefix] });
      expect(read.map((e) => e.type)).toEqual(['X1', 'Y1', 'Y2', 'X2']);
      for (let index = 1; index < read.length; index += 1) {
        expect(read[index]!.position > read[index - 1]!.position).toBe(true);
      }
      const afterFirst = await store.readAll(read[0]!.position, 1000, { streamPrefixes: [prefix] });
      expect(afterFirst.map((e) => e.type)).toEqual(['Y1', 'Y2', 'X2']);
      expect(await store.headPosition()).toBe(read[3]!.position);
    });

    it('subscribes: catches up on the past, then delivers live appends, in order, without gaps or repeats', async () => {
      const prefix = uniqueStream('sub');
      const start = await store.headPosition();
      for (let index = 0; index < 5; index += 1) await store.append(`${prefix}-${index % 2}`, [event('Past', { index })], 'any');
      const received: RecordedEvent[] = [];
      let resolveDone: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (resolveDone = resolve));
      const subscription = store.subscribeAll(
        start,
        async (recorded) => {
          received.push(recorded);
          if (received.length === 5) {
            for (let index = 5; index < 10; index += 1) await store.append(`${prefix}-${index % 2}`, [event('Live', { index })], 'any');
          }
          if (received.length === 10) resolveDone();
        },
        { filter: { streamPrefixes: [prefix] } },
      );
      const timer = setTimeout(resolveDone, 10_000);
      await done;
      clearTimeout(timer);
      await subscription.close();
      expect(received.map((e) => e.data['index'])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(received.map((e) => e.type)).toEqual([...Array(5).fill('Past'), ...Array(5).fill('Live')]);
    });

    it('subscribes from a position: only later events are delivered', async () => {
      const prefix = uniqueStream('from');
      const head = await store.headPosition();
      await store.append(`${prefix}-a`, [event('One'), event('Two')], 'no_stream');
      const first = await store.readAll(head, 1, { streamPrefixes: [prefix] });
      const received = await collect(store, first[0]!.position, 1, prefix);
      expect(received.map((e) => e.type)).toEqual(['Two']);
    });

    it('refuses bad input with a clear error and writes nothing', async () => {
      const stream = uniqueStream('limits');
      const expectInputError = async (promise: Promise<unknown>, code: string): Promise<void> => {
        await expect(promise).rejects.toBeInstanceOf(EventStoreInputError);
        await expect(promise).rejects.toMatchObject({ code });
      };
      await expectInputError(store.append('', [event('A')], 'any'), 'INVALID_STREAM');
      await expectInputError(store.append(stream, [], 'any'), 'EMPTY_APPEND');
      const tooMany = Array.from({ length: eventStoreLimits.eventsPerAppendMax + 1 }, () => event('A'));
      await expectInputError(store.append(stream, tooMany, 'any'), 'BATCH_TOO_LARGE');
      const huge = { ...event('Huge'), data: { blob: 'x'.repeat(eventStoreLimits.eventBytesMax) } };
      await expectInputError(store.append(stream, [event('A'), huge], 'any'), 'EVENT_TOO_LARGE');
      await expectInputError(store.append(stream, [{ ...event('A'), type: '' }], 'any'), 'INVALID_EVENT');
      await expectInputError(store.readAll(START_POSITION, 0), 'INVALID_LIMIT');
      await expectInputError(store.readStream(stream, 0n, eventStoreLimits.readLimitMax + 1), 'INVALID_LIMIT');
      expect(await store.streamRevision(stream)).toBeNull();
    });

    it('takes a batch of the largest allowed size in one append', async () => {
      const stream = uniqueStream('big');
      const batch = Array.from({ length: eventStoreLimits.eventsPerAppendMax }, (_, index) => event('Bulk', { index }));
      const result = await store.append(stream, batch, 'no_stream');
      expect(result.nextExpectedRevision).toBe(BigInt(eventStoreLimits.eventsPerAppendMax - 1));
      const tail = await store.readStream(stream, BigInt(eventStoreLimits.eventsPerAppendMax - 2), 10);
      expect(tail.map((e) => e.data['index'])).toEqual([eventStoreLimits.eventsPerAppendMax - 2, eventStoreLimits.eventsPerAppendMax - 1]);
    });
  });
}
