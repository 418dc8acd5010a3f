import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteSubjectKeyStore } from '../../../adapters/subject-keys-sqlite/sqlite-subject-key-store';
import { parseDataSubject } from '../../../core/personal-data/data-subject';
import { PersonalDataCipher } from '../../../core/personal-data/personal-data-cipher';
import { personalEventFields } from '../../../core/personal-data/personal-event-fields';
import { isSealedText, subjectReferenceOfSealed } from '../../../core/personal-data/sealed-text';
import { newMasterKey } from '../../../core/secrets/secret-box';
import { tempDir } from '../../support/temp-dir';

const now = (): Date => new Date('2026-12-03T10:00:00Z');
const msisdn = { type: 'MSISDN', value: '923451112223' } as const;

let directory: { path: string; remove: () => void };
let keys: SqliteSubjectKeyStore;
let cipher: PersonalDataCipher;
const masterKey = newMasterKey();

beforeEach(() => {
  directory = tempDir('hisaab-subject-keys-');
  keys = new SqliteSubjectKeyStore(join(directory.path, 'subject-keys.db'));
  cipher = new PersonalDataCipher(masterKey, keys, now);
});
afterEach(() => {
  keys.close();
  directory.remove();
});

describe('envelope encryption per data subject', () => {
  it('seals a value under its subject and opens it; the same value of the same subject seals to the same text', () => {
    const reference = cipher.referenceOf(msisdn);
    const sealed = cipher.seal(reference, 'Ayesha Khan');
    expect(isSealedText(sealed)).toBe(true);
    expect(sealed).not.toContain('Ayesha');
    expect(subjectReferenceOfSealed(sealed)).toBe(reference);
    expect(cipher.open(sealed)).toBe('Ayesha Khan');
    expect(cipher.seal(reference, 'Ayesha Khan')).toBe(sealed);
    expect(cipher.seal(reference, 'Ayesha Khan ')).not.toBe(sealed);
  });

  it('names a subject by a keyed hash: the same under the same master key, another under another', () => {
    const again = new PersonalDataCipher(masterKey, keys, now);
    const other = new PersonalDataCipher(newMasterKey(), keys, now);
    expect(again.referenceOf(msisdn)).toBe(cipher.referenceOf(msisdn));
    expect(other.referenceOf(msisdn)).not.toBe(cipher.referenceOf(msisdn));
    expect(cipher.referenceOf({ type: 'CNIC', value: msisdn.value })).not.toBe(cipher.referenceOf(msisdn));
  });

  it('reads text that is not sealed as it is: values written before sealing', () => {
    expect(cipher.open('923001234567')).toBe('923001234567');
    expect(cipher.open('pd1.not-quite')).toBe('pd1.not-quite');
  });

  it('erases a subject: what was sealed reads [erased], another subject is untouched, and a new key does not bring it back', () => {
    const reference = cipher.referenceOf(msisdn);
    const otherReference = cipher.referenceOf({ type: 'MSISDN', value: '923451112224' });
    const sealed = cipher.seal(reference, 'Ayesha Khan');
    const other = cipher.seal(otherReference, 'Chand Bibi');
    expect(cipher.erase(reference)).toBe(1);
    expect(cipher.open(sealed)).toBe('[erased]');
    expect(cipher.open(other)).toBe('Chand Bibi');
    expect(cipher.erase(reference)).toBe(0);
    // The subject seen again after its erasure gets a new key; what the old one sealed stays erased.
    const resealed = cipher.seal(reference, 'Ayesha Khan');
    expect(cipher.open(resealed)).toBe('Ayesha Khan');
    expect(cipher.open(sealed)).toBe('[erased]');
    // Another process (a fresh cipher over the same key store) sees the same.
    const fresh = new PersonalDataCipher(masterKey, keys, now);
    expect(fresh.open(sealed)).toBe('[erased]');
    expect(fresh.open(resealed)).toBe('Ayesha Khan');
  });

  it('remembers sealed and opened values only until an erasure: a value read many times reads [erased] right after it', () => {
    const reference = cipher.referenceOf(msisdn);
    const sealed = cipher.seal(reference, 'Ayesha Khan');
    for (let read = 0; read < 3; read += 1) expect(cipher.open(sealed)).toBe('Ayesha Khan');
    expect(cipher.seal(reference, 'Ayesha Khan')).toBe(sealed);
    cipher.erase(reference);
    expect(cipher.open(sealed)).toBe('[erased]');
    const resealed = cipher.seal(reference, 'Ayesha Khan');
    expect(resealed).not.toBe(sealed);
    expect(cipher.open(resealed)).toBe('Ayesha Khan');
  });

  it('remembers nothing in a process that does not erase (a worker): another process’s erasure reaches its next read', () => {
    const reference = cipher.referenceOf(msisdn);
    const sealed = cipher.seal(reference, 'Ayesha Khan');
    const worker = new PersonalDataCipher(masterKey, keys, now, 0);
    expect(worker.open(sealed)).toBe('Ayesha Khan');
    expect(worker.open(sealed)).toBe('Ayesha Khan');
    cipher.erase(reference);
    expect(worker.open(sealed)).toBe('[erased]');
  });
  it('leaves nothing of a destroyed key in the key store files, the write-ahead log included', () => {
    const reference = cipher.referenceOf(msisdn);
    cipher.seal(reference, 'Ayesha Khan');
    const wrapped = keys.find(reference)?.wrappedKey ?? '';
    expect(wrapped.length).toBeGreaterThan(20);
    const filesHolding = (): string[] =>
      readdirSync(directory.path).filter((name) => readFileSync(join(directory.path, name)).includes(Buffer.from(wrapped, 'utf8')));
    expect(filesHolding().length).toBeGreaterThan(0);
    cipher.erase(reference);
    expect(filesHolding()).toEqual([]);
  });

  it('refuses a sealed value that was altered: the data dir was changed', () => {
    const sealed = cipher.seal(cipher.referenceOf(msisdn), 'Ayesha Khan');
    const parts = sealed.split('.');
    parts[4] = Buffer.from('Bysha Khan!').toString('base64url');
    expect(() => cipher.open(parts.join('.'))).toThrow(/authentication tag/);
  });
});

