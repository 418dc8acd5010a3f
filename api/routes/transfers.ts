import type { Request, RequestHandler } from 'express';
import type { Principal } from '../../core/auth/principal';
import type { TransferService } from '../../core/transfers/transfer-service';
import type { TransferView } from '../../core/transfers/transfer-view';
import { payerScopedTransferId } from '../../core/transfers/transfer-id';
import type { TransferReader } from '../../core/transfers/transfer-reader';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import type { EdgeDependencies, RouteModule } from '../route-kit';
import { transferBatchSchema, transferIdParams, transferListQuery, transferRequestSchema } from '../schemas/transfer-schemas';
import { parseInput, refusalAt, refusalsAtAsync } from '../validation';
import { bodyOf, decodeSequenceCursor, encodeCursor, invalidCursor } from '../route-helpers';
import type { z } from 'zod';
import type { batchResultResponse } from '../schemas/response-schemas';
import { WrongExpectedRevisionError } from '../../core/eventstore/expected-revision';
import { DomainError, isDomainError } from '../../core/errors';
import { parseAmount } from '../../core/money';
import type { SignedRequestEvidence } from '../../core/transfers/signed-request-evidence';
import { rawBodyOf, requestContext } from '../request-context';
import type { RouteKit } from '../route-kit';

/**
 * What the routes ask of the payment path: the transfer service (in a front-end worker, its own, whose ledger
 * submits go to the writer).
 */
export type TransferCommands = Pick<TransferService, 'execute' | 'find' | 'executeBatch'>;

export type TransferRouteDependencies = {
  transfers: TransferCommands;
  transferReader: TransferReader;
  /**
   * Resolves once the read models show every write made so far (read-your-writes), so that a GET right after the
   * answer finds the transfer. A front-end worker's writer has waited before answering, so there it returns at once.
   */
  awaitWritesVisible(): Promise<void>;
  /** Where signed transfer requests are kept as evidence (issue 15). */
  evidence: SignedRequestEvidence;
};

/** Payments between participants (issue 4): the caller of POST is the payer. */
export function transferRoutes(dependencies: TransferRouteDependencies): RouteModule<EdgeDependencies> {
  return (router, kit) => {
    router.post('/v1/transfers/batch', kit.allow('participant'), async (request, response) => {
      const payer = payerOf(request);
      const body = parseInput(transferBatchSchema, bodyOf(request), 'body');
      const results = await executeBatchTogether(dependencies.transfers, payer, body.transfers, (ids) =>
        keepSignedRequest(dependencies, kit, request, payer, ids),
      );
      await dependencies.awaitWritesVisible();
      response.status(200).json({ results });
    });

    router.post('/v1/transfers', kit.allow('participant'), async (request, response) => {
      const payer = payerOf(request);
      const body = parseInput(transferRequestSchema, bodyOf(request), 'body');
      checkAmountField(body.amount, body.currency);
      await keepSignedRequest(dependencies, kit, request, payer, [body.id]);
      // The id is the payer's own: another participant may use the same one for a transfer of its own.
      const execution = await refusalsAtAsync(['body'], () => dependencies.transfers.execute(payer, body, 'api', 'payer'));
      await dependencies.awaitWritesVisible();
      response.status(execution.replayed ? 200 : 201).json(execution.view);
    });

    router.get('/v1/transfers/:id', notTheBatch, kit.allow('participant', 'operator', 'regulator'), async (request, response) => {
      const { id } = parseInput(transferIdParams, request.params, 'path');
      response.json(await findVisibleTransfer(dependencies, principalOf(request), id));
    });

    // The signed requests that asked for the transfer, for a dispute: its payer and payee, the operator and the regulator.
    router.get('/v1/transfers/:id/evidence', kit.allow('participant', 'operator', 'regulator'), async (request, response) => {
      const { id } = parseInput(transferIdParams, request.params, 'path');
      const view = await findVisibleTransfer(dependencies, principalOf(request), id);
      const signedRequests = await dependencies.evidence.forTransfer(view.switchTransferId);
      response.json({ transferId: view.id, switchTransferId: view.switchTransferId, signedRequests });
    });

    router.get('/v1/transfers', kit.allow('participant', 'operator', 'regulator'), async (request, response) => {
      const query = parseInput(transferListQuery, request.query, 'query');
      const principal = principalOf(request);
      const page = dependencies.transferReader.listTransfers({
        participantId: principal.role === 'participant' ? principal.participantId : null,
        state: query.state ?? null,
        from: query.from === undefined ? null : canonicalInstant(query.from),
        to: query.to === undefined ? null : canonicalInstant(query.to),
        afterSequence: query.cursor === undefined ? null : decodeTransferCursor(query.cursor),
        limit: query.limit,
      });
      response.json({
        transfers: page.transfers,
        nextCursor: page.nextSequence === null ? null : encodeCursor('t', page.nextSequence.toString()),
      });
    });
  };
}

