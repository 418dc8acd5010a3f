import { chmodSync, closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { privateFileMode } from '../adapters/private-files';
import { masterKeyBytes, masterKeyIdOf, newMasterKey } from '../core/secrets/secret-box';
import { ConfigError, type SwitchConfig } from './config';
import type { Logger } from './logger';

/** Where the switch keeps the master key it generated, when HISAAB_MASTER_KEY is not set. */
export const masterKeyFileName = 'master.key';

/**
 * The master key that seals the signing secrets: HISAAB_MASTER_KEY when set; otherwise the one in the data dir,
 * generated (0600) on the first start and reused after (set to 0600 again if it was made readable by others). A generated key lies beside the data it protects, so it
 * only keeps a copied database file from handing out secrets: production supplies its own, kept elsewhere.
 */
export function resolveMasterKey(config: SwitchConfig, logger: Logger): Buffer {
  if (config.masterKey !== undefined) return config.masterKey;
  if (config.eventStore.kind === 'postgres') {
    // A shared store outlives any one machine's data dir: a standby elsewhere, or a switch rebuilt on an empty data
    // dir, must open the same sealed secrets, so the key cannot be one this machine made for itself.
    throw new ConfigError(
      'HISAAB_MASTER_KEY must be set when HISAAB_EVENTSTORE is PostgreSQL: every switch on the store (writer, standby, a rebuilt one) opens the same sealed signing secrets with it',
    );
  }
  const path = join(config.dataDir, masterKeyFileName);
  let key: Buffer;
  if (existsSync(path)) {
    // A key file copied back from a backup or by hand may have come back readable by others; it opens every sealed
    // secret, so it is made private like the databases beside it (adapters/private-files.ts).
    chmodSync(path, privateFileMode);
    key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (key.length !== masterKeyBytes) {
      throw new ConfigError(
        `${path} must hold a ${masterKeyBytes}-byte master key in base64; restore it, or set HISAAB_MASTER_KEY to the key the data was written with`,
      );
    }
  } else {
    key = newMasterKey();
    // Exclusive create: two switches starting on one new data dir cannot each write a different key.
    const descriptor = openSync(path, 'wx', privateFileMode);
    try {
      writeSync(descriptor, `${key.toString('base64')}\n`);
    } finally {
      closeSync(descriptor);
    }
  }
  logger.warn(
    { masterKeyFile: path, masterKeyId: masterKeyIdOf(key) },
    'HISAAB_MASTER_KEY is not set: signing secrets are sealed with a master key kept in the data dir; production should supply its own (32 bytes, base64) and keep it out of the data dir',
  );
  return key;
}
