import { computeSignature, signatureHeader, verifySignature } from '../../core/signing';

// Expected values computed independently: printf '%s' "$t.$body" | openssl dgst -sha256 -hmac "$secret"
const secret = 'whsec_test_secret';
const body = '{"transferId":"7d1f6f0e-4b3a-4c59-9a37-1f6d2c1e8b11","amount":"1500.00","currency":"PKR"}';
const at = new Date(1_700_000_000_000);
const expectedHeader = 't=1700000000,v1=a0b82fa898139ff0facbab7fdd37febadacd22533cd87dec5bda3ad798682631';

describe('Hisaab-Signature', () => {
  it('signs a fixed body, secret and time to the fixed header', () => {
    expect(signatureHeader({ secrets: [secret], rawBody: body, now: at })).toBe(expectedHeader);
    expect(signatureHeader({ secrets: [secret], rawBody: Buffer.from(body, 'utf8'), now: new Date(1_700_000_000_999) })).toBe(
      expectedHeader,
    );
  });

  it('signs an empty body and a body with non-ASCII text as UTF-8 bytes', () => {
    expect(computeSignature(secret, 1_700_000_000, '')).toBe('316b9ab98c15bfa039d243f3196acee619cf29749a91a634e6a8154e2f7b6727');
    expect(computeSignature(secret, 1_700_000_000, '{"name":"Ayesha Khán ✓"}')).toBe(
      '2b0255de810acece0c0ca59f660b8b7eb9bf4f7a7e47540204ef3b5cad9213ed',
    );
  });

  it('verifies its own header, upper-case hex, and a header with a rotated-out signature beside the good one', () => {
    expect(verifySignature({ header: expectedHeader, secrets: [secret], rawBody: body, now: at })).toEqual({
      valid: true,
      timestampSeconds: 1_700_000_000,
    });
    expect(
      verifySignature({
        header: expectedHeader.toUpperCase().replace('T=', 't=').replace('V1=', 'v1='),
        secrets: [secret],
        rawBody: body,
        now: at,
      }).valid,
    ).toBe(true);
    const rotated = `t=1700000000,v1=${'0'.repeat(64)},v1=a0b82fa898139ff0facbab7fdd37febadacd22533cd87dec5bda3ad798682631,v0=ignored`;
    expect(verifySignature({ header: rotated, secrets: [secret], rawBody: body, now: at }).valid).toBe(true);
  });

  it('accepts a timestamp inside the tolerance window either way and refuses one outside it', () => {
    const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);
    expect(verifySignature({ header: expectedHeader, secrets: [secret], rawBody: body, now: later(300) }).valid).toBe(true);
    expect(verifySignature({ header: expectedHeader, secrets: [secret], rawBody: body, now: later(-300) }).valid).toBe(true);
    expect(verifySignature({ header: expectedHeader, secrets: [secret], rawBody: body, now: later(301) })).toMatchObject({
      valid: false,
      reason: 'SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE',
    });
    expect(
      verifySignature({ header: expectedHeader, secrets: [secret], rawBody: body, now: later(-11), toleranceSeconds: 10 }),
    ).toMatchObject({ valid: false, reason: 'SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE' });
  });

  it('refuses a changed body, another secret, and a timestamp changed without re-signing', () => {
    expect(
      verifySignature({ header: expectedHeader, secrets: [secret], rawBody: body.replace('1500.00', '1500.01'), now: at }),
    ).toMatchObject({ valid: false, reason: 'SIGNATURE_MISMATCH' });
    expect(verifySignature({ header: expectedHeader, secrets: ['another'], rawBody: body, now: at })).toMatchObject({
      valid: false,
      reason: 'SIGNATURE_MISMATCH',
    });
    const moved = expectedHeader.replace('t=1700000000', 't=1700000001');
    expect(verifySignature({ header: moved, secrets: [secret], rawBody: body, now: at })).toMatchObject({
      valid: false,
      reason: 'SIGNATURE_MISMATCH',
    });
  });

  it.each([
    [undefined, 'SIGNATURE_MISSING'],
    ['', 'SIGNATURE_MISSING'],
    [['t=1,v1=a', 't=2,v1=b'], 'SIGNATURE_MALFORMED'],
    ['v1=a0b82fa898139ff0facbab7fdd37febadacd22533cd87dec5bda3ad798682631', 'SIGNATURE_MALFORMED'],
    ['t=1700000000', 'SIGNATURE_MALFORMED'],
    ['t=1700000000,v1=xyz', 'SIGNATURE_MALFORMED'],
    ['t=-5,v1=a0b82fa898139ff0facbab7fdd37febadacd22533cd87dec5bda3ad798682631', 'SIGNATURE_MALFORMED'],
    ['t=1700000000,t=1700000000,v1=a0b82fa898139ff0facbab7fdd37febadacd22533cd87dec5bda3ad798682631', 'SIGNATURE_MALFORMED'],
    ['garbage', 'SIGNATURE_MALFORMED'],
    [`t=1700000000${',v1=a0b82fa898139ff0facbab7fdd37febadacd22533cd87dec5bda3ad798682631'.repeat(9)}`, 'SIGNATURE_MALFORMED'],
    [`t=1700000000,v1=a0b82fa898139ff0facbab7fdd37febadacd22533cd87dec5bda3ad798682631,v0=${'x'.repeat(1000)}`, 'SIGNATURE_MALFORMED'],
  ] as const)('refuses a bad header (case %#) with its reason and a sentence', (header, reason) => {
    const verification = verifySignature({ header, secrets: [secret], rawBody: body, now: at });
    expect(verification).toMatchObject({ valid: false, reason });
    expect(verification.valid === false && verification.message.length).toBeGreaterThan(10);
  });
});

describe('signatures during a rotation (issue 9, defect 4)', () => {
  const newSecret = 'whsec_new_secret';
  const signedWithNew = computeSignature(newSecret, 1_700_000_000, body);
  const signedWithOld = computeSignature(secret, 1_700_000_000, body);

  it('signs with every secret, newest first: t=<unix>,v1=<new>,v1=<old>', () => {
    expect(signatureHeader({ secrets: [newSecret, secret], rawBody: body, now: at })).toBe(
      `t=1700000000,v1=${signedWithNew},v1=${signedWithOld}`,
    );
  });

  it('a receiver holding the old secret, the new one, or both accepts a header signed with both', () => {
    const header = signatureHeader({ secrets: [newSecret, secret], rawBody: body, now: at });
    for (const held of [[secret], [newSecret], [secret, newSecret], ['whsec_unrelated', newSecret]]) {
      expect(verifySignature({ header, secrets: held, rawBody: body, now: at }).valid).toBe(true);
    }
  });

  it('after the overlap, a header signed with the new secret alone is refused by a receiver holding only the old one', () => {
    const header = signatureHeader({ secrets: [newSecret], rawBody: body, now: at });
    expect(verifySignature({ header, secrets: [secret], rawBody: body, now: at })).toMatchObject({
      valid: false,
      reason: 'SIGNATURE_MISMATCH',
    });
    expect(verifySignature({ header, secrets: [secret, newSecret], rawBody: body, now: at }).valid).toBe(true);
  });
});