type BatchResult = z.output<typeof batchResultResponse>;

/** Validates each item, then hands the valid ones to the payment path in one call (TransferService.executeBatch). */
async function executeBatchTogether(
  transfers: TransferCommands,
  payer: string,
  items: readonly unknown[],
  beforeExecuting: (clientIds: string[]) => Promise<void>,
): Promise<BatchResult[]> {
  const results: BatchResult[] = new Array<BatchResult>(items.length);
  const valid: { index: number; body: z.output<typeof transferRequestSchema> }[] = [];
  items.forEach((item, index) => {
    try {
      valid.push({ index, body: parseInput(transferRequestSchema, item, 'body', ['transfers', String(index)]) });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      results[index] = { outcome: 'ERROR', id: itemIdOf(item), error: { code: error.code, message: error.message } };
    }
  });
  await beforeExecuting(valid.map((entry) => entry.body.id));
  const outcomes = await transfers.executeBatch(
    payer,
    valid.map((entry) => entry.body),
    'api',
    'payer',
  );
  valid.forEach(({ index, body }, position) => {
    const outcome = outcomes[position];
    if (outcome === undefined) throw new Error(`the payment path gave no outcome for batch item ${index}`);
    results[index] =
      'execution' in outcome
        ? {
            outcome: 'TRANSFER',
            id: outcome.execution.view.id,
            state: outcome.execution.view.state,
            abortReason: outcome.execution.view.abortReason,
          }
        : { outcome: 'ERROR', id: body.id, error: itemErrorOf(outcome.error, index) };
  });
  return results;
}

/** A batch item's refusal, its message naming the item's field as a validation error of the item does. */
function itemErrorOf(error: DomainError, index: number): { code: DomainError['code']; message: string } {
  const named = refusalAt(error, ['body', 'transfers', index]);
  const message = isDomainError(named) ? named.message : error.message;
  return { code: error.code, message };
}

function itemIdOf(item: unknown): string | null {
  return typeof item === 'object' && item !== null && 'id' in item && typeof item.id === 'string' ? item.id : null;
}

/** /v1/transfers/batch is a resource of its own (POST only), not a transfer id: its other methods answer 405. */
const notTheBatch: RequestHandler = (request, _response, next) => {
  next(request.params.id === 'batch' ? 'route' : undefined);
};

/**
 * The amount is parsed where the client wrote it, so that a refusal names `body.amount` in its details as the API's
 * other refusals name their fields (the payment path parses it again, for itself). Other errors pass as they are.
 */
function checkAmountField(amount: string, currency: string): void {
  try {
    parseAmount(amount, currency);
  } catch (error) {
    if (!isDomainError(error) || error.code !== 'INVALID_AMOUNT') throw error;
    throw new HttpError('INVALID_AMOUNT', `body.amount: ${error.message}`, [{ path: ['body', 'amount'], message: error.message }]);
  }
}

function payerOf(request: Request): string {
  const principal = principalOf(request);
  if (principal.role !== 'participant') throw new HttpError('FORBIDDEN', 'only a participant sends transfers');
  return principal.participantId;
}

/**
 * The transfer a caller names by id, among those it may see: a participant's own transfer under its own id first;
 * otherwise one it paid or received whose payer's id or switch id is this one (a payee knows the switch id from
 * the credit request). A transfer the caller may not see is answered exactly as one that does not exist, so no
 * id reveals another participant's transfers. A transfer's own switch id comes before any client id equal to it.
 * Several visible matches by client id (two payers chose the same id) are ambiguous: the caller names one by its
 * switchTransferId.
 */
