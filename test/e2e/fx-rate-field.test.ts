import { errorCode } from '../support/http-client';
import { expectLogUnchanged, onboardParticipant, startTestSwitch, type TestSwitch } from '../support/switch-process';

/**
 * A rate refused is refused one way, naming `body.rate`, whatever is wrong with it. An outside test found a zero rate
 * answered INVALID_RATE with empty details, while every other malformed rate is VALIDATION_FAILED naming the field.
 */
let sw: TestSwitch;
let dealerKey = '';

beforeAll(async () => {
  sw = await startTestSwitch({});
  dealerKey = (await onboardParticipant(sw, 'ALLIED', 'ABPL', { type: 'BANK', fxProvider: true, currencies: ['PKR', 'USD'] })).key;
}, 60_000);
afterAll(async () => {
  await sw.close();
});

it.each(['0', '0.00', '0.00000000', '1e2', '301.123456789'])('refuses the rate %s naming body.rate, recording nothing', async (rate) => {
  const refused = await expectLogUnchanged(sw, () =>
    sw.client.put('/v1/fx/rates/USD/PKR', { key: dealerKey, body: { rate, validForSeconds: 60 } }),
  );
  expect([refused.status, errorCode(refused)]).toEqual([400, 'VALIDATION_FAILED']);
  expect(refused.body).toMatchObject({ error: { details: [{ path: ['body', 'rate'] }] } });
});

it('takes the smallest rate it can hold, 0.00000001', async () => {
  const posted = await sw.client.put('/v1/fx/rates/USD/PKR', { key: dealerKey, body: { rate: '0.00000001', validForSeconds: 60 } });
  expect(posted).toMatchObject({ status: 200, body: { rate: '0.00000001' } });
});
