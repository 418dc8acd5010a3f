import { switchJwsChecker } from '../../simulators/switch-jws-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { signatureHeader, signatureHeaderName } from '../../core/signing';
import { errorCode } from '../support/http-client';
import { PaymentNetwork } from '../support/payment-network';
import { waitUntil } from '../support/wait-until';
import { WebhookReceiver, type ReceivedWebhook } from '../support/webhook-receiver';

type Verify = (rawBody: Buffer, header: unknown, secret: string, toleranceSeconds?: number) => boolean;

/** The README's verification snippet, exactly as printed between its markers, as a function. */
function readmeVerifier(): Verify {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /<!-- webhook-verify:start -->\n```js\n([\s\S]*?)```\n<!-- webhook-verify:end -->/.exec(readme);
  if (block?.[1] === undefined) throw new Error('the README has no webhook verification snippet between its markers');
  const wrap = runInThisContext(`(function (require) {\n${block[1]}\nreturn verifyHisaabSignature;\n})`) as (load: NodeRequire) => Verify;
  return wrap(require);
}

/**
 * Webhooks to a merchant onboarded through the API (issue 11): its webhookUrl, its secret and its rotation, through
 * the gateway's port; the receiver verifies with the README's own snippet.
 */
describe('webhooks to a registered merchant, verified by the README snippet', () => {
  let network: PaymentNetwork;
  let receiver: WebhookReceiver;
  const verify = readmeVerifier();
  const headerOf = (request: ReceivedWebhook): unknown => request.headers[signatureHeaderName.toLowerCase()];

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    network = await PaymentNetwork.start([], [{ id: 'MARGALLA', bankCode: 'MRGL', msisdn: '923000000001' }]);
  });
  afterAll(async () => {
    await network.close();
    await receiver.close();
  });

  it('delivers a signed event the snippet accepts, two signatures after a rotation, and only to its merchant', async () => {
    const client = network.sw.client;
    const operator = network.sw.operatorKey;
    const register = (id: string) =>
      client.post('/v1/merchants', {
        key: operator,
        body: {
          id,
          name: 'Webhook Shop',
          mcc: '5411',
          city: 'Lahore',
          acquirer: 'MARGALLA',
          settlementAccount: { type: 'WALLET', value: `W${id.replace(/_/g, '')}` },
          webhookUrl: receiver.url,
        },
      });
    const registered = await register('SHOP_HOOKS');
    expect(registered.status).toBe(201);
    const { apiKey, webhookSecret } = registered.body as { apiKey: string; webhookSecret: string };
    const other = await register('SHOP_ELSE');
    const otherKey = (other.body as { apiKey: string }).apiKey;
    // The merchant's receiver answers 200 only to what the README's snippet verifies.
    let secret = webhookSecret;
    receiver.decide = (request) => (verify(request.rawBody, headerOf(request), secret) ? 200 : 400);

    const publisher = network.sw.running.webhooks.publisher;
    const first = await publisher.publish({
      merchantId: 'SHOP_HOOKS',
      type: 'checkout.session.completed',
      object: { id: 'cs_hooks_1', status: 'COMPLETED' },
      sourceId: 'cs_hooks_1',
    });
    const listed = async (key: string): Promise<{ id: string; deliveryStatus: string }[]> =>
      ((await client.get('/v1/merchants/SHOP_HOOKS/events', { key })).body as { events: { id: string; deliveryStatus: string }[] }).events;
    await waitUntil(
      async () => (await listed(apiKey)).some((event) => event.id === first.eventId && event.deliveryStatus === 'DELIVERED'),
      'delivered',
    );
    const [request] = receiver.deliveriesOf(first.eventId);
    if (request === undefined) throw new Error('nothing arrived');
    expect(verify(request.rawBody, headerOf(request), webhookSecret)).toBe(true);
    // What the snippet refuses: another secret, a changed body, a timestamp outside 300 s, no header.
    expect(verify(request.rawBody, headerOf(request), 'whsec_not_the_secret')).toBe(false);
    expect(verify(Buffer.concat([request.rawBody, Buffer.from(' ')]), headerOf(request), webhookSecret)).toBe(false);
    const stale = signatureHeader({ secrets: [webhookSecret], rawBody: request.rawBody, now: new Date(Date.now() - 301_000) });
    expect(verify(request.rawBody, stale, webhookSecret)).toBe(false);
    expect(verify(request.rawBody, undefined, webhookSecret)).toBe(false);

    const rotated = await client.post('/v1/merchants/SHOP_HOOKS/webhook-secret/rotate', { key: apiKey });
    expect(rotated.status).toBe(200);
    const newSecret = (rotated.body as { webhookSecret: string }).webhookSecret;
    secret = newSecret;
    const second = await publisher.publish({
      merchantId: 'SHOP_HOOKS',
      type: 'refund.succeeded',
      object: { id: 're_hooks_1', status: 'SUCCEEDED' },
      sourceId: 're_hooks_1',
    });
    await waitUntil(
      async () => (await listed(operator)).some((event) => event.id === second.eventId && event.deliveryStatus === 'DELIVERED'),
      'delivered',
    );
    const [afterRotation] = receiver.deliveriesOf(second.eventId);
    if (afterRotation === undefined) throw new Error('nothing arrived');
    expect(String(headerOf(afterRotation)).match(/v1=/g)).toHaveLength(2);
    expect(verify(afterRotation.rawBody, headerOf(afterRotation), newSecret)).toBe(true);
    expect(verify(afterRotation.rawBody, headerOf(afterRotation), webhookSecret)).toBe(true);

    // The switch's own signature (issue 15) beside the HMAC: a merchant checks it against the published JWKS, and a
    // rotation of the switch's key needs nothing of the merchant (the checker fetches the JWKS again for a new kid).
    const jwsOf = switchJwsChecker(`${network.sw.url}/.well-known/jwks.json`);
    const checkJws = (webhook: ReceivedWebhook) =>
      jwsOf({
        header: webhook.headers['hisaab-jws'],
        method: 'POST',
        pathWithQuery: '/webhooks',
        rawBody: webhook.rawBody,
        now: new Date(),
      });
    expect(await checkJws(request)).toBe('VALID');
    expect(await checkJws({ ...request, rawBody: Buffer.concat([request.rawBody, Buffer.from(' ')]) })).toBe('INVALID');
    expect(await checkJws({ ...request, headers: {} })).toBe('MISSING');
    const keyRotation = await client.post('/v1/switch/signing-keys', { key: operator });
    expect(keyRotation.status).toBe(201);
    const third = await publisher.publish({
      merchantId: 'SHOP_HOOKS',
      type: 'refund.succeeded',
      object: { id: 're_hooks_2', status: 'SUCCEEDED' },
      sourceId: 're_hooks_2',
    });
    await waitUntil(
      async () => (await listed(operator)).some((event) => event.id === third.eventId && event.deliveryStatus === 'DELIVERED'),
      'delivered',
    );
    const [afterKeyRotation] = receiver.deliveriesOf(third.eventId);
    if (afterKeyRotation === undefined) throw new Error('nothing arrived');
    expect(await checkJws(afterKeyRotation)).toBe('VALID');
    const signedWith = JSON.parse(
      Buffer.from(String(afterKeyRotation.headers['hisaab-jws']).split('.')[0] ?? '', 'base64url').toString('utf8'),
    ) as { kid: string };
    expect(signedWith.kid).toBe((keyRotation.body as { kid: string }).kid);

    const hidden = await client.get('/v1/merchants/SHOP_HOOKS/events', { key: otherKey });
    expect([hidden.status, errorCode(hidden)]).toEqual([404, 'MERCHANT_NOT_FOUND']);
    const resendHidden = await client.post(`/v1/events/${first.eventId}/resend`, { key: otherKey });
    expect([resendHidden.status, errorCode(resendHidden)]).toEqual([404, 'WEBHOOK_EVENT_NOT_FOUND']);
  });
});
