import { isResponseMti, matchKey, responseMtiFor } from '../../../adapters/iso8583/message';
import { formatStan, StanAllocator } from '../../../adapters/iso8583/stan-allocator';

describe('MTI classes', () => {
  it('answers requests, advices and repeats in their response class', () => {
    expect(responseMtiFor('0200')).toBe('0210');
    expect(responseMtiFor('0220')).toBe('0230');
    expect(responseMtiFor('0221')).toBe('0230');
    expect(responseMtiFor('0420')).toBe('0430');
    expect(responseMtiFor('0421')).toBe('0430');
    expect(responseMtiFor('0800')).toBe('0810');
    expect(responseMtiFor('0100')).toBe('0110');
  });

  it('has no response for a response or for an MTI outside ISO 8583:1987', () => {
    expect(responseMtiFor('0210')).toBeNull();
    expect(responseMtiFor('0430')).toBeNull();
    expect(responseMtiFor('1200')).toBeNull();
    expect(isResponseMti('0810')).toBe(true);
    expect(isResponseMti('0800')).toBe(false);
  });

  it('pairs a request and its response on response MTI, DE11 and DE41', () => {
    expect(matchKey('0210', { 11: '000001', 41: 'TERM0001', 37: 'ignored' })).toBe('0210|000001|TERM0001');
    expect(matchKey('0430', { 11: '000001' })).toBe('0430|000001|');
  });
});

describe('STAN allocation', () => {
  it('counts from 000001, wraps after 999999 and skips STANs in use', () => {
    const allocator = new StanAllocator(999_998);
    expect(allocator.allocate()).toBe('999998');
    expect(allocator.allocate((stan) => stan === '999999')).toBe('000001');
    expect(allocator.allocate()).toBe('000002');
    expect(formatStan(42)).toBe('000042');
    expect(() => formatStan(0)).toThrow(/invariant/);
    expect(() => new StanAllocator(1_000_000)).toThrow(/invariant/);
  });
});
