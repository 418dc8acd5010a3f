import type { Principal } from '../../core/auth/principal';
import type { PresentDispute } from '../../core/disputes/dispute-decider';
import type { DisputeReader } from '../../core/disputes/dispute-reader';
import type { DisputeService } from '../../core/disputes/dispute-service';
import { disputeView, isPartyTo, type DisputeView } from '../../core/disputes/dispute-view';
import type { Evidence } from '../../core/disputes/dispute-events';
import { tableCsv } from '../../core/reports/table-csv';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import { bodyOf, decodeSequenceCursor, encodeCursor, sendCsv, wantsCsv, invalidCursor } from '../route-helpers';
import type { RouteModule } from '../route-kit';
import {
  decideDisputeSchema,
  disputeIdParams,
  disputeReportQuery,
  disputesQuery,
  openDisputeSchema,
  respondDisputeSchema,
  withdrawDisputeSchema,
} from '../schemas/dispute-schemas';
import { amountRefusedAt, parseInput } from '../validation';

export type DisputeRouteDependencies = { disputes: DisputeService; reader: DisputeReader };

/**
 * Online dispute resolution (issue 12). The payer's participant opens a claim; the respondent (the payee's
 * participant) or the merchant of a P2M payment answers; the operator decides a contested one; the claimant may
 * withdraw. Every party sees its own disputes, the operator and regulators all; anyone else gets 404.
 */
export function disputeRoutes(dependencies: DisputeRouteDependencies): RouteModule {
  const { disputes, reader } = dependencies;
  return (router, kit) => {
    router.post('/v1/disputes', kit.allow('participant'), async (request, response) => {
      const principal = principalOf(request);
      const claimant = participantOf(principal);
      await kit.idempotency.run(
        request,
        response,
        principal,
        async (reference) => {
          const body = parseInput(openDisputeSchema, bodyOf(request), 'body');
          // The gate runs this only with a key (required below), so a reference is always there.
          if (reference === null) throw new HttpError('IDEMPOTENCY_KEY_REQUIRED', 'opening a dispute needs an Idempotency-Key header');
          // The claimed amount is read against the transfer's currency, which only the dispute module knows.
          const opened = await amountRefusedAt(['body', 'amount'], () =>
            disputes.open(claimant, { ...body, evidence: evidenceOf(body.evidence) }, reference, kit.commandContext(request)),
          );
          // The head, not the opening's own position: a rule's chargeback was written after it.
          await kit.waitForWrite(await kit.dependencies.store.headPosition());
          return { status: opened.created ? 201 : 200, body: disputeView(opened.dispute) };
        },
        { required: true },
      );
    });

    router.get('/v1/disputes/:id', kit.allow('operator', 'regulator', 'participant', 'merchant'), async (request, response) => {
      const { id } = parseInput(disputeIdParams, request.params, 'path');
      response.json(disputeView(await visibleDispute(disputes, principalOf(request), id)));
    });

    router.post('/v1/disputes/:id/respond', kit.allow('participant', 'merchant'), async (request, response) => {
      const { id } = parseInput(disputeIdParams, request.params, 'path');
      const principal = principalOf(request);
      const dispute = await visibleDispute(disputes, principal, id);
      const answeredAs = principal.role === 'merchant' ? 'MERCHANT' : 'RESPONDENT';
      // The claimant is a party but not the one who answers: to it the answer does not exist.
      if (principal.role === 'participant' && dispute.opened.respondent !== principal.participantId) throw notFound(id);
      const body = parseInput(respondDisputeSchema, bodyOf(request), 'body');
      const receipt = await disputes.answer(
        id,
        { action: body.action, note: body.note, evidence: evidenceOf(body.evidence), answeredAs },
        kit.commandContext(request),
      );
      await kit.waitForWrite(await kit.dependencies.store.headPosition());
      response.json(disputeView(receipt.dispute));
    });

    router.post('/v1/disputes/:id/decision', kit.allow('operator'), async (request, response) => {
      const { id } = parseInput(disputeIdParams, request.params, 'path');
      await visibleDispute(disputes, principalOf(request), id);
      const body = parseInput(decideDisputeSchema, bodyOf(request), 'body');
      const receipt = await disputes.decide(id, body, kit.commandContext(request));
      await kit.waitForWrite(await kit.dependencies.store.headPosition());
      response.json(disputeView(receipt.dispute));
    });

    router.post('/v1/disputes/:id/withdraw', kit.allow('participant'), async (request, response) => {
      const { id } = parseInput(disputeIdParams, request.params, 'path');
      const principal = principalOf(request);
      const dispute = await visibleDispute(disputes, principal, id);
      if (dispute.opened.claimant !== participantOf(principal)) throw notFound(id);
      const body = parseInput(withdrawDisputeSchema, bodyOf(request) ?? {}, 'body');
      const receipt = await disputes.withdraw(id, body.note ?? null, kit.commandContext(request));
      await kit.waitForWrite(await kit.dependencies.store.headPosition());
      response.json(disputeView(receipt.dispute));
    });

    router.get('/v1/disputes', kit.allow('operator', 'regulator', 'participant', 'merchant'), (request, response) => {
      const principal = principalOf(request);
      const query = parseInput(disputesQuery, request.query, 'query');
      const afterSequence = query.cursor === undefined ? null : decodeSequenceCursor('d', query.cursor);
      if (query.cursor !== undefined && afterSequence === null) throw invalidCursor();
      // A participant sees its own disputes whatever it asks for; asking for another's is asking for nothing.
      const participant = principal.role === 'participant' ? principal.participantId : (query.participant ?? null);
      const ownOnly = principal.role === 'participant' && query.participant !== undefined && query.participant !== principal.participantId;
      const page = ownOnly
        ? { disputes: [] as DisputeView[], nextSequence: null }
        : reader.listDisputes({
            state: query.state ?? null,
            category: query.category ?? null,
            participant,
            merchantId: principal.role === 'merchant' ? principal.merchantId : null,
            overdue: query.overdue === undefined ? null : query.overdue === 'true',
            now: kit.dependencies.now().toISOString(),
            afterSequence,
            limit: query.limit,
          });
      response.json({
        disputes: page.disputes,
        nextCursor: page.nextSequence === null ? null : encodeCursor('d', page.nextSequence.toString()),
      });
    });

    router.get('/v1/reports/disputes', kit.allow('operator', 'regulator'), (request, response) => {
      const query = parseInput(disputeReportQuery, request.query, 'query');
      const from = new Date(query.from).toISOString();
      const to = new Date(query.to).toISOString();
      if (from >= to)
        throw new HttpError('VALIDATION_FAILED', 'query.to: must be after from', [
          { path: ['query', 'to'], message: 'must be after from' },
        ]);
      const all = reader.statistics(from, to);
      const statistics =
        query.participant === undefined
          ? all
          : { ...all, byParticipant: all.byParticipant.filter((line) => line.participant === query.participant) };
      if (wantsCsv(request, response)) {
        // A CSV holds one table: the per participant one, which the regulator compares (deadline compliance).
        sendCsv(response, tableCsv(disputeStatisticsCsvHeader, statistics.byParticipant), 'disputes-by-participant.csv');
        return;
      }
      response.json(statistics);
    });
  };
}

