/**
 * `npm run bench:sealing`: what sealing personal data costs per payment (issue 15.4).
 *
 * - sealing: the personal fields of a TransferInitiated (payer number and name, payee number, payee account) sealed
 *   as the event store does on append, the subjects' keys already made (100 payers, one payee: keys cached);
 * - opening: the same event's fields opened, as every read of the transfer's stream does;
 * - in the same run, the reference: the JSON round trip of the same event (stringify, then parse), work every
 *   append and read already does. The last line is one JSON object; `sealRatio` and `openRatio` are each over it.
 * - a new subject's key: made, wrapped and written durably (synchronous=FULL) to the key store, once per subject.
 */
import { join } from 'node:path';
import { SqliteSubjectKeyStore } from '../adapters/subject-keys-sqlite/sqlite-subject-key-store';
import type { JsonObject } from '../core/eventstore/event';
import { PersonalDataCipher } from '../core/personal-data/personal-data-cipher';
import { personalEventFields, type FieldSealer } from '../core/personal-data/personal-event-fields';
import { newMasterKey } from '../core/secrets/secret-box';
import { benchDirectory } from './support/bench-directory';
import { measure, median, reportLine } from './support/measure';

const events = 20_000;
const newSubjects = 200;
const runs = 3;

function transferInitiated(index: number): JsonObject {
  return {
    transferId: `bench-${index}`,
    payerParticipant: 'MARGALLA',
    payeeParticipant: 'RAVI',
    payer: { type: 'MSISDN', value: `92300${String(index % 100).padStart(7, '0')}`, name: 'Ayesha Khan' },
    payee: { type: 'MSISDN', value: '923002222221' },
    payeeAccount: { type: 'WALLET', value: 'RAVI000001' },
    amountMinor: '150000',
    currency: 'PKR',
    purpose: 'P2P',
    note: null,
    createdAt: '2026-12-03T10:00:00.000Z',
  };
}

async function main(): Promise<void> {
  const directory = benchDirectory('sealing');
  const keys = new SqliteSubjectKeyStore(join(directory.path, 'subject-keys.db'));
  try {
    const cipher = new PersonalDataCipher(newMasterKey(), keys, () => new Date());
    const fields = personalEventFields.get('TransferInitiated');
    if (fields === undefined) throw new Error('TransferInitiated has personal fields');
    const sealer: FieldSealer = {
      seal: (reference, plaintext) => cipher.seal(reference, plaintext),
      referenceOf: (subject) => cipher.referenceOf(subject),
      payerReferenceOf: () => null,
      inboundPayerReferenceOf: () => null,
    };
    const plain = Array.from({ length: 100 }, (_, index) => transferInitiated(index));
    const sealed = plain.map((data) => fields.seal(data, sealer));
    const seal = [];
    const open = [];
    const json = [];
    for (let run = 0; run < runs; run += 1) {
      seal.push(
        await measure(events, () => {
          for (let index = 0; index < events; index += 1) fields.seal(plain[index % plain.length] as JsonObject, sealer);
        }),
      );
      open.push(
        await measure(events, () => {
          for (let index = 0; index < events; index += 1)
            fields.open(sealed[index % sealed.length] as JsonObject, (text) => cipher.open(text));
        }),
      );
      json.push(
        await measure(events, () => {
          for (let index = 0; index < events; index += 1) JSON.parse(JSON.stringify(plain[index % plain.length]));
        }),
      );
    }
    const newKeys = await measure(newSubjects, () => {
      for (let index = 0; index < newSubjects; index += 1)
        cipher.seal(cipher.referenceOf({ type: 'MSISDN', value: `92399${String(index).padStart(7, '0')}` }), 'x');
    });
    const [sealMedian, openMedian, jsonMedian] = [median(seal), median(open), median(json)];
    console.log(reportLine('seal TransferInitiated', sealMedian));
    console.log(reportLine('open TransferInitiated', openMedian));
    console.log(reportLine('JSON round trip (reference)', jsonMedian));
    console.log(reportLine('new subject key (durable)', newKeys));
    const microseconds = (perSecond: number): number => Math.round((1e6 / perSecond) * 10) / 10;
    console.log(
      JSON.stringify({
        sealUs: microseconds(sealMedian.perSecond),
        openUs: microseconds(openMedian.perSecond),
        jsonRoundTripUs: microseconds(jsonMedian.perSecond),
        sealRatio: Math.round((jsonMedian.perSecond / sealMedian.perSecond) * 10) / 10,
        openRatio: Math.round((jsonMedian.perSecond / openMedian.perSecond) * 10) / 10,
        newSubjectKeyUs: microseconds(newKeys.perSecond),
      }),
    );
  } finally {
    keys.close();
    directory.remove();
  }
}

void main();
