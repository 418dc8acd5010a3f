import type { Request, RequestHandler } from 'express';
import { isDomainError } from '../../core/errors';
import type { Principal } from '../../core/auth/principal';
import type { TransferService } from '../../core/transfers/transfer-service';
import type { TransferView } from '../../core/transfers/transfer-view';
import type { TransferReader } from '../../core/transfers/transfer-reader';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import type { RouteKit, RouteModule } from '../route-kit';
import { transferBatchSchema, transferIdParams, transferListQuery, transferRequestSchema } from '../schemas/transfer-schemas';
import { parseInput } from '../validation';
import type { z } from 'zod';
import type { batchResultResponse } from '../schemas/response-schemas';
import { bodyOf } from './participants';

/** Transfers of one batch executed at once: enough to fill ledger ticks, few enough to bound sockets to payees. */
const batchConcurrency = 64;

export type TransferRouteDependencies = { transfers: TransferService; transferReader: TransferReader };

/** Payments between participants (issue 4): the caller of POST is the payer. */
export function transferRoutes(dependencies: TransferRouteDependencies): RouteModule {
  return (router, kit) => {
    router.post('/v1/transfers/batch', kit.allow('participant'), async (request, response) => {
      const payer = payerOf(request);
      const body = parseInput(transferBatchSchema, bodyOf(request), 'body');
      const results = await mapBounded(body.transfers, batchConcurrency, (item, index) => executeBatchItem(dependencies, payer, item, index));
      await waitForHead(kit);
      response.status(200).json({ results });
    });

    router.post('/v1/transfers', kit.allow('participant'), async (request, response) => {
      const payer = payerOf(request);
      const body = parseInput(transferRequestSchema, bodyOf(request), 'body');
      const execution = await dependencies.transfers.execute(payer, body, 'api');
      await waitForHead(kit);
      response.status(execution.replayed ? 200 : 201).json(execution.view);
    });

    router.get('/v1/transfers/:id', notTheBatch, kit.allow('participant', 'operator', 'regulator'), async (request, response) => {
      const { id } = parseInput(transferIdParams, request.params, 'path');
      const view = dependencies.transferReader.findTransfer(id) ?? (await dependencies.transfers.find(id));
      if (view === null || !canSee(principalOf(request), view)) throw new HttpError(404, 'TRANSFER_NOT_FOUND', `no transfer ${id} is visible to this key`);
      response.json(view);
    });

    router.get('/v1/transfers', kit.allow('participant', 'operator', 'regulator'), async (request, response) => {
      const query = parseInput(transferListQuery, request.query, 'query');
      const principal = principalOf(request);
      const page = dependencies.transferReader.listTransfers({
        participantId: principal.role === 'participant' ? principal.participantId : null,
        state: query.state ?? null,
        from: query.from === undefined ? null : canonicalInstant(query.from),
        to: query.to === undefined ? null : canonicalInstant(query.to),
        afterSequence: query.cursor === undefined ? null : decodeCursor(query.cursor),
        limit: query.limit,
      });
      response.json({ transfers: page.transfers, nextCursor: page.nextSequence === null ? null : encodeCursor(page.nextSequence) });
    });
  };
}

type BatchResult = z.output<typeof batchResultResponse>;

async function executeBatchItem(dependencies: TransferRouteDependencies, payer: string, item: unknown, index: number): Promise<BatchResult> {
  const id = typeof item === 'object' && item !== null && 'id' in item && typeof item.id === 'string' ? item.id : null;
  try {
    const body = parseInput(transferRequestSchema, item, 'body', ['transfers', String(index)]);
    const { view } = await dependencies.transfers.execute(payer, body, 'api');
    return { outcome: 'TRANSFER', id: view.id, state: view.state, abortReason: view.abortReason };
  } catch (error) {
    if (error instanceof HttpError || isDomainError(error)) return { outcome: 'ERROR', id, error: { code: error.code, message: error.message } };
    throw error;
  }
}

/** /v1/transfers/batch is a resource of its own (POST only), not a transfer id: its other methods answer 405. */
const notTheBatch: RequestHandler = (request, _response, next) => {
  next(request.params.id === 'batch' ? 'route' : undefined);
};

function payerOf(request: Request): string {
  const principal = principalOf(request);
  if (principal.role !== 'participant') throw new HttpError(403, 'FORBIDDEN', 'only a participant sends transfers');
  return principal.participantId;
}

/** Payer and payee see their transfer; the operator and the regulator see all; anyone else learns nothing. */
function canSee(principal: Principal, view: TransferView): boolean {
  if (principal.role === 'operator' || principal.role === 'regulator') return true;
  if (principal.role === 'participant') return view.payerParticipant === principal.participantId || view.payeeParticipant === principal.participantId;
  return false;
}

/** The transfer's own events are at or before the head now: once projections pass it, the caller reads its write. */
async function waitForHead(kit: RouteKit): Promise<void> {
  await kit.waitForWrite(await kit.dependencies.store.headPosition());
}

function encodeCursor(sequence: bigint): string {
  return Buffer.from(`t:${sequence.toString()}`, 'utf8').toString('base64url');
}

/** Sequences are SQLite integers: a cursor past the largest is not one this API returned. */
const sequenceMax = 2n ** 63n - 1n;

function decodeCursor(cursor: string): bigint {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^t:(\d{1,19})$/.exec(text);
  const sequence = match ? BigInt(match[1] as string) : null;
  if (sequence === null || sequence > sequenceMax) throw new HttpError(400, 'INVALID_CURSOR', 'the cursor is not one this API returned');
  return sequence;
}

/**
 * The read model compares createdAt as text, in the form the switch writes it (UTC, milliseconds, `Z`). A bound
 * a client writes with an offset (`+05:00`) or without milliseconds is the same instant in that form, so that
 * the comparison is one of instants.
 */
function canonicalInstant(instant: string): string {
  const milliseconds = Date.parse(instant);
  if (Number.isNaN(milliseconds)) throw new HttpError(400, 'VALIDATION_FAILED', `${JSON.stringify(instant)} is not an ISO-8601 date-time`);
  return new Date(milliseconds).toISOString();
}

/** Maps items with at most `concurrency` running at once, keeping the input order in the output. */
async function mapBounded<Item, Result>(items: readonly Item[], concurrency: number, map: (item: Item, index: number) => Promise<Result>): Promise<Result[]> {
  const results: Result[] = new Array<Result>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await map(items[index] as Item, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
