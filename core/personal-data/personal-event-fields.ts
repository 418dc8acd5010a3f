import type { JsonObject, JsonValue } from '../eventstore/event';
import { cnicOfTaxNumber } from '../gateway/merchant-tax-number';
import { inboundPayerSubject, subjectOfParty, type DataSubject } from './data-subject';
import { isSealedText, subjectReferenceOfSealed } from './sealed-text';

/**
 * Which fields of which events hold personal data, and whose (issue 15.4). Sealing replaces each such string by
 * its sealed form under its subject's key; opening does the reverse, at the same paths only, so that text a client
 * wrote elsewhere (a note) is never opened even if it looks sealed. Fields absent from an event are left absent;
 * values not sealed (events from before sealing) open as they are.
 *
 * The inventory the README lists is this table: AliasRegistered, AliasRemoved, TransferInitiated, DeliveryQueued,
 * OutboxSnapshotChunk (the pending deliveries' payloads, a webhook's body for an in-bound payment), DisputeOpened,
 * RequestToPaySent, InboundPaymentCompleted, and a merchant's tax number when it is an individual's CNIC
 * (MerchantRegistered, MerchantTaxNumberChanged). Events not named here hold no personal data, or hold it in
 * fields not yet sealed (the README says which).
 */
export type FieldSealer = {
  /** Seals a value under the subject of that reference. */
  seal(subjectReference: string, plaintext: string): string;
  referenceOf(subject: DataSubject): string;
  /** The subject reference of a transfer's payer, when known: a delivery's payload carries the payer's name only. */
  payerReferenceOf(transferId: string): string | null;
  /** The subject reference of an in-bound payment's payer, read from the payment's recorded event. */
  inboundPayerReferenceOf(paymentId: string): string | null;
};

export type FieldOpener = (text: string) => string;

type EventFields = {
  seal(data: JsonObject, sealer: FieldSealer): JsonObject;
  open(data: JsonObject, open: FieldOpener): JsonObject;
};

/** The transfer a delivery is about: its id follows the kind in the delivery id (payee-deliveries.ts, disputes). */
export function transferIdOfDelivery(deliveryId: JsonValue | undefined): string | null {
  if (typeof deliveryId !== 'string') return null;
  const separator = deliveryId.indexOf(':');
  return separator < 0 ? null : deliveryId.slice(separator + 1);
}

const aliasRegistered: EventFields = {
  seal(data, sealer) {
    const alias = objectAt(data, 'alias');
    const account = objectAt(data, 'account');
    const aliasReference = partyReference(alias, sealer);
    const accountReference = partyReference(account, sealer);
    return {
      ...data,
      alias: withSealed(alias, 'value', aliasReference, sealer),
      account: withSealed(account, 'value', accountReference, sealer),
      ...sealedField(data, 'holderName', aliasReference, sealer),
    };
  },
  open(data, open) {
    return {
      ...data,
      alias: withOpened(objectAt(data, 'alias'), ['value'], open),
      account: withOpened(objectAt(data, 'account'), ['value'], open),
      ...openedField(data, 'holderName', open),
    };
  },
};

const aliasRemoved: EventFields = {
  seal(data, sealer) {
    const alias = objectAt(data, 'alias');
    return { ...data, alias: withSealed(alias, 'value', partyReference(alias, sealer), sealer) };
  },
  open(data, open) {
    return { ...data, alias: withOpened(objectAt(data, 'alias'), ['value'], open) };
  },
};

const transferInitiated: EventFields = {
  seal(data, sealer) {
    const payer = objectAt(data, 'payer');
    const payee = objectAt(data, 'payee');
    const payeeAccount = objectAt(data, 'payeeAccount');
    const payerReference = partyReference(payer, sealer);
    return {
      ...data,
      payer: { ...withSealed(payer, 'value', payerReference, sealer), ...sealedField(payer, 'name', payerReference, sealer) },
      payee: withSealed(payee, 'value', partyReference(payee, sealer), sealer),
      payeeAccount: withSealed(payeeAccount, 'value', partyReference(payeeAccount, sealer), sealer),
      // The payer writes the note, and it may name anyone: it is the payer's, erased with the payer.
      ...sealedField(data, 'note', payerReference, sealer),
    };
  },
  open(data, open) {
    return {
      ...data,
      ...openedField(data, 'note', open),
      payer: withOpened(objectAt(data, 'payer'), ['value', 'name'], open),
      payee: withOpened(objectAt(data, 'payee'), ['value'], open),
      payeeAccount: withOpened(objectAt(data, 'payeeAccount'), ['value'], open),
    };
  },
};

