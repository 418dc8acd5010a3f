import type Database from 'better-sqlite3';
import type { DuplicateTransferFinder } from '../../../core/disputes/dispute-ports';
import type { TransferInitiated } from '../../../core/transfers/transfer-events';
import { subjectOfParty } from '../../../core/personal-data/data-subject';
import { plainTextOpener, type SealedTextOpener } from '../../../core/personal-data/sealed-text';

/**
 * DUPLICATE's rule over the transfers projection: the latest COMMITTED transfer of the same payer participant,
 * payer account, payee and amount, created in the window before the claimed one. Answers the id the payer knows
 * it by (its own id when it gave one), since that is what the timeline shows it.
 */
export class SqliteDuplicateTransferFinder implements DuplicateTransferFinder {
  private readonly earlier: Database.Statement;

  /** Rows hold payers and payees sealed (deterministically): the opener says what a value seals to, to compare. */
  constructor(
    database: Database.Database,
    private readonly opener: SealedTextOpener = plainTextOpener,
  ) {
    this.earlier = database.prepare(
      `SELECT id, client_id FROM transfers
        WHERE payer_participant = ? AND payee_participant = ? AND amount_minor = ? AND currency = ?
          AND json_extract(payer, '$.type') = ? AND json_extract(payer, '$.value') IN (?, ?)
          AND json_extract(payee, '$.type') = ? AND json_extract(payee, '$.value') IN (?, ?)
          AND state = 'COMMITTED' AND reversed = 0 AND created_at >= ? AND created_at <= ?
          AND sequence < (SELECT sequence FROM transfers WHERE id = ?)
        ORDER BY sequence DESC LIMIT 1`,
    );
  }

  findEarlierDuplicate(transfer: TransferInitiated['data'], windowMs: number): string | null {
    const from = new Date(Date.parse(transfer.createdAt) - windowMs).toISOString();
    const row = this.earlier.get(
      transfer.payerParticipant,
      transfer.payeeParticipant,
      BigInt(transfer.amountMinor),
      transfer.currency,
      transfer.payer.type,
      transfer.payer.value,
      this.sealedForm(transfer.payer),
      transfer.payee.type,
      transfer.payee.value,
      this.sealedForm(transfer.payee),
      from,
      transfer.createdAt,
      transfer.transferId,
    ) as { id: string; client_id: string | null } | undefined;
    return row === undefined ? null : (row.client_id ?? row.id);
  }

  /** The party's value as a row sealed after the upgrade holds it; its plaintext matches rows from before. */
  private sealedForm(party: { type: string; value: string }): string {
    const subject = subjectOfParty(party);
    return (subject === null ? null : this.opener.sealedFormIfKeyed(subject, party.value)) ?? party.value;
  }
}
