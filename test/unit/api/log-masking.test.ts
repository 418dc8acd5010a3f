import { maskSensitiveText } from '../../../api/log-masking';

/** Request logs print paths, which can carry a party (GET /v1/parties/MSISDN/…): no number may reach a log whole. */
describe('log masking of personal numbers', () => {
  it.each([
    ['an MSISDN', '/v1/parties/MSISDN/923457310862', '3457310862'],
    ['an MSISDN in local form', '/pay?msisdn=03457310862', '3457310862'],
    ['an MSISDN with its plus, escaped', '/pay?msisdn=%2B923457310862', '3457310862'],
    ['a CNIC', '/v1/parties/CNIC/3520212345671', '35202123'],
    ['a CNIC with its dashes', '/v1/aliases/CNIC/35202-1234567-1', '35202-1234567'],
    ['an IBAN', '/v1/parties/IBAN/PK36SCBL0000001123456702', 'SCBL00000011'],
    ['an IBAN in groups of four', '/v1/parties/IBAN/PK36 SCBL 0000 0011 2345 6702', 'SCBL 0000 0011'],
  ])('masks %s, keeping only its last four characters', (_kind, text, hidden) => {
    const masked = maskSensitiveText(text);
    expect(masked).not.toContain(hidden);
    expect(masked.endsWith(text.slice(-4))).toBe(true);
  });
});