/** A delivery's payload is a payee message (core/payee-port.ts): the payee's account, and the payer's name. */
function sealPayload(deliveryId: JsonValue | undefined, payload: JsonObject, sealer: FieldSealer): JsonObject {
  if (isInboundPaymentWebhook(payload)) return changeWebhookBody(payload, (object) => sealWebhookPayer(object, sealer));
  const payee = payload['payee'];
  if (!isObject(payee)) return payload;
  const payeeReference = partyReference(payee, sealer);
  const payer = payload['payer'];
  const transferId = transferIdOfDelivery(deliveryId);
  // The payer's name is the payer's; when the payer is unknown here, it is sealed under the payee's subject rather
  // than left in clear (erasing the payee then erases it).
  const payerReference = (transferId === null ? null : sealer.payerReferenceOf(transferId)) ?? payeeReference;
  return {
    ...payload,
    payee: withSealed(payee, 'value', payeeReference, sealer),
    ...(isObject(payer) ? { payer: { ...payer, ...sealedField(payer, 'name', payerReference, sealer) } } : {}),
  };
}

function openPayload(payload: JsonObject, open: FieldOpener): JsonObject {
  if (isInboundPaymentWebhook(payload)) return changeWebhookBody(payload, (object) => openInboundPayer(object, open));
  const payee = payload['payee'];
  const payer = payload['payer'];
  return {
    ...payload,
    ...(isObject(payee) ? { payee: withOpened(payee, ['value'], open) } : {}),
    ...(isObject(payer) ? { payer: withOpened(payer, ['name'], open) } : {}),
  };
}

const deliveryQueued: EventFields = {
  seal(data, sealer) {
    return { ...data, payload: sealPayload(data['deliveryId'], objectAt(data, 'payload'), sealer) };
  },
  open(data, open) {
    return { ...data, payload: openPayload(objectAt(data, 'payload'), open) };
  },
};

/** Pending rows are [deliveryId, kind, destination, payload, ...] (core/outbox/outbox-snapshot.ts). */
const outboxSnapshotChunk: EventFields = {
  seal(data, sealer) {
    return { ...data, pending: mapPendingPayloads(data, (deliveryId, payload) => sealPayload(deliveryId, payload, sealer)) };
  },
  open(data, open) {
    return { ...data, pending: mapPendingPayloads(data, (_deliveryId, payload) => openPayload(payload, open)) };
  },
};

function mapPendingPayloads(data: JsonObject, change: (deliveryId: string, payload: JsonObject) => JsonObject): JsonValue[] {
  const pending = data['pending'];
  if (!Array.isArray(pending)) return [];
  return pending.map((row) => {
    if (!Array.isArray(row) || typeof row[0] !== 'string' || !isObject(row[3])) return row;
    const copy = [...row];
    copy[3] = change(row[0], row[3]);
    return copy;
  });
}

/**
 * A dispute keeps the original payer's account, which a chargeback credits, and the claim's description, written for
 * the payer about the payer's payment: both are the payer's.
 */
const disputeOpened: EventFields = {
  seal(data, sealer) {
    const payer = objectAt(data, 'payer');
    const payerReference = partyReference(payer, sealer);
    return {
      ...data,
      payer: withSealed(payer, 'value', payerReference, sealer),
      ...sealedField(data, 'description', payerReference, sealer),
    };
  },
  open(data, open) {
    return { ...data, payer: withOpened(objectAt(data, 'payer'), ['value'], open), ...openedField(data, 'description', open) };
  },
};

/** A request to pay names the customer's mobile number, typed into the pay page. */
const requestToPaySent: EventFields = {
  seal(data, sealer) {
    const msisdn = data['msisdn'];
    if (typeof msisdn !== 'string') return data;
    return { ...data, ...sealedField(data, 'msisdn', sealer.referenceOf({ type: 'MSISDN', value: msisdn }), sealer) };
  },
  open(data, open) {
    return { ...data, ...openedField(data, 'msisdn', open) };
  },
};

