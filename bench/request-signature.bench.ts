/**
 * `npm run bench:jws`: what checking a participant's Hisaab-JWS costs per request (issue 15).
 *
 * - the verifier (RequestSignatureVerifier.verify): the header parsed, the key looked up in the request-signing
 *   read model (SQLite), method, path and time checked, the Ed25519 signature verified over a 500-byte body, and
 *   the jti recorded durably in the nonce registry file (WAL, synchronous=FULL), 64 requests in flight at a time;
 * - in the same run, the ceiling: jose's flattenedVerify of the same signatures alone, with the key imported once,
 *   the least work any check of them can do. The last line is one JSON object; `ratio` is verifier over ceiling
 *   (the difference is the key lookup and the durable nonce write).
 */
import Database from 'better-sqlite3';
import { exportJWK, FlattenedSign, flattenedVerify, generateKeyPair, type CryptoKey } from 'jose';
import { join } from 'node:path';
import { requestSigningProjection } from '../adapters/readmodel-sqlite/projections/request-signing-projection';
import { SqliteRequestSigningReader } from '../adapters/readmodel-sqlite/projections/request-signing-read-model';
import { SqliteRequestNonces } from '../adapters/request-nonces/sqlite-request-nonces';
import { RequestSignatureVerifier } from '../core/auth/request-signature';
import type { PublicJwk } from '../core/auth/request-signing-key';
import { benchDirectory } from './support/bench-directory';
import { measure, median, reportLine, type Measurement } from './support/measure';

const requests = 2_000;
const runs = 3;
const body = Buffer.from(JSON.stringify({ note: 'x'.repeat(440), amount: '10.00', currency: 'PKR' }));

async function main(): Promise<void> {
  const directory = benchDirectory('jws');
  const pair = await generateKeyPair('EdDSA', { extractable: true });
  const exported = await exportJWK(pair.publicKey);
  const publicKey: PublicJwk = { kty: 'OKP', crv: 'Ed25519', x: exported.x ?? '' };
  const database = new Database(join(directory.path, 'read-models.db'));
  requestSigningProjection.setup(database);
  const recorded = { id: 'e', stream: 'participant-BENCH', revision: 0n, position: 0n, metadata: { at: new Date().toISOString() } };
  requestSigningProjection.apply(
    {
      ...recorded,
      type: 'ParticipantSigningKeyRegistered',
      data: { participantId: 'BENCH', kid: 'bench-key', alg: 'EdDSA', publicKey, requestReference: null, at: recorded.metadata.at },
    },
    database,
  );
  const nowSeconds = Math.floor(Date.now() / 1000);
  const verifierRuns: Measurement[] = [];
  const ceilingRuns: Measurement[] = [];
  for (let run = 0; run < runs; run += 1) {
    const signed = await signMany(pair.privateKey, `${run}`);
    const nonces = new SqliteRequestNonces(join(directory.path, `nonces-${run}.db`), nowSeconds - 1);
    const verifier = new RequestSignatureVerifier(new SqliteRequestSigningReader(database), nonces);
    verifierRuns.push(
      await measure(requests, async () => {
        await inFlight(signed, (header) =>
          verifier.verify({
            participantId: 'BENCH',
            header,
            method: 'POST',
            pathWithQuery: '/v1/transfers',
            rawBody: body,
            now: new Date(),
          }),
        );
      }),
    );
    nonces.close();
    const payload = body.toString('base64url');
    ceilingRuns.push(
      await measure(requests, async () => {
        await inFlight(signed, (header) => {
          const [protectedHeader = '', , signature = ''] = header.split('.');
          return flattenedVerify({ protected: protectedHeader, payload, signature }, pair.publicKey);
        });
      }),
    );
  }
  database.close();
  directory.remove();
  const verifier = median(verifierRuns);
  const ceiling = median(ceilingRuns);
  console.log(reportLine('verifier (lookup+nonce)', verifier));
  console.log(reportLine('ceiling (signature only)', ceiling));
  console.log(
    JSON.stringify({
      verifierPerSecond: Math.round(verifier.perSecond),
      ceilingPerSecond: Math.round(ceiling.perSecond),
      ratio: Number((verifier.perSecond / ceiling.perSecond).toFixed(2)),
    }),
  );
}

/** Requests in flight at once, as on a busy server: the nonce writes of those in flight share a commit. */
const concurrency = 64;

async function inFlight(headers: readonly string[], check: (header: string) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < headers.length; start += concurrency) await Promise.all(headers.slice(start, start + concurrency).map(check));
}

async function signMany(privateKey: CryptoKey, prefix: string): Promise<string[]> {
  const headers: string[] = [];
  const iat = Math.floor(Date.now() / 1000);
  for (let index = 0; index < requests; index += 1) {
    const jws = await new FlattenedSign(body)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'bench-key', htm: 'POST', htu: '/v1/transfers', iat, jti: `${prefix}-${index}` })
      .sign(privateKey);
    headers.push(`${jws.protected}..${jws.signature}`);
  }
  return headers;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
