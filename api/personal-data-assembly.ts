import { SqliteSubjectKeyStore, subjectKeysPath } from '../adapters/subject-keys-sqlite/sqlite-subject-key-store';
import type { AliasStreamNaming } from '../core/directory/alias-key';
import { sealedAliasStreamNaming } from '../core/personal-data/alias-stream-naming';
import { PersonalDataCipher } from '../core/personal-data/personal-data-cipher';
import type { SubjectKeyStore } from '../core/personal-data/subject-key-store';
import type { Assembled } from './assembly';

export type PersonalDataAssembly = {
  /** Seals personal fields of events and opens them in views; erasure destroys a subject's key through it. */
  cipher: PersonalDataCipher;
  /** A person's alias streams are named by the subject's keyed hash. */
  aliasStreams: AliasStreamNaming;
};

/**
 * Personal data (issue 15.4): the data subjects' keys in `subject-keys.db` in the data dir, wrapped by the master
 * key, and the cipher over them. Always on: events, read models and answers kept for retries hold personal data
 * sealed, so an erasure can reach every copy the switch writes after the upgrade.
 */
export function assemblePersonalData(
  dataDir: string,
  masterKey: Buffer,
  now: () => Date,
  options: { dataKeysCachedMax?: number; keys?: SubjectKeyStore & { close(): void } } = {},
): Assembled<PersonalDataAssembly> {
  // On PostgreSQL the keys' store of record is a table beside the log (adapters/subject-keys-postgres).
  const keys = options.keys ?? new SqliteSubjectKeyStore(subjectKeysPath(dataDir));
  const cipher = new PersonalDataCipher(masterKey, keys, now, options.dataKeysCachedMax);
  return {
    provides: { cipher, aliasStreams: sealedAliasStreamNaming((subject) => cipher.referenceOf(subject)) },
    stop: async () => keys.close(),
  };
}