/**
 * An in-bound payment's payer (issue 17) is a person or business abroad, sealed under a PAYER subject named by the
 * PSP and the payer's tax id (or the payment id): the payer's name, tax id and the payment's description, which the
 * PSP writes about the payer's payment. The same fields of the summary a webhook carries are sealed the same way.
 */
function sealInboundPayer(data: JsonObject, sealer: FieldSealer): JsonObject {
  const payer = objectAt(data, 'payer');
  const reference = inboundPayerReference(data, payer, sealer);
  return reference === null ? data : sealInboundPayerUnder(data, reference, sealer);
}

function sealInboundPayerUnder(data: JsonObject, reference: string, sealer: FieldSealer): JsonObject {
  const payer = objectAt(data, 'payer');
  return {
    ...data,
    payer: { ...payer, ...sealedField(payer, 'name', reference, sealer), ...sealedField(payer, 'taxId', reference, sealer) },
    ...sealedField(data, 'description', reference, sealer),
  };
}

/** A webhook's summary names the payment (`id`) but not its PSP: the payer's subject is the recorded payment's. */
function sealWebhookPayer(object: JsonObject, sealer: FieldSealer): JsonObject {
  const paymentId = object['id'];
  const reference = typeof paymentId === 'string' ? sealer.inboundPayerReferenceOf(paymentId) : null;
  return reference === null ? object : sealInboundPayerUnder(object, reference, sealer);
}

function openInboundPayer(data: JsonObject, open: FieldOpener): JsonObject {
  return { ...data, payer: withOpened(objectAt(data, 'payer'), ['name', 'taxId'], open), ...openedField(data, 'description', open) };
}

/** The subject of a recorded payment's payer (or of its name, when the event is already sealed). */
function inboundPayerReference(data: JsonObject, payer: JsonObject, sealer: FieldSealer): string | null {
  const name = payer['name'];
  // Already sealed (an event appended again as it was read raw): its subject is the one it names.
  if (typeof name === 'string' && isSealedText(name)) return subjectReferenceOfSealed(name);
  const pspId = data['pspId'];
  const paymentId = data['paymentId'];
  const taxId = payer['taxId'] ?? null;
  if (typeof pspId !== 'string' || typeof paymentId !== 'string' || (taxId !== null && typeof taxId !== 'string')) return null;
  return sealer.referenceOf(inboundPayerSubject({ pspId, paymentId, taxId }));
}

/**
 * A merchant's tax number is a business's NTN or, for an individual exporter (a freelancer), the person's CNIC: a
 * CNIC is sealed under its own subject, so erasing that CNIC erases it wherever the merchant's events and payments
 * hold it; an NTN stays as written.
 */
function sealTaxNumberFields(data: JsonObject, fields: readonly string[], sealer: FieldSealer): JsonObject {
  let sealed = data;
  for (const field of fields) {
    const value = data[field];
    const cnic = typeof value === 'string' ? cnicOfTaxNumber(value) : null;
    if (cnic !== null) sealed = { ...sealed, ...sealedField(data, field, sealer.referenceOf({ type: 'CNIC', value: cnic }), sealer) };
  }
  return sealed;
}

const merchantRegistered: EventFields = {
  seal: (data, sealer) => sealTaxNumberFields(data, ['taxNumber'], sealer),
  open: (data, open) => withOpened(data, ['taxNumber'], open),
};

const merchantTaxNumberChanged: EventFields = {
  seal: (data, sealer) => sealTaxNumberFields(data, ['taxNumber', 'previousTaxNumber'], sealer),
  open: (data, open) => withOpened(data, ['taxNumber', 'previousTaxNumber'], open),
};

const inboundPaymentCompleted: EventFields = {
  seal: (data, sealer) => sealTaxNumberFields(sealInboundPayer(data, sealer), ['merchantTaxNumber'], sealer),
  open: (data, open) => withOpened(openInboundPayer(data, open), ['merchantTaxNumber'], open),
};

