import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { webhookEventId } from '../../core/webhooks/webhook-event';
import { OperatorClient } from '../../simulators/operator-client';
import { WalletSimulator } from '../../simulators/wallet/wallet-simulator';
import { onboardMerchant, sessionBody, type OnboardedMerchant } from '../support/gateway';
import { HttpClient } from '../support/http-client';
import { onboardWallet } from '../support/onboard-wallet';
import { spawnSwitch, type SwitchChild } from '../support/switch-process';
import { tempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * The whole switch as `npm run serve` runs it, SIGKILLed at a deterministic point around a session's webhook
 * (test/reliability/children/switch-kill-point.ts), then restarted on the same data dir:
 * - just after the payment's write that holds SessionCompleted (the fact is durable, nothing is published): the
 *   restarted switch publishes `checkout.session.completed` from the log;
 * - just before the follower's checkpoint (the webhook is durable in the outbox, the checkpoint is not): the
 *   restarted switch publishes it again, which is the very same event, listed once and delivered under one id;
 * - just before the outbox's write of the webhook (its first try went out before it, and is written with its
 *   outcome): the shop may have it already; the restarted switch sends it again under the same id, listed once.
 */
const operatorKey = 'operator-session-webhooks-key-0123456789';
const killPointEntry = join('test', 'reliability', 'children', 'switch-kill-point.ts');

let directory: { path: string; remove: () => void };
let receiver: WebhookReceiver;
let running: SwitchChild | null = null;
const acquirer = new WalletSimulator({
  participantId: 'MARGALLA',
  accounts: [{ walletNumber: 'WSHOPKILL', msisdn: '923001111111', name: 'Shop Kill', balanceMinor: 0n }],
});
const payer = new WalletSimulator({
  participantId: 'RAVI',
  accounts: [{ walletNumber: 'R0001', msisdn: '923002222222', name: 'Chand Bibi', balanceMinor: 1_000_000n }],
});
let payerKey = '';
let shop: OnboardedMerchant;

beforeAll(async () => {
  directory = tempDir('hisaab-session-webhooks-crash-');
  receiver = new WebhookReceiver();
  await receiver.start();
  await acquirer.start();
  await payer.start();
});

afterAll(async () => {
  await running?.stop('SIGKILL');
  await acquirer.close();
  await payer.close();
  await receiver.close();
  directory.remove();
});

function start(killPoint: string | null): Promise<SwitchChild> {
  const environment = { HISAAB_DATA_DIR: directory.path, HISAAB_OPERATOR_KEY: operatorKey, HISAAB_PORT: '0' };
  return killPoint === null
    ? spawnSwitch(environment)
    : spawnSwitch({ ...environment, HISAAB_TEST_KILL_POINT: killPoint }, 20_000, killPointEntry);
}

