import { parseAccount } from '../../../core/directory/account';
import { aliasStreamName, parseAliasKey } from '../../../core/directory/alias-key';
import { ibanWithCheckDigits } from '../../../core/directory/iban';

describe('alias keys', () => {
  it('accepts each kind in its form', () => {
    expect(parseAliasKey('MSISDN', '923001234567')).toEqual({ type: 'MSISDN', value: '923001234567' });
    expect(parseAliasKey('CNIC', '3520212345671')).toEqual({ type: 'CNIC', value: '3520212345671' });
    expect(parseAliasKey('MERCHANT', 'CAFE-ZAM_01')).toEqual({ type: 'MERCHANT', value: 'CAFE-ZAM_01' });
  });

  it.each([
    ['MSISDN', '03001234567'],
    ['MSISDN', '9230012345678'],
    ['MSISDN', '92300123456a'],
    ['CNIC', '35202-1234567-1'],
    ['CNIC', '352021234567'],
    ['MERCHANT', 'ab'],
    ['MERCHANT', 'lower-case'],
    ['MERCHANT', 'X'.repeat(33)],
  ])('refuses %s %s with INVALID_ALIAS', (type, value) => {
    expect(() => parseAliasKey(type, value)).toThrow(expect.objectContaining({ code: 'INVALID_ALIAS' }));
  });

  it('refuses an unknown kind', () => {
    expect(() => parseAliasKey('EMAIL', 'a@b.c')).toThrow(/MSISDN, CNIC, MERCHANT/);
  });

  it('names the stream of an alias', () => {
    expect(aliasStreamName({ type: 'CNIC', value: '3520212345671' })).toBe('alias-CNIC-3520212345671');
  });

  it('checks accounts: IBANs by their check digits, wallets by their form', () => {
    const iban = ibanWithCheckDigits('PK', 'MRGL', '0000001234567890');
    expect(parseAccount('IBAN', iban.toLowerCase())).toEqual({ type: 'IBAN', value: iban });
    expect(() => parseAccount('IBAN', `${iban.slice(0, 23)}9`)).toThrow(expect.objectContaining({ code: 'INVALID_IBAN' }));
    expect(parseAccount('WALLET', '03001234567')).toEqual({ type: 'WALLET', value: '03001234567' });
    expect(() => parseAccount('WALLET', '0300 123')).toThrow(expect.objectContaining({ code: 'INVALID_ACCOUNT' }));
  });
});
