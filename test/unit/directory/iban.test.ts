import { ibanMod97, ibanWithCheckDigits, parseIban } from '../../../core/directory/iban';

describe('IBAN', () => {
  // A published example of a Pakistani IBAN (SCBL bank code) with valid check digits.
  const published = 'PK36SCBL0000001123456702';

  it('accepts a valid PK IBAN and finds its bank code', () => {
    expect(parseIban(published)).toEqual({ value: published, country: 'PK', bankCode: 'SCBL' });
  });

  it('accepts spaces and lower case, and normalises them away', () => {
    expect(parseIban('pk36 scbl 0000 0011 2345 6702').value).toBe(published);
  });

  it('refuses wrong check digits', () => {
    expect(() => parseIban('PK37SCBL0000001123456702')).toThrow(/check digits/);
  });

  it('refuses a single changed account digit (mod 97 catches it)', () => {
    expect(() => parseIban('PK36SCBL0000001123456703')).toThrow(expect.objectContaining({ code: 'INVALID_IBAN' }));
  });

  it('refuses the wrong length for PK', () => {
    expect(() => parseIban('PK36SCBL000000112345670')).toThrow(/24 characters/);
    expect(() => parseIban('PK36SCBL00000011234567021')).toThrow(/24 characters/);
  });

  it('refuses countries it does not route, and garbage', () => {
    expect(() => parseIban('GB82WEST12345698765432')).toThrow(/not routed/);
    expect(() => parseIban('hello')).toThrow(expect.objectContaining({ code: 'INVALID_IBAN' }));
    expect(() => parseIban('')).toThrow(expect.objectContaining({ code: 'INVALID_IBAN' }));
    expect(() => parseIban('X'.repeat(100))).toThrow(/at most 34/);
  });

  it('refuses a bank code that is not four letters', () => {
    const withDigitsInBankCode = ibanWithCheckDigits('PK', 'SC1L', '0000001123456702');
    expect(() => parseIban(withDigitsInBankCode)).toThrow(/bank code/);
  });

  it('builds IBANs whose check digits pass', () => {
    for (const account of ['0000000000000001', '1234567890123456', '00000000ABCDEF12']) {
      const iban = ibanWithCheckDigits('PK', 'MRGL', account);
      expect(ibanMod97(iban)).toBe(1);
      expect(parseIban(iban).bankCode).toBe('MRGL');
    }
  });
});