async function openAndPay(switchUrl: string): Promise<{ sessionId: string; paymentAnswered: boolean }> {
  const created = await new HttpClient(switchUrl).post('/v1/checkout/sessions', {
    key: shop.apiKey,
    body: sessionBody({ orderId: `ORD-${randomUUID().slice(0, 8)}` }),
    headers: { 'idempotency-key': randomUUID() },
  });
  expect(created.status).toBe(201);
  const sessionId = (created.body as { id: string }).id;
  try {
    const response = await fetch(`${switchUrl}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${payerKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: randomUUID(),
        payer: { type: 'WALLET', value: 'R0001' },
        payee: { type: 'MERCHANT', value: 'SHOPKILL' },
        amount: '1500.00',
        currency: 'PKR',
        purpose: 'P2M',
        checkoutSessionId: sessionId,
      }),
      signal: AbortSignal.timeout(10_000),
    });
    await response.text();
    return { sessionId, paymentAnswered: true };
  } catch {
    // The switch died while the payment was open.
    return { sessionId, paymentAnswered: false };
  }
}

/** The switch must die by itself at the kill point: a test that stopped it gracefully would prove nothing. */
async function diedAtItsKillPoint(child: SwitchChild): Promise<void> {
  await waitUntil(() => child.child.exitCode !== null || child.child.signalCode !== null, 'the switch dying at its kill point', 10_000);
  await child.stop();
}

const eventsOf = (sessionId: string) =>
  receiver.received
    .map((request) => JSON.parse(request.rawBody.toString('utf8')) as { id: string; type: string; data: { object: { id: string } } })
    .filter((event) => event.data.object.id === sessionId);

it('publishes a completed session after a SIGKILL just after its SessionCompleted write', async () => {
  running = await start('after:SessionCompleted');
  const operator = new OperatorClient(running.url, operatorKey);
  await onboardWallet(operator, acquirer, { id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923001111111', walletNumber: 'WSHOPKILL' });
  payerKey = await onboardWallet(operator, payer, { id: 'RAVI', msisdn: '923002222222', walletNumber: 'R0001' });
  shop = await onboardMerchant(new HttpClient(running.url), operatorKey, 'SHOPKILL', 'MARGALLA', { webhookUrl: receiver.url });
  const { sessionId, paymentAnswered } = await openAndPay(running.url);
  await diedAtItsKillPoint(running);
  expect(paymentAnswered).toBe(false);
  expect(eventsOf(sessionId)).toEqual([]);

  running = await start(null);
  await waitUntil(() => eventsOf(sessionId).length > 0, 'the completed webhook after the restart', 10_000);
  const [event] = eventsOf(sessionId);
  expect(event?.type).toBe('checkout.session.completed');
  expect(event?.id).toBe(webhookEventId('SHOPKILL', 'checkout.session.completed', sessionId));
  const read = await new HttpClient(running.url).get(`/v1/checkout/sessions/${sessionId}`, { key: shop.apiKey });
  expect(event?.data.object).toEqual(read.body);
  await running.stop('SIGTERM');
}, 60_000);

it('publishes the same event again, once, after a SIGKILL between the publication and the checkpoint', async () => {
  running = await start('before:SessionWebhooksCheckpointed');
  const { sessionId } = await openAndPay(running.url);
  const eventId = webhookEventId('SHOPKILL', 'checkout.session.completed', sessionId);
  // The follower dies at its checkpoint, after the webhook was durable in the outbox.
  await diedAtItsKillPoint(running);

  running = await start(null);
  const client = new HttpClient(running.url);
  await waitUntil(() => eventsOf(sessionId).length > 0, 'the completed webhook after the restart', 10_000);
  // Long enough for a second publication to have been queued and delivered, had there been one.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(new Set(eventsOf(sessionId).map((event) => event.id))).toEqual(new Set([eventId]));
  const listed = await client.get('/v1/merchants/SHOPKILL/events?type=checkout.session.completed', { key: shop.apiKey });
  const ids = (listed.body as { events: { id: string }[] }).events.map((event) => event.id);
  expect(ids.filter((id) => id === eventId)).toHaveLength(1);
  await running.stop('SIGTERM');
}, 60_000);

it('sends the same event again after a SIGKILL between its first try and the outbox write that records it', async () => {
  running = await start('before:DeliveryQueued');
  const { sessionId } = await openAndPay(running.url);
  const eventId = webhookEventId('SHOPKILL', 'checkout.session.completed', sessionId);
  await diedAtItsKillPoint(running);
  // The first try is made before the write: the shop had the event before the switch died, yet nothing recorded it.
  expect(eventsOf(sessionId).map((event) => event.id)).toEqual([eventId]);

  running = await start(null);
  const client = new HttpClient(running.url);
  await waitUntil(() => eventsOf(sessionId).length >= 2, 'the completed webhook sent again after the restart', 10_000);
  expect(new Set(eventsOf(sessionId).map((event) => event.id))).toEqual(new Set([eventId]));
  await waitUntil(
    async () => {
      const listed = await client.get('/v1/merchants/SHOPKILL/events?type=checkout.session.completed', { key: shop.apiKey });
      const events = (listed.body as { events: { id: string; deliveryStatus: string }[] }).events.filter((event) => event.id === eventId);
      return events.length === 1 && events[0]?.deliveryStatus === 'DELIVERED';
    },
    'the event listed once, delivered',
    10_000,
  );
  await running.stop('SIGTERM');
}, 60_000);
