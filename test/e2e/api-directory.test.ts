import { ibanWithCheckDigits } from '../../core/directory/iban';
import { errorCode } from '../support/http-client';
import { expectLogUnchanged, onboardParticipant, startTestSwitch, type TestSwitch } from '../support/switch-process';

let sw: TestSwitch;
let margalla: string;
let ravi: string;
const margallaIban = ibanWithCheckDigits('PK', 'MRGL', '0000001234567890');
const raviIban = ibanWithCheckDigits('PK', 'RAVI', '0000009876543210');

beforeAll(async () => {
  sw = await startTestSwitch();
  margalla = (await onboardParticipant(sw, 'MARGALLA', 'MRGL')).key;
  ravi = (await onboardParticipant(sw, 'RAVI', 'RAVI')).key;
});
afterAll(async () => {
  await sw.close();
});

const aliasBody = (value: string, overrides: Record<string, unknown> = {}) => ({
  type: 'MSISDN',
  value,
  account: { type: 'WALLET', value: `0${value.slice(2)}` },
  name: 'Ayesha Khan',
  ...overrides,
});

describe('POST /v1/aliases', () => {
  it('registers an alias and answers with it', async () => {
    const answer = await sw.client.post('/v1/aliases', { key: margalla, body: aliasBody('923001111111') });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      type: 'MSISDN',
      value: '923001111111',
      participant: 'MARGALLA',
      account: { type: 'WALLET', value: '03001111111' },
      name: 'Ayesha Khan',
    });
  });

  it('refuses an alias another participant holds with 409 ALIAS_TAKEN, changing nothing', async () => {
    await sw.client.post('/v1/aliases', { key: margalla, body: aliasBody('923002222222') });
    const answer = await expectLogUnchanged(sw, () =>
      sw.client.post('/v1/aliases', { key: ravi, body: aliasBody('923002222222', { name: 'Someone Else' }) }),
    );
    expect(answer.status).toBe(409);
    expect(errorCode(answer)).toBe('ALIAS_TAKEN');
    const party = await sw.client.get('/v1/parties/MSISDN/923002222222', { key: ravi });
    expect(party.body).toEqual({ participant: 'MARGALLA', account: { type: 'WALLET' }, name: 'A***a K***n' });
  });

  it('lets the owner register the same alias again (no new fact) and update it', async () => {
    await sw.client.post('/v1/aliases', { key: margalla, body: aliasBody('923003333333') });
    const again = await expectLogUnchanged(sw, () => sw.client.post('/v1/aliases', { key: margalla, body: aliasBody('923003333333') }));
    expect(again.status).toBe(201);
    const updated = await sw.client.post('/v1/aliases', { key: margalla, body: aliasBody('923003333333', { name: 'Bilal Ahmed' }) });
    expect(updated.status).toBe(201);
    expect((await sw.client.get('/v1/parties/MSISDN/923003333333', { key: ravi })).body).toMatchObject({ name: 'B***l A***d' });
  });

  it('registers CNIC and MERCHANT aliases pointing at an IBAN of the owner', async () => {
    const cnic = await sw.client.post('/v1/aliases', {
      key: margalla,
      body: { type: 'CNIC', value: '3520212345671', account: { type: 'IBAN', value: margallaIban }, name: 'Zainab Bibi' },
    });
    expect(cnic.status).toBe(201);
    const merchant = await sw.client.post('/v1/aliases', {
      key: margalla,
      body: { type: 'MERCHANT', value: 'CAFE-ZAM', account: { type: 'IBAN', value: margallaIban }, name: 'Cafe Zam Zam' },
    });
    expect(merchant.status).toBe(201);
    expect((await sw.client.get('/v1/parties/CNIC/3520212345671', { key: ravi })).body).toEqual({
      participant: 'MARGALLA',
      account: { type: 'IBAN' },
      name: 'Z***b B***i',
    });
  });

  it("refuses an IBAN of another bank than the caller's with 422 ACCOUNT_NOT_AT_PARTICIPANT", async () => {
    const answer = await expectLogUnchanged(sw, () =>
      sw.client.post('/v1/aliases', { key: margalla, body: aliasBody('923004444444', { account: { type: 'IBAN', value: raviIban } }) }),
    );
    expect(answer.status).toBe(422);
    expect(errorCode(answer)).toBe('ACCOUNT_NOT_AT_PARTICIPANT');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a local-format MSISDN', aliasBody('03001234567'), 'INVALID_ALIAS'],
    ['a CNIC with dashes', aliasBody('35202-1234567-1', { type: 'CNIC' }), 'INVALID_ALIAS'],
    ['a lower-case merchant id', aliasBody('cafe', { type: 'MERCHANT' }), 'INVALID_ALIAS'],
    ['an unknown alias type', aliasBody('923005555555', { type: 'EMAIL' }), 'VALIDATION_FAILED'],
    [
      'an IBAN with wrong check digits',
      aliasBody('923005555555', { account: { type: 'IBAN', value: `${margallaIban.slice(0, 2)}00${margallaIban.slice(4)}` } }),
      'INVALID_IBAN',
    ],
    [
      'an IBAN of the wrong length',
      aliasBody('923005555555', { account: { type: 'IBAN', value: margallaIban.slice(0, 23) } }),
      'INVALID_IBAN',
    ],
    ['a foreign IBAN', aliasBody('923005555555', { account: { type: 'IBAN', value: 'GB82WEST12345698765432' } }), 'INVALID_IBAN'],
    ['a wallet account with spaces', aliasBody('923005555555', { account: { type: 'WALLET', value: '0300 555' } }), 'INVALID_ACCOUNT'],
    ['an unknown account type', aliasBody('923005555555', { account: { type: 'CARD', value: '4111111111111111' } }), 'VALIDATION_FAILED'],
    ['a missing name', { type: 'MSISDN', value: '923005555555', account: { type: 'WALLET', value: '03005555555' } }, 'VALIDATION_FAILED'],
    ['a name too long', aliasBody('923005555555', { name: 'N'.repeat(141) }), 'VALIDATION_FAILED'],
    ['the value as a number', aliasBody('923005555555', { value: 923005555555 }), 'VALIDATION_FAILED'],
    ['an unknown field', aliasBody('923005555555', { verified: true }), 'VALIDATION_FAILED'],
    [
      'an unknown account field',
      aliasBody('923005555555', { account: { type: 'WALLET', value: '03005555555', bank: 'X' } }),
      'VALIDATION_FAILED',
    ],
  ])('refuses %s with 400 %s, changing nothing', async (_name, body, code) => {
    const answer = await expectLogUnchanged(sw, () => sw.client.post('/v1/aliases', { key: margalla, body }));
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe(code);
    expect((await sw.client.get('/v1/parties/MSISDN/923005555555', { key: ravi })).status).toBe(404);
  });
  it.each<[string, Record<string, unknown>, (string | number)[]]>([
    ['a local-format MSISDN', aliasBody('03001234567'), ['body', 'value']],
    [
      'an IBAN with wrong check digits',
      aliasBody('923005555555', { account: { type: 'IBAN', value: 'PK00MRGL0000001234567890' } }),
      ['body', 'account', 'value'],
    ],
    [
      'a wallet account with spaces',
      aliasBody('923005555555', { account: { type: 'WALLET', value: '0300 555' } }),
      ['body', 'account', 'value'],
    ],
  ])('names the field of %s as the client sent it, in the details and the message', async (_name, body, path) => {
    const answer = await sw.client.post('/v1/aliases', { key: margalla, body });
    expect(answer.body).toMatchObject({
      error: { message: expect.stringMatching(new RegExp(`^${path.join('\\.')}: `)), details: [{ path }] },
    });
  });
});

