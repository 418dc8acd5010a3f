import type Database from 'better-sqlite3';
import { SqliteRequestSigningReader } from '../adapters/readmodel-sqlite/projections/request-signing-read-model';
import { requestNoncesPath, SqliteRequestNonces } from '../adapters/request-nonces/sqlite-request-nonces';
import { switchJwsSigner, type OutgoingMessageSigner } from '../adapters/wallet-http/switch-jws-signer';
import type { RequestNonceRegistry } from '../core/auth/request-nonces';
import { RequestSignatureVerifier } from '../core/auth/request-signature';
import type { EventStore } from '../core/eventstore/event-store';
import type { SecretBox } from '../core/secrets/secret-box';
import { generateSwitchSigningKey } from '../core/secrets/switch-signing-key-service';
import { assemble, type Assembled } from './assembly';
import type { Logger } from './logger';

export type RequestSigningAssembly = {
  verifier: RequestSignatureVerifier;
  signer: OutgoingMessageSigner;
  reader: SqliteRequestSigningReader;
};

export type RequestSigningInput = {
  dataDir: string;
  readModelDatabase: Database.Database;
  logger: Logger;
  now: () => Date;
  secrets: SecretBox;
  /**
   * The writer's store and a wait for its read models: given, the switch's first signing key is made when the log
   * has none. A front-end worker passes none: its writer made the key before the workers started.
   */
  writer?: { store: EventStore; waitForPosition(position: bigint): Promise<void> };
  /** The jti registry when it is not the data dir's file (PostgreSQL's table, issue 19); its owner closes it. */
  nonces?: RequestNonceRegistry;
};

/**
 * Signed requests and signed callbacks (issue 15): the verifier of participants' Hisaab-JWS with its jti registry
 * (a file in the data dir that every process of the switch shares), and the signer of what the switch sends.
 */
export function assembleRequestSigning(input: RequestSigningInput): Promise<Assembled<RequestSigningAssembly>> {
  return assemble(input.logger, async (parts) => {
    let nonces = input.nonces;
    if (nonces === undefined) {
      const file = new SqliteRequestNonces(requestNoncesPath(input.dataDir), Math.floor(input.now().getTime() / 1000));
      parts.onStop('request nonces', () => file.close());
      nonces = file;
    }
    const reader = new SqliteRequestSigningReader(input.readModelDatabase);
    if (input.writer !== undefined) {
      const first = await generateSwitchSigningKey(input.writer.store, input.secrets, 'first', {
        now: input.now(),
        actor: 'switch',
        correlationId: 'start-up',
      });
      if (first.position !== null) {
        await input.writer.waitForPosition(first.position);
        input.logger.info({ kid: first.kid }, 'made the switch signing key');
      }
    }
    return { verifier: new RequestSignatureVerifier(reader, nonces), signer: switchJwsSigner(reader, input.secrets), reader };
  });
}
