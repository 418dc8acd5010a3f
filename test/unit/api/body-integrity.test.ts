import {
  firstDuplicateKey,
  firstIllFormedString,
  decodesAsUtf8,
  isWellFormedUtf8,
  mayHoldSurrogateEscape,
} from '../../../api/body-integrity';

describe('the encoding the JSON parser decodes with', () => {
  it('passes UTF-8 only (body-parser names it in lower case; none named means its default, UTF-8)', () => {
    for (const encoding of [null, 'utf-8', 'utf8']) expect(decodesAsUtf8(encoding)).toBe(true);
    for (const encoding of ['utf-7', 'utf-16le', 'utf-32', 'iso-8859-1']) expect(decodesAsUtf8(encoding)).toBe(false);
  });
});

describe('the raw bytes', () => {
  it('accepts UTF-8, with characters beyond the BMP, and refuses invalid or encoded-surrogate sequences', () => {
    expect(isWellFormedUtf8(Buffer.from('{"name":"Ayesha Khan 👋 عائشہ"}', 'utf8'))).toBe(true);
    expect(isWellFormedUtf8(Buffer.from([0x7b, 0x22, 0x61, 0xff, 0x22, 0x7d]))).toBe(false);
    expect(isWellFormedUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(false);
    expect(isWellFormedUtf8(Buffer.from([0xc0, 0xaf]))).toBe(false);
  });
});

describe('a field given twice in one object', () => {
  it('is found, with its path, wherever it is', () => {
    expect(firstDuplicateKey('{"amount":"1.00","amount":"90000.00"}')).toEqual(['amount']);
    expect(firstDuplicateKey('{"payer":{"type":"WALLET","value":"1","value":"2"}}')).toEqual(['payer', 'value']);
    expect(firstDuplicateKey('{"transfers":[{"id":"a"},{"id":"b","id":"c"}]}')).toEqual(['transfers', 1, 'id']);
  });

  it('compares keys as JSON decodes them', () => {
    expect(firstDuplicateKey('{"amount":"1.00","am\\u006funt":"2.00"}')).toEqual(['amount']);
  });

  it('allows the same name in different objects, and strings that look like JSON', () => {
    expect(firstDuplicateKey('{"payer":{"type":"WALLET","value":"1"},"payee":{"type":"MSISDN","value":"2"}}')).toBeNull();
    expect(firstDuplicateKey('{"note":"a \\"quoted\\" {\\"x\\":1,\\"x\\":2} \\\\","x":[1,{"x":2}]}')).toBeNull();
    expect(firstDuplicateKey('[{"a":1},{"a":2}]')).toBeNull();
    expect(firstDuplicateKey('{"a":{},"b":[],"c":"}"}')).toBeNull();
  });

  it('reads a string ending in an escaped backslash as closed', () => {
    expect(firstDuplicateKey('{"a":"\\\\","a":1}')).toEqual(['a']);
  });
});

describe('text that is not well-formed Unicode', () => {
  it('is found in values and keys, with its path; paired surrogates are text', () => {
    expect(firstIllFormedString({ payer: { name: 'Ay\ud800sha' } })).toEqual(['payer', 'name']);
    expect(firstIllFormedString({ list: ['ok', 'x\udc00'] })).toEqual(['list', 1]);
    expect(firstIllFormedString({ ['k\ud800']: 1 })).toEqual(['k\ud800']);
    expect(firstIllFormedString({ name: 'wave 👋', amount: '1.00', reversed: false, count: 2, none: null })).toBeNull();
  });
});

describe('the cheap test before the walk', () => {
  it('flags every text that could hold a lone surrogate, and passes plain text and characters beyond the BMP', () => {
    expect(mayHoldSurrogateEscape('{"name":"Ay\\ud800sha"}')).toBe(true);
    expect(mayHoldSurrogateEscape('{"name":"x\\uDC00"}')).toBe(true);
    expect(mayHoldSurrogateEscape('{"name":"wave 👋 \\u00e9"}')).toBe(false);
    // An escaped backslash followed by "ud800" is no escape: a false alarm, which the walk then clears.
    expect(mayHoldSurrogateEscape('{"note":"\\\\ud800"}')).toBe(true);
    expect(firstIllFormedString(JSON.parse('{"note":"\\\\ud800"}'))).toBeNull();
  });
});
