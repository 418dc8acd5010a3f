import type { Response } from 'express';
import type { Principal } from '../../core/auth/principal';
import { switchParticipantId } from '../../core/gateway/merchant-fees';
import { holdsCurrency } from '../../core/participants/participant-reader';
import { camt053Statement } from '../../core/reports/camt053-statement';
import { buildSettlementReport } from '../../core/reports/settlement-report';
import { settlementStatementInput } from '../../core/reports/settlement-statement';
import { settlementReportCsv } from '../../core/reports/settlement-report-csv';
import { tableCsv } from '../../core/reports/table-csv';
import type { SettlementReader, SettlementWindowRecord } from '../../core/settlement/settlement-reader';
import type { SettlementService } from '../../core/settlement/settlement-service';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import type { RouteKit, RouteModule } from '../route-kit';
import {
  closeWindowSchema,
  listWindowsQuery,
  reportQuery,
  settleWindowSchema,
  statementParams,
  windowIdParams,
} from '../schemas/settlement-schemas';
import { parseInput } from '../validation';
import { settlementWindowView } from '../views/settlement-window-view';
import { bodyOf, decodeSequenceCursor, encodeCursor, sendCsv, wantsCsv, invalidCursor, requireCarriedCurrency } from '../route-helpers';

/** The account owner's name on the switch's own statement (the servicer is the switch too). */
const switchStatementName = 'Hisaab switch';

/** The CSV header of the windows list: the JSON fields of a window. */
const settlementWindowsCsvHeader = ['id', 'currency', 'state', 'openedAt', 'closedAt', 'settledAt', 'reference'] as const;

export type SettlementRouteDependencies = { settlement: SettlementService; settlementReader: SettlementReader };

/**
 * Settlement windows (issue 6): the operator closes and settles; the operator and regulators read every report and
 * statement; a participant reads windows, its own report line and its own statements.
 */
