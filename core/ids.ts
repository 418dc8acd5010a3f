import { createHash, randomUUID } from 'node:crypto';
import { assert } from './assert';

export function newId(): string {
  return randomUUID();
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** The switch names ids in a handful of fixed namespaces: each one's bytes are parsed once. */
const namespacesRememberedMax = 64;
const namespaceBytes = new Map<string, Buffer>();

function namespaceBytesOf(namespace: string): Buffer {
  let bytes = namespaceBytes.get(namespace);
  if (bytes === undefined) {
    assert(uuidPattern.test(namespace), 'a UUID namespace is a UUID');
    bytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
    if (namespaceBytes.size < namespacesRememberedMax) namespaceBytes.set(namespace, bytes);
  }
  return bytes;
}

/** RFC 9562 section 5.5: SHA-1 over the namespace's bytes and the name's UTF-8 bytes, version and variant set. */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1').update(namespaceBytesOf(namespace)).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
