import { SqliteDirectoryReader } from '../../../adapters/readmodel-sqlite/projections/directory-read-model';
import { directoryProjection } from '../../../adapters/readmodel-sqlite/projections/directory-projection';
import { keysProjection } from '../../../adapters/readmodel-sqlite/projections/keys-projection';
import { participantsProjection } from '../../../adapters/readmodel-sqlite/projections/participants-projection';
import { SqliteParticipantReader } from '../../../adapters/readmodel-sqlite/projections/participants-read-model';
import { signingSecretsProjection } from '../../../adapters/readmodel-sqlite/projections/signing-secrets-projection';
import { SqliteReadModelStore } from '../../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { ibanWithCheckDigits } from '../../../core/directory/iban';
import { requirePayerOwned } from '../../../core/directory/payer-ownership';
import { isPayeeNotFound, resolvePayee, type PayeeDirectory } from '../../../core/directory/resolve-payee';
import type { JsonObject, RecordedEvent } from '../../../core/eventstore/event';

/** resolvePayee over the real projections, fed the events the switch writes. */
let readModels: SqliteReadModelStore;
let readers: PayeeDirectory;
let position = 0n;
const at = '2025-03-01T10:00:00.000Z';

function apply(stream: string, type: string, data: JsonObject): void {
  position += 1n;
  const event: RecordedEvent = { id: `e${position}`, type, data, metadata: { at }, stream, revision: 0n, position };
  readModels.transaction((tx) => {
    for (const projection of [participantsProjection, keysProjection, directoryProjection, signingSecretsProjection]) {
      if (projection.handles.includes(type)) projection.apply(event, tx);
    }
  });
}

function registerParticipant(participantId: string, bankCode: string): void {
  apply(`participant-${participantId}`, 'ParticipantRegistered', {
    participantId,
    name: participantId,
    participantType: 'BANK',
    bankCode,
    currency: 'PKR',
    netDebitCapMinor: '0',
    creditMode: 'REQUEST',
    endpoints: { creditUrl: 'http://x/c', reversalUrl: 'http://x/r', rtpUrl: null },
    requestReference: null,
    at,
  });
}

beforeAll(() => {
  readModels = new SqliteReadModelStore(':memory:');
  readModels.transaction((tx) =>
    [participantsProjection, keysProjection, directoryProjection, signingSecretsProjection].forEach((projection) => projection.setup(tx)),
  );
  readers = { participants: new SqliteParticipantReader(readModels.database), directory: new SqliteDirectoryReader(readModels.database) };
  registerParticipant('MEEZAN', 'MEZN');
  registerParticipant('MARGALLA', 'MRGL');
  apply('alias-MSISDN-923001111111', 'AliasRegistered', {
    alias: { type: 'MSISDN', value: '923001111111' },
    participantId: 'MARGALLA',
    account: { type: 'WALLET', value: '03001111111' },
    holderName: 'Ayesha Khan',
    at,
  });
  apply('alias-CNIC-3520212345671', 'AliasRegistered', {
    alias: { type: 'CNIC', value: '3520212345671' },
    participantId: 'MEEZAN',
    account: { type: 'IBAN', value: ibanWithCheckDigits('PK', 'MEZN', '0000000000000042') },
    holderName: 'Bilal Ahmed',
    at,
  });
});
afterAll(() => readModels.close());

