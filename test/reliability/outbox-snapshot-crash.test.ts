import { join } from 'node:path';
import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import { outboxSnapshotChunkType, outboxSnapshotStream } from '../../core/outbox/outbox-snapshot';
import type { WalletSimulator } from '../../simulators/wallet/wallet-simulator';
import { startCreditedWallet } from '../support/credited-wallet';
import { childScript, TsxChild } from '../support/tsx-child';
import { tempDir } from '../support/temp-dir';
import { outboxChildMessage } from './children/outbox-child-messages';

const deliveryCount = 20;
/** Small, so that the first snapshot falls in the middle of the deliveries (40 events in all). */
const snapshotEveryEvents = 10;
const signingSecret = 'whsec_outbox_snapshot_crash';
const walletNumber = '03001234567';
const openingBalanceMinor = 1_000_000n;
const outboxStreamName = 'outbox-wallet-http';

/**
 * Issue 14: start-up reads the outbox's latest snapshot and the stream after it. A SIGKILL just before a snapshot
 * is durable, or just after, must lose no delivery and repeat none: every reversal queued is delivered, the wallet
 * applies each once, the stream records each queued and delivered exactly once, and a later start begins at a
 * snapshot that matches the stream.
 */
describe('outbox snapshot across a SIGKILL (nothing queued is lost, nothing delivered twice)', () => {
  let directory: ReturnType<typeof tempDir>;
  let wallet: WalletSimulator;
  let eventsPath: string;
  const children: TsxChild[] = [];
  const transferIds = Array.from({ length: deliveryCount }, (_unused, index) => outboxChildMessage(index).transferId);

  const startChild = (killPoint?: string): TsxChild => {
    const args = [eventsPath, wallet.url, signingSecret, String(deliveryCount), String(snapshotEveryEvents)];
    const child = new TsxChild(childScript('outbox-child.ts'), killPoint === undefined ? args : [...args, killPoint]);
    children.push(child);
    return child;
  };

  beforeEach(async () => {
    directory = tempDir('hisaab-outbox-snapshot-crash-');
    eventsPath = join(directory.path, 'events.db');
    // The transfers that timed out: the wallet did credit them; the reversals must undo each exactly once.
    wallet = await startCreditedWallet({ deliveryCount, signingSecret, walletNumber, openingBalanceMinor });
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.kill();
      await child.exited;
    }
    await wallet.close();
    directory.remove();
  });

  const read = async (stream: string) => {
    const store = new SqliteEventStore(eventsPath);
    try {
      return await store.readStream(stream, 0n, 10_000);
    } finally {
      await store.close();
    }
  };

  /** Runs a child until every reversal is delivered (or was already), then stops it with SIGTERM. */
  const runToTheEnd = async (): Promise<{ loaded: string; queued: string }> => {
    const child = startChild();
    const loaded = await child.waitForLine((line) => line.startsWith('loaded '), 20_000);
    const queued = await child.waitForLine((line) => line.startsWith('queued '), 20_000);
    const deadline = Date.now() + 20_000;
    while (wallet.received('REVERSAL').length < deliveryCount && Date.now() < deadline) await sleep(10);
    await waitForQuiet();
    // To the script's own process: tsx runs it under a wrapper of its own (see outbox-child.ts).
    const pidLine = child.lines.find((line) => line.startsWith('pid ')) as string;
    process.kill(Number(pidLine.slice('pid '.length)), 'SIGTERM');
    await child.waitForLine((line) => line === 'stopped', 10_000);
    expect((await child.exited).code).toBe(0);
    return { loaded, queued };
  };

  /** Waits until the stream records every delivery as succeeded (the wallet answered before the record was durable). */
  const waitForQuiet = async (): Promise<void> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const succeeded = (await read(outboxStreamName)).filter((event) => event.type === 'DeliverySucceeded').length;
      if (succeeded >= deliveryCount || Date.now() > deadline) return;
      await sleep(20);
    }
  };

  for (const when of ['before', 'after'] as const) {
    it(`delivers every reversal once when killed ${when} its first snapshot is durable`, async () => {
      const first = startChild(`${when}:${outboxSnapshotChunkType}`);
      const exit = await first.exited;
      // tsx runs the script in a process of its own and passes a SIGKILL on as exit code 128 + 9.
      expect(exit.signal === 'SIGKILL' || exit.code === 137).toBe(true);
      expect(first.lines.includes('stopped')).toBe(false);
      const snapshotsAtKill = await read(outboxSnapshotStream(outboxStreamName));
      expect(snapshotsAtKill.length > 0).toBe(when === 'after');

      // The producer queues the same reversals again, as after any crash; the outbox recognises those it holds.
      const second = await runToTheEnd();
      expect(second.loaded.startsWith(when === 'after' ? 'loaded 9 ' : 'loaded none ')).toBe(true);
      const third = await runToTheEnd();
      expect(third.queued).toBe(`queued 0 of ${deliveryCount}`);

      const reversals = wallet.received('REVERSAL');
      expect(new Set(reversals.map((message) => message.transferId))).toEqual(new Set(transferIds));
      expect(wallet.balanceOf(walletNumber)).toBe(openingBalanceMinor);
      for (const transferId of transferIds) expect(wallet.creditRecord(transferId)?.state).toBe('REVERSED');
      const events = await read(outboxStreamName);
      expect(events.filter((event) => event.type === 'DeliveryQueued')).toHaveLength(deliveryCount);
      expect(events.filter((event) => event.type === 'DeliverySucceeded')).toHaveLength(deliveryCount);
      // The last start began at a snapshot and read only the stream after it.
      const [, snapshotRevision, replayed] = third.loaded.split(' ');
      expect(snapshotRevision).not.toBe('none');
      expect(Number(snapshotRevision) + 1 + Number(replayed)).toBe(events.length);
      expect(Number(replayed)).toBeLessThan(events.length);
    }, 90_000);
  }
});

function sleep(durationMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, durationMs));
}
