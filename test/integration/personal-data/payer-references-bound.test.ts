/**
 * The personal-data store remembers the payer's subject of recent transfers, up to a bound, to seal their
 * deliveries without a read (issue 14: the soak found this cache to be the heap structure growing with each
 * payment until its bound). Past the bound a transfer is forgotten, and its delivery is still sealed under its
 * payer's subject, read from the transfer's first event: the bound changes memory, never what is sealed.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { SqliteSubjectKeyStore } from '../../../adapters/subject-keys-sqlite/sqlite-subject-key-store';
import { PersonalDataCipher } from '../../../core/personal-data/personal-data-cipher';
import { PersonalDataEventStore } from '../../../core/personal-data/personal-data-event-store';
import { subjectReferenceOfSealed } from '../../../core/personal-data/sealed-text';
import { newMasterKey } from '../../../core/secrets/secret-box';
import { transferStreamName } from '../../../core/transfers/transfer-events';
import { tempDir } from '../../support/temp-dir';

const now = (): Date => new Date('2026-12-03T10:00:00Z');

let directory: { path: string; remove: () => void };
let keys: SqliteSubjectKeyStore;
let sealedLog: SqliteEventStore;
let cipher: PersonalDataCipher;

beforeEach(() => {
  directory = tempDir('hisaab-payer-references-');
  keys = new SqliteSubjectKeyStore(join(directory.path, 'subject-keys.db'));
  sealedLog = new SqliteEventStore(join(directory.path, 'events.db'));
  cipher = new PersonalDataCipher(newMasterKey(), keys, now);
});
afterEach(async () => {
  await sealedLog.close();
  keys.close();
  directory.remove();
});

async function initiate(store: PersonalDataEventStore, transferId: string, msisdn: string): Promise<void> {
  await store.append(
    transferStreamName(transferId),
    [
      {
        id: randomUUID(),
        type: 'TransferInitiated',
        data: { transferId, payer: { type: 'MSISDN', value: msisdn, name: `Payer ${msisdn}` } },
        metadata: { at: now().toISOString() },
      },
    ],
    'no_stream',
  );
}

async function queueAdvice(store: PersonalDataEventStore, transferId: string, payerName: string): Promise<string> {
  await store.append(
    'outbox-wallet-http',
    [
      {
        id: randomUUID(),
        type: 'DeliveryQueued',
        data: {
          deliveryId: `CREDIT_ADVICE:${transferId}`,
          payload: { payee: { type: 'WALLET', value: 'RAVIW1' }, payer: { participant: 'MARGALLA', name: payerName } },
        },
        metadata: { at: now().toISOString() },
      },
    ],
    'any',
  );
  const [queued] = (await sealedLog.readStream('outbox-wallet-http', 0n, 100)).filter(
    (event) => event.data['deliveryId'] === `CREDIT_ADVICE:${transferId}`,
  );
  const payload = queued?.data['payload'] as { payer: { name: string } } | undefined;
  if (payload === undefined) throw new Error(`no delivery of ${transferId} in the log`);
  return payload.payer.name;
}

it('seals a forgotten transfer’s delivery under its payer’s subject, read from the transfer’s first event', async () => {
  const store = new PersonalDataEventStore(sealedLog, cipher, { payerReferencesRememberedMax: 1 });
  await initiate(store, 't-1', '923001110001');
  // The second transfer pushes the first out of a memory of one.
  await initiate(store, 't-2', '923001110002');
  const forgotten = await queueAdvice(store, 't-1', 'Payer 923001110001');
  const remembered = await queueAdvice(store, 't-2', 'Payer 923001110002');
  expect(subjectReferenceOfSealed(forgotten)).toBe(cipher.referenceOf({ type: 'MSISDN', value: '923001110001' }));
  expect(subjectReferenceOfSealed(remembered)).toBe(cipher.referenceOf({ type: 'MSISDN', value: '923001110002' }));
  // Not under the payee's subject (a WALLET is an ACCOUNT subject), which is where a payer's name goes when its payer cannot be found at all.
  expect(subjectReferenceOfSealed(forgotten)).not.toBe(cipher.referenceOf({ type: 'ACCOUNT', value: 'RAVIW1' }));
  expect(cipher.open(forgotten)).toBe('Payer 923001110001');
});

it('refuses a bound that is not a positive whole number', () => {
  expect(() => new PersonalDataEventStore(sealedLog, cipher, { payerReferencesRememberedMax: 0 })).toThrow(/positive whole number/);
});
