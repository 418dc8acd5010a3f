import type Database from 'better-sqlite3';
import { assert } from '../../../core/assert';
import { formatAmount } from '../../../core/money';
import type { TransferPage, TransferQuery, TransferReader } from '../../../core/transfers/transfer-reader';
import { transferPageLimitMax } from '../../../core/transfers/transfer-reader';
import type { TransferView } from '../../../core/transfers/transfer-view';
import { plainTextOpener, type SealedTextOpener } from '../../../core/personal-data/sealed-text';
import { preparedStatement } from '../statement-cache';

type TransferRow = {
  sequence: bigint;
  id: string;
  client_id: string | null;
  payer_participant: string;
  payee_participant: string;
  payer: string;
  payee: string;
  amount_minor: bigint;
  currency: string;
  purpose: string;
  note: string | null;
  state: string;
  abort_reason: string | null;
  reversed: bigint;
  created_at: string;
  completed_at: string | null;
};

/** TransferReader over the transfers projection. Its table must exist: run the projection's setup first. */
export class SqliteTransferReader implements TransferReader {
  /** Rows hold payers and payees sealed as the log does (core/personal-data); the opener reveals them at the read. */
  constructor(
    private readonly database: Database.Database,
    private readonly opener: SealedTextOpener = plainTextOpener,
  ) {}

  findTransfer(transferId: string): TransferView | null {
    const row = preparedStatement(this.database, 'SELECT * FROM transfers WHERE id = ?').get(transferId) as TransferRow | undefined;
    return row ? toView(row, this.opener) : null;
  }

  findTransfersByReference(reference: string, participantId: string | null, limit: number): TransferView[] {
    assert(Number.isSafeInteger(limit) && limit >= 1 && limit <= transferPageLimitMax, 'a lookup limit is within bounds');
    const byReference = 'SELECT * FROM transfers WHERE (id = ? OR client_id = ?)';
    const rows = (
      participantId === null
        ? preparedStatement(this.database, `${byReference} ORDER BY sequence LIMIT ?`).all(reference, reference, limit)
        : preparedStatement(
            this.database,
            `${byReference} AND (payer_participant = ? OR payee_participant = ?) ORDER BY sequence LIMIT ?`,
          ).all(reference, reference, participantId, participantId, limit)
    ) as TransferRow[];
    return rows.map((row) => toView(row, this.opener));
  }

  listTransfers(query: TransferQuery): TransferPage {
    assert(Number.isSafeInteger(query.limit) && query.limit >= 1 && query.limit <= transferPageLimitMax, 'a page limit is within bounds');
    const conditions: string[] = ['sequence > ?'];
    const parameters: unknown[] = [query.afterSequence ?? -1n];
    if (query.participantId !== null) {
      conditions.push('(payer_participant = ? OR payee_participant = ?)');
      parameters.push(query.participantId, query.participantId);
    }
    if (query.state !== null) {
      conditions.push('state = ?');
      parameters.push(query.state);
    }
    if (query.from !== null) {
      conditions.push('created_at >= ?');
      parameters.push(query.from);
    }
    if (query.to !== null) {
      conditions.push('created_at < ?');
      parameters.push(query.to);
    }
    // One more than asked for tells whether another page follows.
    parameters.push(query.limit + 1);
    const sql = `SELECT * FROM transfers WHERE ${conditions.join(' AND ')} ORDER BY sequence LIMIT ?`;
    const rows = preparedStatement(this.database, sql).all(...parameters) as TransferRow[];
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      transfers: page.map((row) => toView(row, this.opener)),
      nextSequence: rows.length > query.limit && last !== undefined ? last.sequence : null,
    };
  }

  listInFlight(createdBefore: string | null, limit: number): string[] {
    const sql = "SELECT id FROM transfers WHERE state = 'IN_FLIGHT' AND created_at < ? ORDER BY sequence LIMIT ?";
    // Every ISO-8601 instant this switch writes sorts before "9": no bound means all of them.
    const rows = preparedStatement(this.database, sql).all(createdBefore ?? '9', limit) as { id: string }[];
    return rows.map((row) => row.id);
  }
}

function toView(row: TransferRow, opener: SealedTextOpener): TransferView {
  assert(row.state === 'COMMITTED' || row.state === 'ABORTED' || row.state === 'IN_FLIGHT', `transfer ${row.id} has a known state`);
  return {
    // Rows from before ids were scoped per payer have no client_id: their payer's id is their id.
    id: row.client_id ?? row.id,
    switchTransferId: row.id,
    state: row.state,
    abortReason: row.abort_reason,
    payerParticipant: row.payer_participant,
    payeeParticipant: row.payee_participant,
    payer: openedParty(JSON.parse(row.payer) as TransferView['payer'], opener),
    payee: openedParty(JSON.parse(row.payee) as TransferView['payee'], opener),
    amount: formatAmount(row.amount_minor, row.currency),
    currency: row.currency,
    purpose: row.purpose,
    note: row.note === null ? null : opener.open(row.note),
    reversed: row.reversed === 1n,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

function openedParty<Party extends { type: string; value: string; name?: string }>(party: Party, opener: SealedTextOpener): Party {
  return { ...party, value: opener.open(party.value), ...(party.name === undefined ? {} : { name: opener.open(party.name) }) };
}
