import { join } from 'node:path';
import { SqliteSubjectKeyStore } from '../../../adapters/subject-keys-sqlite/sqlite-subject-key-store';
import { JointSubjectSeal } from '../../../core/personal-data/joint-subject-seal';
import { PersonalDataCipher } from '../../../core/personal-data/personal-data-cipher';
import { newMasterKey } from '../../../core/secrets/secret-box';
import { subjectsOfTransferRequest } from '../../../core/transfers/transfer-request-subjects';
import { tempDir } from '../../support/temp-dir';

const now = (): Date => new Date('2026-12-03T10:00:00Z');
const payer = { type: 'MSISDN', value: '923451112223' } as const;
const payee = { type: 'IBAN', value: 'PK36SCBL0000001123456702' } as const;
const body = Buffer.from(JSON.stringify({ payer: { ...payer, name: 'Ayesha Khan' }, payee }), 'utf8');

let directory: { path: string; remove: () => void };
let keys: SqliteSubjectKeyStore;
let cipher: PersonalDataCipher;
let seal: JointSubjectSeal;

beforeEach(() => {
  directory = tempDir('hisaab-joint-seal-');
  keys = new SqliteSubjectKeyStore(join(directory.path, 'subject-keys.db'));
  cipher = new PersonalDataCipher(newMasterKey(), keys, now);
  seal = new JointSubjectSeal(cipher);
});
afterEach(() => {
  keys.close();
  directory.remove();
});

describe('a text sealed for every subject it names', () => {
  it('opens while every subject has its key, and holds none of the text in clear', () => {
    const sealed = seal.seal([payer, payee, payer], body);
    expect(sealed.shares).toHaveLength(2);
    expect(JSON.stringify(sealed)).not.toMatch(/Ayesha|923451112223|SCBL/);
    expect(seal.open(sealed)?.toString('utf8')).toBe(body.toString('utf8'));
  });

  it.each([
    ['the payer', payer],
    ['the payee', payee],
  ])('is erased when %s is erased, whoever else it names', (_who, erased) => {
    const sealed = seal.seal([payer, payee], body);
    cipher.erase(cipher.referenceOf(erased));
    expect(seal.open(sealed)).toBeNull();
    // A subject seen again gets a new key, which opens nothing sealed before.
    seal.seal([erased], Buffer.from('later'));
    expect(seal.open(sealed)).toBeNull();
  });

  it('needs every share: the shares but one say nothing of the key, so the text does not open without it', () => {
    const sealed = seal.seal([payer, payee], body);
    const withoutOne = { ...sealed, shares: sealed.shares.slice(1) };
    expect(() => seal.open(withoutOne)).toThrow(/authentication tag/);
  });

  it('refuses a seal for no subject at all', () => {
    expect(() => seal.seal([], body)).toThrow(/at least one subject/);
  });
});

describe('the subjects a transfer request names', () => {
  it('takes the payer and payee of a transfer, or of each item of a batch, skipping merchants and malformed items', () => {
    const transfer = { payer: { type: 'WALLET', value: 'W1', name: 'A' }, payee: { type: 'IBAN', value: 'pk36 scbl 0000 0011 2345 6702' } };
    expect(subjectsOfTransferRequest(transfer)).toEqual([
      { type: 'ACCOUNT', value: 'W1' },
      { type: 'IBAN', value: 'PK36SCBL0000001123456702' },
    ]);
    const batch = {
      transfers: [transfer, { payer: { type: 'MSISDN', value: '923001234567' }, payee: { type: 'MERCHANT', value: 'm' } }, 7, null],
    };
    expect(subjectsOfTransferRequest(batch)).toHaveLength(3);
    expect(subjectsOfTransferRequest(null)).toEqual([]);
    expect(subjectsOfTransferRequest({ payer: 'x' })).toEqual([]);
  });
});
