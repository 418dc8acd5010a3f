import { createHash } from 'node:crypto';
import { assert } from '../assert';
import type { VerifiedRequestSignature } from '../auth/request-signature';
import type { PublicJwk, RequestSigningAlgorithm } from '../auth/request-signing-key';
import type { CommandContext } from '../eventstore/decider-stream';
import type { EventStore, StreamAppend } from '../eventstore/event-store';
import type { NewEvent } from '../eventstore/event';
import { newId } from '../ids';

/**
 * Signed transfer requests kept as evidence (issue 15): the flattened JWS (RFC 7515 section 7.2.2) of every
 * verified request that asked for a transfer, with the raw body as received, so that in a dispute anyone holding
 * the participant's public key can check what the participant sent. A request is recorded once, in its own
 * stream, and each transfer it names links to it; a batch's body is kept once for all its transfers.
 */
export type SignedRequestRecorded = {
  type: 'SignedRequestRecorded';
  data: {
    participantId: string;
    kid: string;
    alg: RequestSigningAlgorithm;
    publicKey: PublicJwk;
    protected: string;
    signature: string;
    method: string;
    pathWithQuery: string;
    /** The body is in the chunk events that follow, base64url, in order. */
    payloadChunks: number;
    at: string;
  };
};
export type SignedRequestPayloadChunk = { type: 'SignedRequestPayloadChunk'; data: { index: number; payload: string } };
export type TransferSignedRequestLinked = {
  type: 'TransferSignedRequestLinked';
  data: { switchTransferId: string; requestStream: string; at: string };
};

/** Under the event store's 1 MiB per event: a 4 MiB batch body is 11 chunks of base64url. */
export const payloadChunkCharactersMax = 512 * 1024;
/** Signed requests one transfer's evidence lists (retries with fresh jtis add one each); older ones are not read. */
export const evidenceRequestsMax = 20;

export type SignedRequestEvidenceEntry = {
  kid: string;
  alg: RequestSigningAlgorithm;
  publicKey: PublicJwk;
  method: string;
  pathWithQuery: string;
  receivedAt: string;
  /** Verify with any JOSE library: flattenedVerify(jws, importJWK(publicKey, alg)). */
  jws: { protected: string; payload: string; signature: string };
};

export function signedRequestStreamName(participantId: string, jti: string): string {
  return `signed-request-${createHash('sha256').update(`${participantId}\n${jti}`).digest('hex')}`;
}

function transferEvidenceStreamName(switchTransferId: string): string {
  return `transfer-evidence-${switchTransferId}`;
}

export class SignedRequestEvidence {
  constructor(private readonly store: EventStore) {}

  /**
   * Records the request and links it to each transfer it asks for, before the transfers run: an answer about a
   * transfer is never sent without its evidence being durable. The request's stream is new (a jti is used once).
   */
  async record(
    request: { participantId: string; signature: VerifiedRequestSignature; method: string; pathWithQuery: string; rawBody: Buffer },
    switchTransferIds: readonly string[],
    context: CommandContext,
  ): Promise<void> {
    const at = context.now.toISOString();
    const metadata = { at, actor: context.actor, correlationId: context.correlationId };
    const payload = request.rawBody.toString('base64url');
    const chunks: string[] = [];
    for (let start = 0; start < payload.length; start += payloadChunkCharactersMax)
      chunks.push(payload.slice(start, start + payloadChunkCharactersMax));
    if (chunks.length === 0) chunks.push('');
    const { signature } = request;
    const requestStream = signedRequestStreamName(request.participantId, signature.header.jti);
    const recorded: NewEvent = {
      id: newId(),
      type: 'SignedRequestRecorded',
      data: {
        participantId: request.participantId,
        kid: signature.kid,
        alg: signature.alg,
        publicKey: signature.publicKey,
        protected: signature.protectedHeader,
        signature: signature.signature,
        method: request.method,
        pathWithQuery: request.pathWithQuery,
        payloadChunks: chunks.length,
        at,
      },
      metadata,
    };
    const chunkEvents: NewEvent[] = chunks.map((chunk, index) => ({
      id: newId(),
      type: 'SignedRequestPayloadChunk',
      data: { index, payload: chunk },
      metadata,
    }));
    const appends: StreamAppend[] = [
      { stream: requestStream, events: [recorded, ...chunkEvents], expectedRevision: 'no_stream' },
      ...[...new Set(switchTransferIds)].map((switchTransferId) => ({
        stream: transferEvidenceStreamName(switchTransferId),
        events: [{ id: newId(), type: 'TransferSignedRequestLinked', data: { switchTransferId, requestStream, at }, metadata }],
        expectedRevision: 'any' as const,
      })),
    ];
    await this.store.appendMany(appends);
  }

  /** The signed requests that asked for this transfer, oldest first (at most evidenceRequestsMax). */
  async forTransfer(switchTransferId: string): Promise<SignedRequestEvidenceEntry[]> {
    const links = await this.store.readStream(transferEvidenceStreamName(switchTransferId), 0n, evidenceRequestsMax);
    const entries: SignedRequestEvidenceEntry[] = [];
    for (const link of links) {
      const data = link.data as TransferSignedRequestLinked['data'];
      entries.push(await this.readRequest(data.requestStream));
    }
    return entries;
  }

  private async readRequest(stream: string): Promise<SignedRequestEvidenceEntry> {
    const [first] = await this.store.readStream(stream, 0n, 1);
    assert(first !== undefined && first.type === 'SignedRequestRecorded', `evidence stream ${stream} starts with its request`);
    const request = first.data as SignedRequestRecorded['data'];
    const chunks = await this.store.readStream(stream, 1n, request.payloadChunks);
    assert(chunks.length === request.payloadChunks, `evidence stream ${stream} holds every chunk of its body`);
    const payload = chunks.map((chunk) => (chunk.data as SignedRequestPayloadChunk['data']).payload).join('');
    return {
      kid: request.kid,
      alg: request.alg,
      publicKey: request.publicKey,
      method: request.method,
      pathWithQuery: request.pathWithQuery,
      receivedAt: request.at,
      jws: { protected: request.protected, payload, signature: request.signature },
    };
  }
}
