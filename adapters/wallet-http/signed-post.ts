import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { TLSSocket } from 'node:tls';
import { requestSignatureHeaderName } from '../../core/auth/request-signature';
import { signatureHeader, signatureHeaderName } from '../../core/signing';
import type { OutgoingMessageSigner } from './switch-jws-signer';

/**
 * What became of one signed POST, in the terms the switch needs:
 * - `answered`: a complete response came back in time (any status);
 * - `not-sent`: no connection was ever made, so nothing reached the receiver (refused, no route, bad URL);
 * - `no-answer`: the request may have reached the receiver but no complete response came back in time
 *   (deadline, reset after connecting, a body too large).
 */
export type PostResult =
  | { delivery: 'answered'; status: number; body: string }
  | { delivery: 'not-sent'; detail: string }
  | { delivery: 'no-answer'; detail: string };

export type SignedPostInput = {
  url: string;
  /** Newest first; every one signs (`t=…,v1=<new>,v1=<old>`), so a receiver holding any of them accepts. */
  secrets: readonly string[];
  rawBody: string;
  /** Extra headers (the message type); the content type and the signature are set here. */
  headers: Record<string, string>;
  deadlineMs: number;
  /** The signing instant. */
  now: Date;
  responseBytesMax: number;
  agents: { http: http.Agent; https: https.Agent };
  /** The switch's own signature (Hisaab-JWS, issue 15) beside the HMAC; absent, only the HMAC signs. */
  jwsSigner?: OutgoingMessageSigner;
};

/**
 * POSTs a JSON body signed with Hisaab-Signature and waits, at most `deadlineMs`, for the whole response.
 *
 * A kept-alive connection may have been closed by the wallet just as it is reused; the request then fails
 * with a reset before any answer although the wallet may never have read it. Such a failure on a reused
 * connection is retried once on a new connection, within the same deadline (as Node's documentation advises
 * for idempotent requests: every message here is, since the wallet deduplicates by transferId).
 */
export async function postSignedJson(input: SignedPostInput): Promise<PostResult> {
  let target: URL;
  try {
    target = new URL(input.url);
  } catch {
    return { delivery: 'not-sent', detail: `INVALID_URL: ${JSON.stringify(input.url)} is not a URL` };
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return { delivery: 'not-sent', detail: `INVALID_URL: ${target.protocol} is not http: or https:` };
  }
  const body = Buffer.from(input.rawBody, 'utf8');
  const headers: Record<string, string> = {
    ...input.headers,
    'content-type': 'application/json',
    'content-length': String(body.length),
    [signatureHeaderName]: signatureHeader({ secrets: input.secrets, rawBody: body, now: input.now }),
  };
  const jws = input.jwsSigner === undefined ? null : await input.jwsSigner({ method: 'POST', url: target, body, now: input.now });
  if (jws !== null) headers[requestSignatureHeaderName] = jws;
  const startedMs = performance.now();
  const first = await attemptPost(target, headers, body, input, input.deadlineMs, true);
  const remainingMs = Math.floor(input.deadlineMs - (performance.now() - startedMs));
  if (!first.reusedConnectionLost || remainingMs < 1) return first.result;
  return (await attemptPost(target, headers, body, input, remainingMs, false)).result;
}

type Attempt = { result: PostResult; reusedConnectionLost: boolean };

function attemptPost(
  target: URL,
  headers: Record<string, string>,
  body: Buffer,
  input: SignedPostInput,
  deadlineMs: number,
  pooled: boolean,
): Promise<Attempt> {
  const secure = target.protocol === 'https:';
  const agent = pooled ? (secure ? input.agents.https : input.agents.http) : false;
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    let connected = false;
    let answered = false;
    const request = (secure ? https : http).request(target, { method: 'POST', headers, agent });
    const finish = (result: PostResult, reusedConnectionLost = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ result, reusedConnectionLost });
    };
    const timer = setTimeout(() => {
      finish(
        connected
          ? { delivery: 'no-answer', detail: `TIMEOUT: no complete answer within ${input.deadlineMs} ms` }
          : { delivery: 'not-sent', detail: `CONNECT_TIMEOUT: no connection within ${input.deadlineMs} ms` },
      );
      request.destroy();
    }, deadlineMs);
    request.on('socket', (socket: Socket) => {
      // A reused keep-alive socket is connected already; a new one only once its handshake is done. Until
      // then not one byte of the request can have reached the receiver.
      if (!socket.connecting) connected = true;
      else socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => (connected = true));
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const reason = `${error.code ?? 'ERROR'}: ${error.message}`;
      if (!connected) return finish({ delivery: 'not-sent', detail: `CONNECTION_FAILED: ${reason}` });
      finish({ delivery: 'no-answer', detail: `CONNECTION_LOST: ${reason}` }, request.reusedSocket && !answered);
    });
    request.on('response', (response) => {
      answered = true;
      readResponse(
        response,
        input.responseBytesMax,
        (result) => finish(result),
        () => request.destroy(),
      );
    });
    request.end(body);
  });
}

function readResponse(response: http.IncomingMessage, bytesMax: number, finish: (result: PostResult) => void, abort: () => void): void {
  const status = response.statusCode ?? 0;
  const declaredLength = Number(response.headers['content-length'] ?? '0');
  if (declaredLength > bytesMax) {
    finish({
      delivery: 'no-answer',
      detail: `RESPONSE_TOO_LARGE: HTTP ${status} with a ${declaredLength}-byte body; at most ${bytesMax} are read`,
    });
    abort();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > bytesMax) {
      finish({ delivery: 'no-answer', detail: `RESPONSE_TOO_LARGE: HTTP ${status} with a body over ${bytesMax} bytes` });
      abort();
      return;
    }
    chunks.push(chunk);
  });
  response.on('end', () => finish({ delivery: 'answered', status, body: Buffer.concat(chunks).toString('utf8') }));
  response.on('error', (error: NodeJS.ErrnoException) => {
    finish({ delivery: 'no-answer', detail: `CONNECTION_LOST: HTTP ${status} cut short (${error.code ?? error.message})` });
  });
}
