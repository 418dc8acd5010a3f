import { createHash } from 'node:crypto';
import type { JsonValue } from '../eventstore/event';
import type { Delivery } from './delivery';

/**
 * A digest of a delivery's content, independent of key order, so that queueing the same delivery twice is
 * recognised as the same even when the producer built the object differently. Delivered deliveries keep only
 * this digest in memory, not their payload.
 */
export function deliveryFingerprint(delivery: Delivery): string {
  const canonical = canonicalJson({
    deliveryId: delivery.deliveryId,
    kind: delivery.kind,
    destination: delivery.destination,
    payload: delivery.payload,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex').slice(0, 32);
}

/** JSON with object keys sorted at every level. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  const members: string[] = [];
  for (const key of keys) {
    const member = value[key];
    if (member === undefined) continue;
    members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}
