import { randomUUID } from 'node:crypto';
import { errorCode } from '../support/http-client';
import { inboundPaymentBody, setUpInboundPayments, type InboundParties } from '../support/inbound-payments';
import { expectLogUnchanged, onboardParticipant, startTestSwitch, type TestSwitch } from '../support/switch-process';

/**
 * What the README says of ids, checked: a transfer's id is scoped to its payer, so two participants may each use one,
 * but an in-bound payment's id is one namespace across every PSP (the README said "like transfers" until an outside
 * test found otherwise), so a second PSP's payment with an id already used is refused and records nothing.
 */
let sw: TestSwitch;
let parties: InboundParties;
let secondPspKey: string;

beforeAll(async () => {
  sw = await startTestSwitch();
  parties = await setUpInboundPayments(sw.client, sw.operatorKey, 'http://127.0.0.1:9/webhooks');
  secondPspKey = (
    await onboardParticipant(sw, 'WISE', 'WISE', { type: 'INBOUND_PSP', currency: undefined, currencies: ['USD'], netDebitCap: '50000.00' })
  ).key;
}, 60_000);

afterAll(async () => {
  await sw.close();
});

it("shares in-bound payment ids across PSPs: another PSP's id is 409 INBOUND_PAYMENT_CONFLICT, recording nothing", async () => {
  const id = randomUUID();
  const first = await sw.client.post('/v1/inbound/payments', { key: parties.pspKey, body: inboundPaymentBody(id) });
  expect(first.status).toBe(201);
  const second = await expectLogUnchanged(sw, () =>
    sw.client.post('/v1/inbound/payments', { key: secondPspKey, body: inboundPaymentBody(id) }),
  );
  expect([second.status, errorCode(second)]).toEqual([409, 'INBOUND_PAYMENT_CONFLICT']);
  // The first PSP's payment is not the second's to read.
  expect((await sw.client.get(`/v1/inbound/payments/${id}`, { key: secondPspKey })).status).toBe(404);
  expect((await sw.client.get(`/v1/inbound/payments/${id}`, { key: parties.pspKey })).status).toBe(200);
});