/** A webhook delivery's payload: its body is the serialized event, whose `data.object` is the payment's summary. */
function isInboundPaymentWebhook(payload: JsonObject): boolean {
  return payload['eventType'] === 'inbound_payment.completed' && typeof payload['body'] === 'string';
}

/**
 * Changes the summary inside a webhook's body. The body was written by JSON.stringify, so parsing and writing it
 * again gives the same bytes in the same order: the merchant gets the body it would have got, byte for byte.
 */
function changeWebhookBody(payload: JsonObject, change: (object: JsonObject) => JsonObject): JsonObject {
  const body = payload['body'] as string;
  let event: JsonValue;
  try {
    event = JSON.parse(body) as JsonValue;
  } catch {
    return payload;
  }
  if (!isObject(event)) return payload;
  const data = objectAt(event, 'data');
  const object = objectAt(data, 'object');
  return { ...payload, body: JSON.stringify({ ...event, data: { ...data, object: change(object) } }) };
}

/** A webhook's body as a read model holds it, with the personal fields it seals opened. */
export function openedWebhookBody(eventType: string, body: string, open: FieldOpener): string {
  const opened = openPayload({ eventType, body }, open)['body'];
  return typeof opened === 'string' ? opened : body;
}

/** The in-bound payments whose webhooks an event queues (a delivery, or the pending ones of an outbox snapshot). */
export function inboundPaymentIdsOfWebhooks(type: string, data: JsonObject): string[] {
  const payloads =
    type === 'DeliveryQueued'
      ? [data['payload']]
      : type === 'OutboxSnapshotChunk' && Array.isArray(data['pending'])
        ? data['pending'].map((row) => (Array.isArray(row) ? row[3] : undefined))
        : [];
  const paymentIds: string[] = [];
  for (const payload of payloads) {
    if (!isObject(payload) || !isInboundPaymentWebhook(payload)) continue;
    changeWebhookBody(payload, (object) => {
      if (typeof object['id'] === 'string') paymentIds.push(object['id']);
      return object;
    });
  }
  return paymentIds;
}

export const personalEventFields: ReadonlyMap<string, EventFields> = new Map([
  ['AliasRegistered', aliasRegistered],
  ['AliasRemoved', aliasRemoved],
  ['TransferInitiated', transferInitiated],
  ['DeliveryQueued', deliveryQueued],
  ['OutboxSnapshotChunk', outboxSnapshotChunk],
  ['DisputeOpened', disputeOpened],
  ['RequestToPaySent', requestToPaySent],
  ['InboundPaymentCompleted', inboundPaymentCompleted],
  ['MerchantRegistered', merchantRegistered],
  ['MerchantTaxNumberChanged', merchantTaxNumberChanged],
]);

/** The reference of the subject a party names, or null for one that names no person (a merchant). */
function partyReference(party: JsonObject, sealer: FieldSealer): string | null {
  const type = party['type'];
  const value = party['value'];
  if (typeof type !== 'string' || typeof value !== 'string') return null;
  // Already sealed (an event appended again as it was read raw): its subject is the one it names.
  if (isSealedText(value)) return subjectReferenceOfSealed(value);
  const subject = subjectOfParty({ type, value });
  return subject === null ? null : sealer.referenceOf(subject);
}

function withSealed(object: JsonObject, field: string, reference: string | null, sealer: FieldSealer): JsonObject {
  return { ...object, ...sealedField(object, field, reference, sealer) };
}

/** `{ field: sealed }` when the object holds a plaintext string there and it has a subject; `{}` otherwise. */
function sealedField(object: JsonObject, field: string, reference: string | null, sealer: FieldSealer): JsonObject {
  const value = object[field];
  if (reference === null || typeof value !== 'string' || isSealedText(value)) return {};
  return { [field]: sealer.seal(reference, value) };
}

function openedField(object: JsonObject, field: string, open: FieldOpener): JsonObject {
  const value = object[field];
  return typeof value === 'string' ? { [field]: open(value) } : {};
}

function withOpened(object: JsonObject, fields: readonly string[], open: FieldOpener): JsonObject {
  let opened = object;
  for (const field of fields) opened = { ...opened, ...openedField(object, field, open) };
  return opened;
}

function objectAt(data: JsonObject, field: string): JsonObject {
  const value = data[field];
  return isObject(value) ? value : {};
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