async function findVisibleTransfer(dependencies: TransferRouteDependencies, principal: Principal, id: string): Promise<TransferView> {
  const participantId = principal.role === 'participant' ? principal.participantId : null;
  const ownId = participantId === null ? null : payerScopedTransferId(participantId, id);
  const own = ownId === null ? null : dependencies.transferReader.findTransfer(ownId);
  if (own !== null && canSee(principal, own)) return own;
  // A switch id is unique across the switch and no client can choose one (it is derived from the payer and its
  // id), whereas anyone can choose a client id equal to a switch id it has seen as payee: an exact switch id
  // therefore names its transfer, and a client id copied from it cannot hide that transfer behind a 409.
  const bySwitchId = dependencies.transferReader.findTransfer(id);
  if (bySwitchId !== null && canSee(principal, bySwitchId)) return bySwitchId;
  const matches = dependencies.transferReader.findTransfersByReference(id, participantId, 2).filter((view) => canSee(principal, view));
  if (matches.length > 1) {
    throw new HttpError(
      'TRANSFER_ID_AMBIGUOUS',
      `more than one transfer visible to this key has id ${id}: ask for one by its switchTransferId`,
    );
  }
  const found = matches[0] ?? (await findRecorded(dependencies, ownId, id));
  if (found === null || !canSee(principal, found)) throw new HttpError('TRANSFER_NOT_FOUND', `no transfer ${id} is visible to this key`);
  return found;
}

/** What the read models have not shown yet (a write a moment ago), from the transfer streams themselves. */
async function findRecorded(dependencies: TransferRouteDependencies, ownId: string | null, id: string): Promise<TransferView | null> {
  const own = ownId === null ? null : await dependencies.transfers.find(ownId);
  return own ?? (await dependencies.transfers.find(id));
}

/** Payer and payee see their transfer; the operator and the regulator see all; anyone else learns nothing. */
function canSee(principal: Principal, view: TransferView): boolean {
  if (principal.role === 'operator' || principal.role === 'regulator') return true;
  if (principal.role === 'participant')
    return view.payerParticipant === principal.participantId || view.payeeParticipant === principal.participantId;
  return false;
}

function decodeTransferCursor(cursor: string): bigint {
  const sequence = decodeSequenceCursor('t', cursor);
  if (sequence === null) throw invalidCursor();
  return sequence;
}

/**
 * The read model compares createdAt as text, in the form the switch writes it (UTC, milliseconds, `Z`). A bound
 * a client writes with an offset (`+05:00`) or without milliseconds is the same instant in that form, so that
 * the comparison is one of instants.
 */
function canonicalInstant(instant: string): string {
  const milliseconds = Date.parse(instant);
  if (Number.isNaN(milliseconds)) throw new HttpError('VALIDATION_FAILED', `${JSON.stringify(instant)} is not an ISO-8601 date-time`);
  return new Date(milliseconds).toISOString();
}

/**
 * A request verified as signed (a participant the operator requires to sign) is kept as evidence, linked to the
 * transfers it asks for, before they run: no answer about them goes out before it is durable. A request stream
 * that exists already can only be a jti used twice, which the nonce registry refused first; it is refused here too.
 */
async function keepSignedRequest(
  dependencies: TransferRouteDependencies,
  kit: RouteKit<EdgeDependencies>,
  request: Request,
  payer: string,
  clientIds: readonly string[],
): Promise<void> {
  const signature = requestContext(request).signature ?? null;
  if (signature === null) return;
  try {
    await dependencies.evidence.record(
      { participantId: payer, signature, method: request.method, pathWithQuery: request.originalUrl, rawBody: rawBodyOf(request) },
      clientIds.map((clientId) => payerScopedTransferId(payer, clientId)),
      kit.commandContext(request),
    );
  } catch (error) {
    if (error instanceof WrongExpectedRevisionError)
      throw new DomainError('JWS_REPLAYED', `jti ${JSON.stringify(signature.header.jti)} was used already`);
    throw error;
  }
}