export function settlementRoutes(dependencies: SettlementRouteDependencies): RouteModule {
  const { settlement, settlementReader: reader } = dependencies;
  return (router, kit) => {
    router.get('/v1/settlement/windows', kit.allow('operator', 'regulator', 'participant'), (request, response) => {
      const query = parseInput(listWindowsQuery, request.query, 'query');
      if (query.currency !== undefined) requireCarried(kit, query.currency, 'query');
      const windows = reader.listWindows({
        currency: query.currency ?? null,
        state: query.state ?? null,
        beforeCreatedPosition: query.cursor === undefined ? null : decodeWindowCursor(query.cursor),
        limit: query.limit,
      });
      if (wantsCsv(request, response)) {
        // One page as one table (the dashboard's windows table); the JSON answer carries the cursor to the next.
        sendCsv(response, tableCsv(settlementWindowsCsvHeader, windows.map(settlementWindowView)), 'settlement-windows.csv');
        return;
      }
      const last = windows[windows.length - 1];
      response.json({
        windows: windows.map(settlementWindowView),
        nextCursor: windows.length === query.limit && last !== undefined ? encodeCursor('w', last.createdPosition.toString()) : null,
      });
    });

    router.post('/v1/settlement/windows/close', kit.allow('operator'), async (request, response) => {
      await kit.idempotency.run(request, response, principalOf(request), async (requestReference) => {
        const body = parseInput(closeWindowSchema, bodyOf(request), 'body');
        requireCarried(kit, body.currency);
        const closed = await settlement.closeWindow(
          { currency: body.currency, closedBy: 'operator', requestReference },
          kit.commandContext(request),
        );
        await waitForWriteOrHead(kit, closed.position);
        return {
          status: 200,
          body: {
            closed: settlementWindowView(requireWindow(reader, closed.closedWindowId)),
            opened: settlementWindowView(requireWindow(reader, closed.openedWindowId)),
          },
        };
      });
    });

    router.post('/v1/settlement/windows/:id/settle', kit.allow('operator'), async (request, response) => {
      const { id } = parseInput(windowIdParams, request.params, 'path');
      await kit.idempotency.run(request, response, principalOf(request), async (requestReference) => {
        const body = parseInput(settleWindowSchema, bodyOf(request), 'body');
        const settled = await settlement.settleWindow(
          { windowId: id, reference: body.reference, requestReference },
          kit.commandContext(request),
        );
        await waitForWriteOrHead(kit, settled.position);
        return { status: 200, body: settlementWindowView(requireWindow(reader, id)) };
      });
    });

    router.get('/v1/settlement/windows/:id/report', kit.allow('operator', 'regulator', 'participant'), (request, response) => {
      const { id } = parseInput(windowIdParams, request.params, 'path');
      const { format } = parseInput(reportQuery, request.query, 'query');
      const window = requireWindow(reader, id);
      const report = buildSettlementReport(window, reader.windowLines(id), visibleParticipant(principalOf(request)));
      // `format` decides when given; without it the Accept header does, as on every other report that answers CSV.
      if (format === 'csv' || (format === undefined && wantsCsv(request, response))) {
        sendCsv(response, settlementReportCsv(report), `${id}-report.csv`);
        return;
      }
      response.json(report);
    });

    router.get(
      '/v1/settlement/windows/:id/statements/:participant',
      kit.allow('operator', 'regulator', 'participant'),
      (request, response) => {
        const { id, participant } = parseInput(statementParams, request.params, 'path');
        const principal = principalOf(request);
        if (principal.role === 'participant' && principal.participantId !== participant) {
          throw new HttpError('FORBIDDEN', 'a participant can read only its own statements');
        }
        const window = requireWindow(reader, id);
        // The switch's own position settles in every window like a participant's (its fee income, the report's
        // HISAAB row), so it has a statement in every currency although it is no registered participant.
        if (participant === switchParticipantId) {
          sendStatement(response, kit, reader, window, { id: participant, name: switchStatementName });
          return;
        }
        const record = kit.dependencies.readModels.participants.findParticipant(participant);
        // A participant of several currencies (issue 17) has a statement in each of them, not only its first.
        if (record === null || !holdsCurrency(record, window.currency)) {
          throw new HttpError('PARTICIPANT_NOT_FOUND', `participant ${participant} does not settle in ${window.currency}`);
        }
        sendStatement(response, kit, reader, window, { id: participant, name: record.name });
      },
    );
  };
}

function sendStatement(
  response: Response,
  kit: RouteKit,
  reader: SettlementReader,
  window: SettlementWindowRecord,
  participant: { id: string; name: string },
): void {
  const xml = camt053Statement(settlementStatementInput(reader, window, participant, kit.dependencies.now()));
  response
    .type('application/xml; charset=utf-8')
    .set('Content-Disposition', `attachment; filename="${window.windowId}-${participant.id}.camt053.xml"`)
    .send(xml);
}

/** null: every line; a participant sees its own. */
function visibleParticipant(principal: Principal): string | null {
  return principal.role === 'participant' ? principal.participantId : null;
}

function requireWindow(reader: SettlementReader, windowId: string): SettlementWindowRecord {
  const window = reader.findWindow(windowId);
  if (window === null) throw new HttpError('WINDOW_NOT_FOUND', `there is no settlement window ${windowId}`);
  return window;
}

function requireCarried(kit: RouteKit, currency: string, where: 'body' | 'query' = 'body'): void {
  requireCarriedCurrency(kit.dependencies.config.currencies, currency, where);
}

/** A close or settle recognised as a retry wrote nothing now; what it wrote before must still be visible. */
async function waitForWriteOrHead(kit: RouteKit, position: bigint | null): Promise<void> {
  await kit.waitForWrite(position ?? (await kit.dependencies.store.headPosition()));
}

function decodeWindowCursor(cursor: string): bigint {
  const position = decodeSequenceCursor('w', cursor);
  if (position === null) {
    throw invalidCursor();
  }
  return position;
}
