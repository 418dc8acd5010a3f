import { createHash } from 'node:crypto';
import { assert } from '../assert';
import type { VerifiedRequestSignature } from '../auth/request-signature';
import type { PublicJwk, RequestSigningAlgorithm } from '../auth/request-signing-key';
import type { CommandContext } from '../eventstore/decider-stream';
import type { EventStore, StreamAppend } from '../eventstore/event-store';
import type { NewEvent } from '../eventstore/event';
import { newId } from '../ids';
import { erasedText } from '../personal-data/sealed-text';
import type { JointSubjectSeal } from '../personal-data/joint-subject-seal';
import { subjectsOfTransferRequest } from './transfer-request-subjects';

/**
 * Signed transfer requests kept as evidence (issue 15): the flattened JWS (RFC 7515 section 7.2.2) of every
 * verified request that asked for a transfer, with the raw body as received, so that in a dispute anyone holding
 * the participant's public key can check what the participant sent. A request is recorded once, in its own
 * stream, and each transfer it names links to it; a batch's body is kept once for all its transfers.
 *
 * The body names people (payers' and payees' numbers, payers' names), so it is kept sealed for every data subject it
 * names (core/personal-data/joint-subject-seal.ts): erasing any of them erases the body, and the evidence then shows
 * the protected header and signature with the body marked erased. A body that names no person (every item malformed)
 * is kept as sent.
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
    /** The body is in the chunk events that follow, base64url, in order: sealed when `sealed` is present. */
    payloadChunks: number;
    /** The body's IV and tag, and how many share events follow the chunks; the chunks hold the ciphertext. */
    sealed?: { iv: string; tag: string; shareChunks: number };
    at: string;
  };
};
export type SignedRequestPayloadChunk = { type: 'SignedRequestPayloadChunk'; data: { index: number; payload: string } };
/** The sealed body's key shares, one per data subject it names (core/personal-data/joint-subject-seal.ts), in order. */
export type SignedRequestKeyShares = { type: 'SignedRequestKeyShares'; data: { index: number; shares: string[] } };
export type TransferSignedRequestLinked = {
  type: 'TransferSignedRequestLinked';
  data: { switchTransferId: string; requestStream: string; at: string };
};

/** Under the event store's 1 MiB per event: a 4 MiB batch body is 11 chunks of base64url. */
export const payloadChunkCharactersMax = 512 * 1024;
/** Signed requests one transfer's evidence lists (retries with fresh jtis add one each); older ones are not read. */
export const evidenceRequestsMax = 20;
/** A sealed share is about 160 characters: 4,096 of them keep an event well under 1 MiB. */
const sharesPerEventMax = 4_096;

export type SignedRequestEvidenceEntry = {
  kid: string;
  alg: RequestSigningAlgorithm;
  publicKey: PublicJwk;
  method: string;
  pathWithQuery: string;
  receivedAt: string;
  /** Verify with any JOSE library: flattenedVerify(jws, importJWK(publicKey, alg)). The payload is `[erased]` once erased. */
  jws: { protected: string; payload: string; signature: string };
  /** Whether a data subject the body named has been erased, and with it the body. */
  bodyErased: boolean;
  /** Why the signature can no longer be checked, when it cannot; null otherwise. */
  remark: string | null;
};

const erasedBodyRemark =
  'The request body named a data subject since erased, so the body is erased with it and the signature can no longer be re-verified; the protected header and signature are as received.';

export function signedRequestStreamName(participantId: string, jti: string): string {
  return `signed-request-${createHash('sha256').update(`${participantId}\n${jti}`).digest('hex')}`;
}

function transferEvidenceStreamName(switchTransferId: string): string {
  return `transfer-evidence-${switchTransferId}`;
}

export class SignedRequestEvidence {
  constructor(
    private readonly store: EventStore,
    private readonly seal: JointSubjectSeal,
  ) {}

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
    const { payload, sealed, shares } = this.sealedBody(request.rawBody);
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
        ...(sealed === undefined ? {} : { sealed: { ...sealed, shareChunks: Math.ceil(shares.length / sharesPerEventMax) } }),
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
    for (let start = 0; start < shares.length; start += sharesPerEventMax)
      chunkEvents.push({
        id: newId(),
        type: 'SignedRequestKeyShares',
        data: { index: start / sharesPerEventMax, shares: shares.slice(start, start + sharesPerEventMax) },
        metadata,
      });
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

  /** The body as the chunks keep it: sealed for the subjects it names, or as sent when it names none. */
  private sealedBody(rawBody: Buffer): { payload: string; sealed?: { iv: string; tag: string }; shares: string[] } {
    const subjects = subjectsOfTransferRequest(parsedOrNull(rawBody));
    if (subjects.length === 0) return { payload: rawBody.toString('base64url'), shares: [] };
    const { ciphertext, shares, iv, tag } = this.seal.seal(subjects, rawBody);
    return { payload: ciphertext, sealed: { iv, tag }, shares };
  }

  private async openedBody(stream: string, request: SignedRequestRecorded['data'], kept: string): Promise<string | null> {
    if (request.sealed === undefined) return kept;
    const { iv, tag, shareChunks } = request.sealed;
    const shareEvents = await this.store.readStream(stream, 1n + BigInt(request.payloadChunks), shareChunks);
    assert(shareEvents.length === shareChunks, `evidence stream ${stream} holds every share of its body's key`);
    const shares = shareEvents.flatMap((event) => (event.data as SignedRequestKeyShares['data']).shares);
    return this.seal.open({ shares, iv, tag, ciphertext: kept })?.toString('base64url') ?? null;
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
    const kept = chunks.map((chunk) => (chunk.data as SignedRequestPayloadChunk['data']).payload).join('');
    const body = await this.openedBody(stream, request, kept);
    const payload = body ?? erasedText;
    return {
      kid: request.kid,
      alg: request.alg,
      publicKey: request.publicKey,
      method: request.method,
      pathWithQuery: request.pathWithQuery,
      receivedAt: request.at,
      jws: { protected: request.protected, payload, signature: request.signature },
      bodyErased: body === null,
      remark: body === null ? erasedBodyRemark : null,
    };
  }
}

function parsedOrNull(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch {
    return null;
  }
}