describe('DELETE /v1/aliases/{type}/{value}', () => {
  it('lets only the owner remove an alias; then it is free for others', async () => {
    await sw.client.post('/v1/aliases', { key: margalla, body: aliasBody('923006666666') });
    const byOther = await expectLogUnchanged(sw, () => sw.client.delete('/v1/aliases/MSISDN/923006666666', { key: ravi }));
    expect(byOther.status).toBe(403);
    expect(errorCode(byOther)).toBe('FORBIDDEN');
    const byOwner = await sw.client.delete('/v1/aliases/MSISDN/923006666666', { key: margalla });
    expect(byOwner.status).toBe(204);
    expect(errorCode(await sw.client.get('/v1/parties/MSISDN/923006666666', { key: ravi }))).toBe('PARTY_NOT_FOUND');
    const taken = await sw.client.post('/v1/aliases', { key: ravi, body: aliasBody('923006666666', { name: 'Usman Ali' }) });
    expect(taken.status).toBe(201);
    expect((await sw.client.get('/v1/parties/MSISDN/923006666666', { key: margalla })).body).toMatchObject({ participant: 'RAVI' });
  });

  it('answers 404 ALIAS_NOT_FOUND for an alias nobody holds, and 400 for a malformed one', async () => {
    const missing = await sw.client.delete('/v1/aliases/MSISDN/923009999999', { key: margalla });
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('ALIAS_NOT_FOUND');
    expect((await sw.client.delete('/v1/aliases/MSISDN/12', { key: margalla })).status).toBe(400);
    expect((await sw.client.delete('/v1/aliases/PHONE/923009999999', { key: margalla })).status).toBe(400);
  });

  it('names path.value in the details of a malformed alias', async () => {
    const answer = await sw.client.delete('/v1/aliases/MSISDN/12', { key: margalla });
    expect(answer.body).toMatchObject({ error: { code: 'INVALID_ALIAS', details: [{ path: ['path', 'value'] }] } });
  });
});

