import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { PayeeMessageKind } from '../../core/payee-port';
import { signatureHeaderName, verifySignature, type SignatureFailureReason } from '../../core/signing';
import { switchJwsCheckOf, type SwitchJwsCheck, type SwitchJwsChecker } from '../switch-jws-check';
import type { CreditBook } from './credit-book';
import { creditMessageSchema, reversalMessageSchema, type WalletAnswer } from './wallet-messages';
import type { ModeTable, WalletFault, WalletMode } from './wallet-modes';

/** What arrived at the simulated wallet, for tests to look at. */
export type ReceivedMessage = {
  kind: PayeeMessageKind;
  transferId: string | null;
  signature: 'VALID' | SignatureFailureReason | 'NO_SECRET';
  /** The switch's own signature (Hisaab-JWS) against its JWKS; NOT_CHECKED until the wallet is given the JWKS URL. */
  jws: SwitchJwsCheck | 'NOT_CHECKED';
  /** The parsed body, or null when it was not JSON. */
  body: unknown;
  /** The fault a fault mix drew for this message, or null when it was served by the mode table alone. */
  fault: WalletFault | null;
  /** The status answered; null while a slow answer is pending or when the connection was dropped. */
  answeredStatus: number | null;
  answer: WalletAnswer | null;
  receivedAt: string;
};

export type ReceiverContext = {
  book: CreditBook;
  modes: ModeTable;
  /** Draws a fault for one message when a fault mix is set; null serves it by `modes`. */
  drawFault: () => { fault: WalletFault; mode: WalletMode } | null;
  /** Empty: no secret yet, every message is refused. */
  signingSecrets: readonly string[];
  now: () => Date;
  signatureToleranceSeconds: number;
  /** Checks the switch's Hisaab-JWS too when set (setSwitchJwks); a message that fails it is refused like a bad HMAC. */
  switchJws: () => SwitchJwsChecker | null;
  record: (message: ReceivedMessage) => void;
  /** Runs `answer` after `delayMs`, unless the simulator closes first. */
  later: (delayMs: number, answer: () => void) => void;
};

export const requestBytesMax = 64 * 1024;

/** Handles one HTTP request to the simulated wallet: POST /credit, POST /reversal, GET /healthz. */
export async function handleWalletRequest(context: ReceiverContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method === 'GET' && path === '/healthz') return sendJson(response, 200, { status: 'UP' });
  if (request.method !== 'POST' || (path !== '/credit' && path !== '/reversal')) {
    return sendError(response, 404, 'NOT_FOUND', `${request.method ?? ''} ${path ?? ''} is not a wallet endpoint`);
  }
  const rawBody = await readBody(request);
  if (rawBody === null) return sendError(response, 413, 'BODY_TOO_LARGE', `a message is at most ${requestBytesMax} bytes`);
  const kind: PayeeMessageKind =
    path === '/reversal' ? 'REVERSAL' : request.headers['hisaab-message-type'] === 'CREDIT_ADVICE' ? 'CREDIT_ADVICE' : 'CREDIT_REQUEST';
  const received: ReceivedMessage = {
    kind,
    transferId: null,
    signature: checkSignature(context, request, rawBody),
    jws: await checkSwitchJws(context, request, rawBody),
    body: parseJson(rawBody),
    fault: null,
    answeredStatus: null,
    answer: null,
    receivedAt: context.now().toISOString(),
  };
  received.transferId = transferIdOf(received.body);
  context.record(received);

  const drawn = context.drawFault();
  received.fault = drawn?.fault ?? null;
  const mode = drawn?.mode ?? context.modes[kind];
  if (mode.mode === 'reset') return void request.socket.destroy();
  if (mode.mode === 'error')
    return answer(received, response, mode.status, { error: { code: 'SIMULATED_FAILURE', message: 'the wallet is told to fail' } });
  if (mode.mode === 'garbage') {
    received.answeredStatus = 200;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status": ACCEPTED');
    return;
  }
  if (received.signature !== 'VALID') {
    return answer(received, response, 401, { error: { code: received.signature, message: 'the Hisaab-Signature does not verify' } });
  }
  if (received.jws !== 'VALID' && received.jws !== 'NOT_CHECKED') {
    return answer(received, response, 401, { error: { code: `JWS_${received.jws}`, message: 'the Hisaab-JWS does not verify' } });
  }
  const result = processMessage(context, kind, received.body, mode.mode === 'reject' ? mode.reason : null);
  if (result.status !== 200) return answer(received, response, result.status, result.body);
  if (mode.mode === 'slow') context.later(mode.delayMs, () => answer(received, response, 200, result.body));
  else answer(received, response, 200, result.body);
}

type Processed = { status: 200; body: WalletAnswer } | { status: 400 | 503; body: unknown };

function processMessage(context: ReceiverContext, kind: PayeeMessageKind, body: unknown, rejectReason: string | null): Processed {
  if (context.book.full)
    return { status: 503, body: { error: { code: 'SIMULATOR_FULL', message: 'the simulator remembers no more transfers' } } };
  if (kind === 'REVERSAL') {
    const message = reversalMessageSchema.safeParse(body);
    if (!message.success) return invalid(message.error);
    return { status: 200, body: context.book.reverse(message.data) };
  }
  const message = creditMessageSchema.safeParse(body);
  if (!message.success) return invalid(message.error);
  return { status: 200, body: context.book.credit(message.data, kind, rejectReason) };
}

function invalid(error: z.ZodError): Processed {
  return {
    status: 400,
    body: {
      error: {
        code: 'INVALID_MESSAGE',
        message: 'the message does not match the contract',
        details: error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      },
    },
  };
}

export function checkSignature(context: ReceiverContext, request: IncomingMessage, rawBody: Buffer): ReceivedMessage['signature'] {
  if (context.signingSecrets.length === 0) return 'NO_SECRET';
  const verification = verifySignature({
    header: request.headers[signatureHeaderName.toLowerCase()],
    secrets: context.signingSecrets,
    rawBody,
    now: context.now(),
    toleranceSeconds: context.signatureToleranceSeconds,
  });
  return verification.valid ? 'VALID' : verification.reason;
}

export function readBody(request: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= requestBytesMax) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > requestBytesMax ? null : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function parseJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

function transferIdOf(body: unknown): string | null {
  if (body === null || typeof body !== 'object' || !('transferId' in body)) return null;
  const transferId = body.transferId;
  return typeof transferId === 'string' ? transferId : null;
}

function answer(received: ReceivedMessage, response: ServerResponse, status: number, body: unknown): void {
  received.answeredStatus = status;
  if (status === 200) received.answer = body as WalletAnswer;
  sendJson(response, status, body);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.destroyed || response.writableEnded) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  sendJson(response, status, { error: { code, message } });
}

async function checkSwitchJws(
  context: ReceiverContext,
  request: IncomingMessage,
  rawBody: Buffer,
): Promise<SwitchJwsCheck | 'NOT_CHECKED'> {
  const checker = context.switchJws();
  if (checker === null) return 'NOT_CHECKED';
  return switchJwsCheckOf(checker, request, rawBody, context.now());
}
