import { calculateJwkThumbprint, importJWK } from 'jose';
import { algorithmFitsKey, type PublicJwk, type RegisteredSigningKey } from '../../core/auth/request-signing-key';
import type { Principal } from '../../core/auth/principal';
import { generateSwitchSigningKey } from '../../core/secrets/switch-signing-key-service';
import { switchSigningKeysPublishedMax, type SwitchSigningKeyReader } from '../../core/secrets/switch-signing-keys';
import type { SecretBox } from '../../core/secrets/secret-box';
import type { RequestSigningReader } from '../../core/auth/request-signing-reader';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import { bodyOf } from '../route-helpers';
import type { RouteModule } from '../route-kit';
import { participantIdParams } from '../schemas/participant-schemas';
import { registerSigningKeySchema, signingKeyParams } from '../schemas/signing-key-schemas';
import { parseInput } from '../validation';

export type SigningKeyRouteDependencies = {
  reader: RequestSigningReader & SwitchSigningKeyReader;
  secrets: SecretBox;
};

/**
 * Request-signing keys (issue 15): a participant (or the operator for it) registers the public keys it signs
 * requests with, lists and revokes them; the switch publishes its own public keys at /.well-known/jwks.json and
 * the operator rotates them.
 */
export function signingKeyRoutes(dependencies: SigningKeyRouteDependencies): RouteModule {
  return (router, kit) => {
    router.post('/v1/participants/:id/signing-keys', kit.allow('operator', 'participant'), async (request, response) => {
      const { id } = parseInput(participantIdParams, request.params, 'path');
      refuseOtherParticipant(principalOf(request), id);
      await kit.idempotency.run(request, response, principalOf(request), async (reference) => {
        const body = parseInput(registerSigningKeySchema, bodyOf(request), 'body');
        const publicKey = body.publicKey;
        if (!algorithmFitsKey(body.alg, publicKey)) {
          throw new HttpError(
            'VALIDATION_FAILED',
            `body.publicKey: an ${body.alg} key is ${body.alg === 'EdDSA' ? 'an Ed25519 (OKP)' : 'a P-256 (EC)'} key`,
            [{ path: ['body', 'publicKey'], message: `not a key for ${body.alg}` }],
          );
        }
        await refuseInvalidKey(publicKey, body.alg);
        const kid = await calculateJwkThumbprint(publicKey, 'sha256');
        const receipt = await kit.dependencies.participants.registerSigningKey(
          { participantId: id, kid, alg: body.alg, publicKey },
          reference,
          kit.commandContext(request),
        );
        await kit.waitForWrite(receipt.position);
        const registered = dependencies.reader.listSigningKeys(id).find((key) => key.kid === kid && key.revokedAt === null);
        if (registered === undefined) throw new Error(`signing key ${kid} of ${id} is not in the read model after its write`);
        return { status: receipt.position === null ? 200 : 201, body: signingKeyView(registered) };
      });
    });

    router.get('/v1/participants/:id/signing-keys', kit.allow('operator', 'regulator', 'participant'), (request, response) => {
      const { id } = parseInput(participantIdParams, request.params, 'path');
      const principal = principalOf(request);
      if (principal.role === 'participant' && principal.participantId !== id) {
        throw new HttpError('FORBIDDEN', 'a participant can read only its own signing keys');
      }
      if (kit.dependencies.readModels.participants.findParticipant(id) === null) {
        throw new HttpError('PARTICIPANT_NOT_FOUND', `participant ${id} does not exist`);
      }
      response.json({
        requireSignedRequests: dependencies.reader.signedRequestsRequired(id),
        signingKeys: dependencies.reader.listSigningKeys(id).map(signingKeyView),
      });
    });

    router.delete('/v1/participants/:id/signing-keys/:kid', kit.allow('operator', 'participant'), async (request, response) => {
      const { id, kid } = parseInput(signingKeyParams, request.params, 'path');
      refuseOtherParticipant(principalOf(request), id);
      const receipt = await kit.dependencies.participants.revokeSigningKey(id, kid, kit.commandContext(request));
      await kit.waitForWrite(receipt.position);
      response.status(204).end();
    });

    // Public: anyone receiving what the switch sends verifies its Hisaab-JWS with these.
    router.get('/.well-known/jwks.json', (_request, response) => {
      const keys = dependencies.reader.switchSigningKeys(switchSigningKeysPublishedMax);
      response.set('Cache-Control', 'public, max-age=60');
      response.json({ keys: keys.map((key) => ({ ...key.publicKey, kid: key.kid, alg: 'EdDSA', use: 'sig' })) });
    });

    router.post('/v1/switch/signing-keys', kit.allow('operator'), async (request, response) => {
      await kit.idempotency.run(request, response, principalOf(request), async () => {
        const rotated = await generateSwitchSigningKey(
          kit.dependencies.store,
          dependencies.secrets,
          'rotation',
          kit.commandContext(request),
        );
        await kit.waitForWrite(rotated.position);
        const keys = dependencies.reader.switchSigningKeys(switchSigningKeysPublishedMax);
        return { status: 201, body: { kid: rotated.kid, publishedKids: keys.map((key) => key.kid) } };
      });
    });
  };
}

function refuseOtherParticipant(principal: Principal, participantId: string): void {
  if (principal.role === 'participant' && principal.participantId !== participantId) {
    throw new HttpError('FORBIDDEN', 'a participant manages only its own signing keys');
  }
}

/** The key must import as a public key of its algorithm (an EC point off the curve does not). */
async function refuseInvalidKey(publicKey: PublicJwk, alg: string): Promise<void> {
  try {
    await importJWK(publicKey, alg);
  } catch {
    throw new HttpError('VALIDATION_FAILED', `body.publicKey: not a valid ${alg} public key`, [
      { path: ['body', 'publicKey'], message: 'not a valid public key' },
    ]);
  }
}

function signingKeyView(key: RegisteredSigningKey): Record<string, unknown> {
  return { kid: key.kid, alg: key.alg, publicKey: key.publicKey, createdAt: key.createdAt, revokedAt: key.revokedAt };
}