describe('GET /v1/parties/{type}/{value}', () => {
  it('answers the owning participant, the account type and the masked name', async () => {
    const answer = await sw.client.get('/v1/parties/MSISDN/923001111111', { key: ravi });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ participant: 'MARGALLA', account: { type: 'WALLET' }, name: 'A***a K***n' });
    expect(answer.text).not.toContain('Ayesha');
    expect(answer.text).not.toContain('03001111111');
  });

  it('routes an IBAN by its bank code, naming the holder when an alias knows the account', async () => {
    const known = await sw.client.get(`/v1/parties/IBAN/${margallaIban}`, { key: ravi });
    expect(known.body).toEqual({ participant: 'MARGALLA', account: { type: 'IBAN' }, name: expect.stringMatching(/\*\*\*/) });
    const unknownHolder = await sw.client.get(`/v1/parties/IBAN/${raviIban}`, { key: margalla });
    expect(unknownHolder.body).toEqual({ participant: 'RAVI', account: { type: 'IBAN' }, name: null });
  });

  it('answers 404 PARTY_NOT_FOUND for an unregistered alias and an IBAN of a bank that is not a participant', async () => {
    const alias = await sw.client.get('/v1/parties/MSISDN/923008888888', { key: ravi });
    expect(alias.status).toBe(404);
    expect(errorCode(alias)).toBe('PARTY_NOT_FOUND');
    const iban = await sw.client.get(`/v1/parties/IBAN/${ibanWithCheckDigits('PK', 'HABB', '0000001111111111')}`, { key: ravi });
    expect(iban.status).toBe(404);
    expect(errorCode(iban)).toBe('PARTY_NOT_FOUND');
  });

  it.each<[string, string]>([
    ['/v1/parties/IBAN/PK00MRGL0000001234567890', 'INVALID_IBAN'],
    [`/v1/parties/IBAN/${margallaIban}1`, 'INVALID_IBAN'],
    ['/v1/parties/MSISDN/03001111111', 'INVALID_ALIAS'],
    ['/v1/parties/WALLET/03001111111', 'VALIDATION_FAILED'],
  ])('refuses %s with 400 %s', async (path, code) => {
    const answer = await sw.client.get(path, { key: ravi });
    expect(answer.status).toBe(400);
    expect(errorCode(answer)).toBe(code);
    if (code !== 'VALIDATION_FAILED') expect(answer.body).toMatchObject({ error: { details: [{ path: ['path', 'value'] }] } });
  });
});