describe('resolvePayee', () => {
  it('resolves an alias to its participant, account and full name', () => {
    expect(resolvePayee({ type: 'MSISDN', value: '923001111111' }, readers)).toEqual({
      participantId: 'MARGALLA',
      account: { type: 'WALLET', value: '03001111111' },
      name: 'Ayesha Khan',
    });
  });

  it('routes an IBAN by its bank code, with the name an alias gave that account', () => {
    const iban = ibanWithCheckDigits('PK', 'MEZN', '0000000000000042');
    expect(resolvePayee({ type: 'IBAN', value: iban.toLowerCase() }, readers)).toEqual({
      participantId: 'MEEZAN',
      account: { type: 'IBAN', value: iban },
      name: 'Bilal Ahmed',
    });
    const other = ibanWithCheckDigits('PK', 'MEZN', '0000000000000043');
    expect(resolvePayee({ type: 'IBAN', value: other }, readers)).toEqual({
      participantId: 'MEEZAN',
      account: { type: 'IBAN', value: other },
      name: null,
    });
  });

  it('answers PARTY_NOT_FOUND for an unknown alias or bank code', () => {
    const alias = resolvePayee({ type: 'MSISDN', value: '923009999999' }, readers);
    expect(isPayeeNotFound(alias) && alias.code).toBe('PARTY_NOT_FOUND');
    const iban = resolvePayee({ type: 'IBAN', value: ibanWithCheckDigits('PK', 'HABB', '0000000000000001') }, readers);
    expect(isPayeeNotFound(iban) && iban.message).toContain('HABB');
  });

  it('throws for malformed references', () => {
    expect(() => resolvePayee({ type: 'IBAN', value: 'PK00MEZN0000000000000042' }, readers)).toThrow(
      expect.objectContaining({ code: 'INVALID_IBAN' }),
    );
    expect(() => resolvePayee({ type: 'MSISDN', value: '0300' }, readers)).toThrow(expect.objectContaining({ code: 'INVALID_ALIAS' }));
    expect(() => resolvePayee({ type: 'WALLET', value: '0300' }, readers)).toThrow(expect.objectContaining({ code: 'INVALID_PARTY' }));
  });

  // The reader keeps aliases in memory (reference-data-cache.ts): the first test read this one, so these prove the
  // directory projection's writes reach it at once.
  it('forgets a removed alias, and finds it at its new holder once registered again', () => {
    apply('alias-MSISDN-923001111111', 'AliasRemoved', { alias: { type: 'MSISDN', value: '923001111111' }, participantId: 'MARGALLA', at });
    expect(isPayeeNotFound(resolvePayee({ type: 'MSISDN', value: '923001111111' }, readers))).toBe(true);
    apply('alias-MSISDN-923001111111', 'AliasRegistered', {
      alias: { type: 'MSISDN', value: '923001111111' },
      participantId: 'MEEZAN',
      account: { type: 'WALLET', value: '03007770777' },
      holderName: 'Ayesha Malik',
      at,
    });
    expect(resolvePayee({ type: 'MSISDN', value: '923001111111' }, readers)).toEqual({
      participantId: 'MEEZAN',
      account: { type: 'WALLET', value: '03007770777' },
      name: 'Ayesha Malik',
    });
  });
});

describe('requirePayerOwned', () => {
  it("refuses an alias the directory gives to another participant, and an IBAN of another participant's bank code", () => {
    const notOwned = expect.objectContaining({ code: 'PAYER_NOT_OWNED' });
    expect(() => requirePayerOwned({ type: 'CNIC', value: '3520212345671' }, 'MARGALLA', readers)).toThrow(notOwned);
    expect(() =>
      requirePayerOwned({ type: 'IBAN', value: ibanWithCheckDigits('PK', 'MEZN', '0000000000000001') }, 'MARGALLA', readers),
    ).toThrow(notOwned);
  });

  it("accepts the caller's own alias and IBAN, an alias nobody holds, an unknown bank code and account kinds it cannot attribute", () => {
    expect(() => requirePayerOwned({ type: 'CNIC', value: '3520212345671' }, 'MEEZAN', readers)).not.toThrow();
    expect(() =>
      requirePayerOwned({ type: 'IBAN', value: ibanWithCheckDigits('PK', 'MRGL', '0000000000000001') }, 'MARGALLA', readers),
    ).not.toThrow();
    expect(() => requirePayerOwned({ type: 'MSISDN', value: '923007777777' }, 'MARGALLA', readers)).not.toThrow();
    expect(() =>
      requirePayerOwned({ type: 'IBAN', value: ibanWithCheckDigits('PK', 'HABB', '0000000000000001') }, 'MARGALLA', readers),
    ).not.toThrow();
    expect(() => requirePayerOwned({ type: 'WALLET', value: '03001111111' }, 'MARGALLA', readers)).not.toThrow();
    expect(() => requirePayerOwned({ type: 'ACCOUNT', value: '0000123' }, 'MEEZAN', readers)).not.toThrow();
  });

  it('refuses a malformed payer alias or IBAN as such', () => {
    expect(() => requirePayerOwned({ type: 'MSISDN', value: '0300' }, 'MARGALLA', readers)).toThrow(
      expect.objectContaining({ code: 'INVALID_ALIAS' }),
    );
    expect(() => requirePayerOwned({ type: 'IBAN', value: 'PK00MEZN0000000000000042' }, 'MARGALLA', readers)).toThrow(
      expect.objectContaining({ code: 'INVALID_IBAN' }),
    );
  });
});
