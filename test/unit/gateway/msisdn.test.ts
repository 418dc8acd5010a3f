import { normalizePakistaniMsisdn } from '../../../core/gateway/msisdn';

it('reads 03XXXXXXXXX, +92… and 92… (with spaces or dashes) as one number, and nothing else', () => {
  for (const written of ['03001234567', '0300 1234567', '0300-1234567', '+923001234567', '+92 300 1234567', '923001234567']) {
    expect(normalizePakistaniMsisdn(written)).toBe('923001234567');
  }
  for (const written of ['', '3001234567', '0300123456', '030012345678', '+91 300 1234567', '0400 1234567', 'abc', '9'.repeat(40)]) {
    expect(normalizePakistaniMsisdn(written)).toBeNull();
  }
});
