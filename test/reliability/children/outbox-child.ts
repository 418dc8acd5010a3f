/**
 * Runs a wallet-http outbox over an SQLite event store: queues `count` reversals (ids derived from their
 * index, so a restarted child queues the very same ones again, as a producer retrying after a crash would),
 * and delivers them to the wallet at `walletUrl`. Prints `started <pending>`, `queued <new> of <count>`, and a
 * line per recorded attempt (`failed <id> <attempt>`, `delivered <id>`). SIGTERM stops it cleanly.
 *
 * It prints `pid <pid>` first: `tsx <file>` runs the script in a child process of its own, so a crash test
 * must SIGKILL this pid, not the tsx wrapper's (which would leave this process running).
 *
 * Arguments: <events.db> <walletUrl> <signingSecret> <count> [snapshotEveryEvents] [kill point]
 * With a snapshot interval it also prints `loaded <snapshot revision | none> <events replayed>` after `started`; a
 * kill point (`before:OutboxSnapshotChunk`, say; see store-kill-point.ts) makes it SIGKILL itself at that write.
 */
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { WalletHttpClient } from '../../../adapters/wallet-http/wallet-http-client';
import { Outbox } from '../../../core/outbox/outbox';
import { reversalDelivery } from '../../../core/outbox/payee-deliveries';
import { outboxChildMessage } from './outbox-child-messages';
import { installStoreKillPoint } from './store-kill-point';
import { runChild, serveUntilSigterm } from './child-process-lifecycle';

async function main(): Promise<void> {
  process.stdout.write(`pid ${process.pid}\n`);
  const [eventsPath, walletUrl, signingSecret, countText, snapshotEveryText, killPoint] = process.argv.slice(2);
  if (!eventsPath || !walletUrl || !signingSecret || !countText)
    throw new Error('usage: outbox-child <events.db> <walletUrl> <signingSecret> <count> [snapshotEveryEvents] [kill point]');
  if (killPoint !== undefined) installStoreKillPoint(killPoint);
  const store = new SqliteEventStore(eventsPath);
  const client = new WalletHttpClient({
    resolveEndpoint: () => ({ creditUrl: `${walletUrl}/credit`, reversalUrl: `${walletUrl}/reversal`, signingSecrets: [signingSecret] }),
  });
  const outbox = new Outbox({
    store,
    channel: 'wallet-http',
    transport: client,
    limits: {
      retryDelayBaseMs: 20,
      retryDelayCapMs: 100,
      attemptDeadlineMs: 2_000,
      ...(snapshotEveryText === undefined ? {} : { snapshotEveryEvents: Number(snapshotEveryText) }),
    },
    onRecorded: (events) => {
      for (const event of events) {
        if (event.type === 'DeliveryAttemptFailed') process.stdout.write(`failed ${event.data.deliveryId} ${event.data.attempt}\n`);
        if (event.type === 'DeliverySucceeded') process.stdout.write(`delivered ${event.data.deliveryId}\n`);
      }
    },
    onError: (error) => process.stderr.write(`outbox error: ${String(error)}\n`),
  });
  await outbox.start();
  process.stdout.write(`started ${outbox.pendingCount}\n`);
  if (snapshotEveryText !== undefined) {
    const { snapshotRevision, eventsReplayed } = outbox.startedFrom;
    process.stdout.write(`loaded ${snapshotRevision === null ? 'none' : snapshotRevision.toString()} ${eventsReplayed}\n`);
  }
  const count = Number(countText);
  let queued = 0;
  for (let index = 0; index < count; index += 1) {
    const answer = await outbox.enqueue(reversalDelivery('MARGALLA', { ...outboxChildMessage(index), reason: 'PAYEE_TIMEOUT' }));
    if (answer.queued) queued += 1;
  }
  process.stdout.write(`queued ${queued} of ${count}\n`);
  serveUntilSigterm(async () => {
    await outbox.stop();
    await store.close();
    client.close();
  });
}

runChild(main);
