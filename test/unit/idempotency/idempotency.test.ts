import { derivedUuid, parseIdempotencyKey, requestReference } from '../../../core/idempotency/idempotency-key';
import { canonicalJson, requestFingerprint } from '../../../core/idempotency/request-fingerprint';
import { isUuid } from '../../../core/ids';

describe('request fingerprints', () => {
  it('ignore the order of object keys, at every depth', () => {
    const a = { id: 'X', nested: { b: 1, a: [1, { z: true, y: null }] } };
    const b = { nested: { a: [1, { y: null, z: true }], b: 1 }, id: 'X' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(requestFingerprint('post', '/v1/x', a)).toBe(requestFingerprint('POST', '/v1/x', b));
  });

  it('differ for another body, path, method or array order', () => {
    const base = requestFingerprint('POST', '/v1/x', { a: [1, 2] });
    expect(requestFingerprint('POST', '/v1/x', { a: [2, 1] })).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/y', { a: [1, 2] })).not.toBe(base);
    expect(requestFingerprint('PATCH', '/v1/x', { a: [1, 2] })).not.toBe(base);
  });

  it('treat a missing body like null', () => {
    expect(requestFingerprint('POST', '/v1/x', undefined)).toBe(requestFingerprint('POST', '/v1/x', null));
  });
});

describe('idempotency keys', () => {
  it('accept UUIDs and refuse empty, long or odd keys', () => {
    expect(parseIdempotencyKey('6f1c2f1e-6d0f-4f6e-9b7a-1b2c3d4e5f60')).toBe('6f1c2f1e-6d0f-4f6e-9b7a-1b2c3d4e5f60');
    for (const bad of ['', 'x'.repeat(129), 'a b', 'a/b', 'ä'])
      expect(() => parseIdempotencyKey(bad)).toThrow(expect.objectContaining({ code: 'INVALID_IDEMPOTENCY_KEY' }));
  });

  it('scope request references by caller', () => {
    expect(requestReference('operator', 'k')).not.toBe(requestReference('participant:X', 'k'));
    expect(requestReference('operator', 'k')).toBe(requestReference('operator', 'k'));
  });

  it('derive stable version-5 UUIDs per purpose', () => {
    const id = derivedUuid('funds', 'abc');
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('5');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(derivedUuid('funds', 'abc')).toBe(id);
    expect(derivedUuid('other', 'abc')).not.toBe(id);
  });
});