describe('values sealed and opened before are remembered (a batch seals the same parties a thousand times)', () => {
  it('answers the same as without memory, and forgets nothing an erasure must take away', () => {
    const reference = cipher.referenceOf(msisdn);
    const sealed = cipher.seal(reference, 'Ayesha Khan');
    expect(cipher.seal(reference, 'Ayesha Khan')).toBe(sealed);
    expect(cipher.open(sealed)).toBe('Ayesha Khan');
    // A front-end worker's cipher asks the key store every time (no key cache), and remembers what it opened.
    const worker = new PersonalDataCipher(masterKey, keys, now, 0);
    expect(worker.open(sealed)).toBe('Ayesha Khan');
    cipher.erase(reference);
    expect(cipher.open(sealed)).toBe('[erased]');
    expect(worker.open(sealed)).toBe('[erased]');
    // Seen again, the subject has a new key: the value seals to new text, not to the remembered one.
    const resealed = cipher.seal(reference, 'Ayesha Khan');
    expect(resealed).not.toBe(sealed);
    expect(worker.open(resealed)).toBe('Ayesha Khan');
  });

  it('still refuses an altered value after the genuine one was opened', () => {
    const sealed = cipher.seal(cipher.referenceOf(msisdn), 'Ayesha Khan');
    expect(cipher.open(sealed)).toBe('Ayesha Khan');
    const altered = `${sealed.slice(0, -3)}${sealed.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    expect(() => cipher.open(altered)).toThrow(/authentication tag/);
  });

  it('keeps answering right past its bound, where it starts again', () => {
    const references = Array.from({ length: 50 }, (_unused, index) =>
      cipher.referenceOf({ type: 'MSISDN', value: `9234500${String(index).padStart(5, '0')}` }),
    );
    const sealed = new Map<string, string>();
    // Past the 20,000 values it remembers.
    for (let round = 0; round < 21_000; round += 1) {
      const reference = references[round % references.length] as string;
      const value = `name ${round}`;
      sealed.set(value, cipher.seal(reference, value));
    }
    const fresh = new PersonalDataCipher(masterKey, keys, now);
    const wrong = [...sealed].filter(([value, text]) => cipher.open(text) !== value || fresh.open(text) !== value);
    expect(wrong).toEqual([]);
  });
});

describe('data subjects named for erasure', () => {
  it('normalises each type to the form events hold', () => {
    expect(parseDataSubject('MSISDN', '0345 1112223')).toEqual(msisdn);
    expect(parseDataSubject('MSISDN', '+923451112223')).toEqual(msisdn);
    expect(parseDataSubject('CNIC', '35202-1234567-1')).toEqual({ type: 'CNIC', value: '3520212345671' });
    expect(parseDataSubject('IBAN', 'pk36 scbl 0000 0011 2345 6702')).toEqual({ type: 'IBAN', value: 'PK36SCBL0000001123456702' });
    expect(parseDataSubject('ACCOUNT', 'RAVIW0001')).toEqual({ type: 'ACCOUNT', value: 'RAVIW0001' });
    expect(parseDataSubject('PAYER', 'GLOBALPAY:GB 123/45')).toEqual({ type: 'PAYER', value: 'GLOBALPAY:GB 123/45' });
  });

  it('refuses a malformed value with INVALID_DATA_SUBJECT', () => {
    for (const [type, value] of [
      ['MSISDN', '12345'],
      ['CNIC', '3520212345'],
      ['IBAN', 'PK00SCBL0000001123456702'],
      ['ACCOUNT', 'has spaces'],
      ['PAYER', 'GB123456789'],
      ['PAYER', 'globalpay:GB1'],
    ] as const) {
      expect(() => parseDataSubject(type, value)).toThrow(expect.objectContaining({ code: 'INVALID_DATA_SUBJECT' }));
    }
  });
});

describe('the personal fields of events', () => {
  const sealer = {
    seal: (reference: string, plaintext: string) => cipher.seal(reference, plaintext),
    referenceOf: (subject: Parameters<PersonalDataCipher['referenceOf']>[0]) => cipher.referenceOf(subject),
    payerReferenceOf: () => null,
    inboundPayerReferenceOf: () => null,
  };
  const open = (text: string): string => cipher.open(text);

  it('seals an in-bound payer’s name, tax id and the description under the PAYER subject of PSP and tax id', () => {
    const fields = personalEventFields.get('InboundPaymentCompleted');
    const data = {
      paymentId: 'p-1',
      pspId: 'GLOBALPAY',
      amountMinor: '12500',
      payer: { type: 'BUSINESS', name: 'Acme Widgets Ltd', country: 'GB', taxId: 'GB123456789' },
      description: 'Invoice for Acme Widgets',
    };
    const sealed = fields?.seal(data, sealer);
    expect(JSON.stringify(sealed)).not.toMatch(/Acme|GB123456789/);
    const payer = parseDataSubject('PAYER', 'GLOBALPAY:GB123456789');
    expect(subjectReferenceOfSealed(sealed?.['description'] as string)).toBe(cipher.referenceOf(payer));
    expect(sealed).toMatchObject({
      paymentId: 'p-1',
      pspId: 'GLOBALPAY',
      amountMinor: '12500',
      payer: { country: 'GB', type: 'BUSINESS' },
    });
    expect(fields?.open(sealed ?? {}, open)).toEqual(data);
    // A payer without a tax id is named by the payment.
    const anonymous = fields?.seal({ ...data, payer: { ...data.payer, taxId: null } }, sealer);
    expect(subjectReferenceOfSealed(anonymous?.['description'] as string)).toBe(
      cipher.referenceOf(parseDataSubject('PAYER', 'GLOBALPAY:p-1')),
    );
    cipher.erase(cipher.referenceOf(payer));
    expect(fields?.open(sealed ?? {}, open)).toMatchObject({
      description: '[erased]',
      payer: { name: '[erased]', taxId: '[erased]', country: 'GB' },
    });
  });

  it('seals a merchant’s tax number under its CNIC when it is one, in every event that carries it; an NTN stays', () => {
    const changed = personalEventFields.get('MerchantTaxNumberChanged');
    const data = { merchantId: 'ALI', taxNumber: '42101-9876543-7', previousTaxNumber: '1234567-8', at: '2026-12-01T00:00:00.000Z' };
    const sealed = changed?.seal(data, sealer);
    expect(JSON.stringify(sealed)).not.toMatch(/42101/);
    expect(sealed).toMatchObject({ merchantId: 'ALI', previousTaxNumber: '1234567-8' });
    const subject = cipher.referenceOf(parseDataSubject('CNIC', '4210198765437'));
    expect(subjectReferenceOfSealed(sealed?.['taxNumber'] as string)).toBe(subject);
    expect(changed?.open(sealed ?? {}, open)).toEqual(data);
    // Registered with one, and printed on a payment: the same subject, so one erasure reaches all of them.
    const registered = personalEventFields.get('MerchantRegistered')?.seal({ merchantId: 'ALI', taxNumber: '4210198765437' }, sealer);
    expect(subjectReferenceOfSealed(registered?.['taxNumber'] as string)).toBe(subject);
    const payment = personalEventFields
      .get('InboundPaymentCompleted')
      ?.seal({ paymentId: 'p-2', pspId: 'GLOBALPAY', merchantTaxNumber: '42101-9876543-7', payer: { name: 'Jane', taxId: null } }, sealer);
    expect(subjectReferenceOfSealed(payment?.['merchantTaxNumber'] as string)).toBe(subject);
    cipher.erase(subject);
    expect(changed?.open(sealed ?? {}, open)).toMatchObject({ taxNumber: '[erased]', previousTaxNumber: '1234567-8' });
  });

  it('seals a transfer’s payer, name, payee and account, and opens them back; ids and amounts stay as they were', () => {
    const fields = personalEventFields.get('TransferInitiated');
    const data = {
      transferId: 't-1',
      amountMinor: '25000',
      payer: { type: 'MSISDN', value: '923451112223', name: 'Ayesha Khan' },
      payee: { type: 'MERCHANT', value: 'SHOP-1' },
      payeeAccount: { type: 'IBAN', value: 'PK36SCBL0000001123456702' },
      note: 'lunch with Bilal Chaudhry',
    };
    const sealed = fields?.seal(data, sealer);
    const text = JSON.stringify(sealed);
    for (const plaintext of ['923451112223', 'Ayesha Khan', 'PK36SCBL0000001123456702', 'Bilal']) expect(text).not.toContain(plaintext);
    // A merchant is not a person: its id stays readable, as do ids and amounts. The note is the payer's.
    expect(sealed).toMatchObject({ transferId: 't-1', amountMinor: '25000', payee: { value: 'SHOP-1' } });
    expect(subjectReferenceOfSealed(sealed?.['note'] as string)).toBe(cipher.referenceOf(msisdn));
    expect(fields?.open(sealed ?? {}, open)).toEqual(data);
    cipher.erase(cipher.referenceOf(msisdn));
    expect(fields?.open(sealed ?? {}, open)).toMatchObject({ note: '[erased]', payer: { value: '[erased]', name: '[erased]' } });
  });

  it('seals a dispute’s description under the payer’s subject, with the payer’s account', () => {
    const fields = personalEventFields.get('DisputeOpened');
    const data = {
      disputeId: 'd-1',
      payer: { type: 'MSISDN', value: '923451112223' },
      description: 'Ayesha was charged twice',
      note: 'rule',
    };
    const sealed = fields?.seal(data, sealer);
    expect(JSON.stringify(sealed)).not.toMatch(/Ayesha|923451112223/);
    expect(subjectReferenceOfSealed(sealed?.['description'] as string)).toBe(cipher.referenceOf(msisdn));
    expect(fields?.open(sealed ?? {}, open)).toEqual(data);
  });

  it('seals the payer’s name in a delivery under the payer’s subject when the transfer is known', () => {
    const fields = personalEventFields.get('DeliveryQueued');
    const payerReference = cipher.referenceOf(msisdn);
    const sealed = fields?.seal(
      {
        deliveryId: 'CREDIT_ADVICE:t-1',
        payload: { payee: { type: 'WALLET', value: 'RAVIW1' }, payer: { participant: 'MARGALLA', name: 'Ayesha' } },
      },
      { ...sealer, payerReferenceOf: () => payerReference },
    );
    const payload = sealed?.['payload'] as { payer: { name: string; participant: string }; payee: { value: string } };
    expect(subjectReferenceOfSealed(payload.payer.name)).toBe(payerReference);
    expect(payload.payer.participant).toBe('MARGALLA');
    expect(cipher.open(payload.payee.value)).toBe('RAVIW1');
  });
});