async function visibleDispute(disputes: DisputeService, principal: Principal, disputeId: string): Promise<PresentDispute> {
  const dispute = await disputes.find(disputeId);
  if (dispute === null || !mayRead(principal, dispute)) throw notFound(disputeId);
  return dispute;
}

function mayRead(principal: Principal, dispute: PresentDispute): boolean {
  switch (principal.role) {
    case 'operator':
    case 'regulator':
      return true;
    case 'participant':
      return isPartyTo(dispute, { participantId: principal.participantId });
    case 'merchant':
      return isPartyTo(dispute, { merchantId: principal.merchantId });
  }
}

function participantOf(principal: Principal): string {
  if (principal.role !== 'participant') throw new HttpError('FORBIDDEN', 'only a participant does this');
  return principal.participantId;
}

function notFound(disputeId: string): HttpError {
  return new HttpError('DISPUTE_NOT_FOUND', `dispute ${disputeId} does not exist`);
}

function evidenceOf(items: readonly { type: string; reference: string; sha256?: string | undefined }[] | undefined): Evidence[] {
  return (items ?? []).map((item) => ({ type: item.type, reference: item.reference, sha256: item.sha256 ?? null }));
}

/** The CSV header of the dispute statistics per participant (`Accept: text/csv` on GET /v1/reports/disputes). */
const disputeStatisticsCsvHeader = [
  'participant',
  'asClaimant',
  'asRespondent',
  'answeredInTime',
  'deadlineMissed',
  'medianHoursToResolve',
] as const;
