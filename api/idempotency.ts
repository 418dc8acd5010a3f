import type { Request, Response } from 'express';
import { actorOf, type Principal } from '../core/auth/principal';
import { parseIdempotencyKey, requestReference } from '../core/idempotency/idempotency-key';
import type { IdempotencyStore } from '../core/idempotency/idempotency-store';
import { requestFingerprint } from '../core/idempotency/request-fingerprint';
import { HttpError, toErrorAnswer, type ErrorCode } from './http-error';

/**
 * An answer a handler produces: status and JSON body. `secret`: the body is shown once and never stored.
 * `retryable`: the answer asks the client to try again (nothing was done), so it is not recorded either.
 */
export type Answer = { status: number; body: unknown; secret?: boolean; retryable?: boolean };

/**
 * Refusals that say "try again": a writer got there first, or the caller is going too fast. Recording one would
 * answer every retry with the same key "try again", forever. Nothing was done, so running the retry is safe.
 */
const retryableCodes: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['CONCURRENT_UPDATE']);

/** Requests with the same key running at once; beyond this a request is refused rather than queued. */
export const inFlightRequestsMax = 10_000;

export type IdempotentExecution = (reference: string | null) => Promise<Answer>;

/**
 * Idempotency-Key handling for POSTs (docs/ARCHITECTURE.md section 10): the same key and body get the original answer,
 * the same key with another body gets 409 IDEMPOTENCY_CONFLICT. Answers below 500 are recorded durably before
 * they are sent, except those asking to retry (CONCURRENT_UPDATE, 429). A 5xx is not recorded: the outcome is
 * unknown, so the retry runs again and the domain's own dedupe (the request reference passed to `execute`)
 * recognises what the first attempt did.
 */
export class IdempotencyGate {
  private readonly store: IdempotencyStore;
  private readonly now: () => Date;
  private readonly inFlight = new Map<string, { fingerprint: string; answer: Promise<Answer> }>();

  constructor(store: IdempotencyStore, now: () => Date) {
    this.store = store;
    this.now = now;
  }

  async run(
    request: Request,
    response: Response,
    principal: Principal,
    execute: IdempotentExecution,
    options: { required?: boolean } = {},
  ): Promise<void> {
    const header = request.get('idempotency-key');
    if (header === undefined) {
      if (options.required)
        throw new HttpError('IDEMPOTENCY_KEY_REQUIRED', 'this operation needs an Idempotency-Key header (a UUID is a good choice)');
      send(response, await answerOf(() => execute(null)));
      return;
    }
    const idempotencyKey = parseIdempotencyKey(header);
    const scope = actorOf(principal);
    const fingerprint = requestFingerprint(request.method, request.path, request.body);
    const slot = `${scope}\n${idempotencyKey}`;

    const running = this.inFlight.get(slot);
    if (running) {
      if (running.fingerprint !== fingerprint) throw conflict();
      send(response, await running.answer, true);
      return;
    }
    const stored = await this.store.find(scope, idempotencyKey);
    // Another request with the same key may have started while the record was looked up.
    const startedMeanwhile = this.inFlight.get(slot);
    if (startedMeanwhile) {
      if (startedMeanwhile.fingerprint !== fingerprint) throw conflict();
      send(response, await startedMeanwhile.answer, true);
      return;
    }
    if (stored) {
      if (stored.fingerprint !== fingerprint) throw conflict();
      if (stored.body !== null) {
        response.status(stored.statusCode).set('Idempotent-Replayed', 'true').type('application/json').send(stored.body);
        return;
      }
    }
    if (this.inFlight.size >= inFlightRequestsMax) {
      throw new HttpError('OVERLOADED', 'too many requests are in progress; retry shortly', [], { 'Retry-After': '1' });
    }
    const answer = answerOf(() => execute(requestReference(scope, idempotencyKey)));
    this.inFlight.set(slot, { fingerprint, answer });
    try {
      const settled = await answer;
      if (settled.status < 500 && settled.retryable !== true) {
        await this.store.save({
          scope,
          idempotencyKey,
          fingerprint,
          statusCode: settled.status,
          body: settled.secret ? null : JSON.stringify(settled.body),
          createdAt: this.now().toISOString(),
        });
      }
      send(response, settled);
    } finally {
      this.inFlight.delete(slot);
    }
  }
}

/** Runs a handler; operating errors become answers (so they are recorded and replayed), anything else throws. */
async function answerOf(execute: () => Promise<Answer>): Promise<Answer> {
  try {
    return await execute();
  } catch (error) {
    const answer = toErrorAnswer(error);
    if (answer === null || answer.status >= 500) throw error;
    return { status: answer.status, body: answer.body, retryable: answer.status === 429 || retryableCodes.has(answer.body.error.code) };
  }
}

function send(response: Response, answer: Answer, replayed = false): void {
  if (replayed) response.set('Idempotent-Replayed', 'true');
  // A secret is shown once: no cache may keep a copy of the answer that carries it.
  if (answer.secret === true) response.set('Cache-Control', 'no-store');
  if (answer.status === 204) {
    response.status(204).end();
    return;
  }
  response.status(answer.status).json(answer.body);
}

function conflict(): HttpError {
  return new HttpError('IDEMPOTENCY_CONFLICT', 'this Idempotency-Key was used with a different request; use a new key for a new request');
}
