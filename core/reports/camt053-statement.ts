import { assert } from '../assert';
import { formatAmount } from '../money';
import { positionAccountId } from '../participants/participant-accounts';
import type { SettlementLineRecord, SettlementPostingRecord, SettlementWindowRecord } from '../settlement/settlement-reader';
import { renderXmlDocument, xmlElement, xmlText, type XmlElement } from './xml-writer';

export const camt053Namespace = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08';

export type StatementInput = {
  window: SettlementWindowRecord;
  participant: { id: string; name: string | null };
  /** The participant's movements in the window; null when it had none. */
  line: SettlementLineRecord | null;
  /** What the switch owed the participant when the window opened (negative: what it owed the switch). */
  openingBalanceMinor: bigint;
  /** The same when the window closed (now, while it is open). */
  closingBalanceMinor: bigint;
  /** Settlement postings of earlier windows the ledger booked for this participant while this window was open. */
  postings: readonly SettlementPostingRecord[];
  /** The statement's creation time: the window's close (or settlement) for a closed window, so it reads the same every time. */
  createdAt: string;
};

/** One booked entry: what moved the balance, and by how much (positive: credit to the participant). */
export type StatementEntry = { changeMinor: bigint; bookedAt: string; code: string; transactionCount: number | null; information: string };

/**
 * The settlement statement of one participant for one window as ISO 20022 camt.053.001.08 (BankToCustomerStatement):
 * the participant's position at the switch as an account, with its opening (OPBD) and closing (CLBD) balance and
 * one entry per net movement of the window: payments received, payments sent, fees, and each settlement posting.
 * Balances are from the participant's side: CRDT when the switch owes it, DBIT when it owes the switch.
 */
export function camt053Statement(input: StatementInput): string {
  const entries = statementEntries(input);
  const sumMinor = entries.reduce((sum, entry) => sum + entry.changeMinor, 0n);
  assert(
    input.openingBalanceMinor + sumMinor === input.closingBalanceMinor,
    `statement of ${input.participant.id} for ${input.window.windowId}: opening plus entries is the closing balance`,
  );
  const currency = input.window.currency;
  const statementId = `${input.window.windowId}-${input.participant.id}`;
  const periodStart = input.window.openedAt ?? input.createdAt;
  const periodEnd = input.window.closedAt ?? input.createdAt;
  const owner = input.participant.name === null ? [] : [xmlElement('Ownr', [xmlText('Nm', input.participant.name.slice(0, 140))])];
  const statement = xmlElement('Stmt', [
    xmlText('Id', statementId),
    xmlText('ElctrncSeqNb', String(input.window.sequence)),
    xmlText('CreDtTm', input.createdAt),
    xmlElement('FrToDt', [xmlText('FrDtTm', periodStart), xmlText('ToDtTm', periodEnd)]),
    xmlElement('Acct', [
      xmlElement('Id', [xmlElement('Othr', [xmlText('Id', positionAccountId(input.participant.id))])]),
      xmlText('Ccy', currency),
      ...owner,
      xmlElement('Svcr', [xmlElement('FinInstnId', [xmlText('Nm', 'Hisaab switch')])]),
    ]),
    balance('OPBD', input.openingBalanceMinor, currency, periodStart),
    balance('CLBD', input.closingBalanceMinor, currency, periodEnd),
    summary(entries, sumMinor, currency),
    ...entries.map((entry, index) => entryElement(entry, index + 1, currency)),
    xmlText('AddtlStmtInf', `Settlement window ${input.window.windowId} (${input.window.state})`),
  ]);
  const document = xmlElement(
    'Document',
    [xmlElement('BkToCstmrStmt', [xmlElement('GrpHdr', [xmlText('MsgId', statementId), xmlText('CreDtTm', input.createdAt)]), statement])],
    [['xmlns', camt053Namespace]],
  );
  return renderXmlDocument(document);
}

/** The window's net movements for the participant, each a separate entry, in a fixed order. */
export function statementEntries(input: StatementInput): StatementEntry[] {
  const entries: StatementEntry[] = [];
  const windowId = input.window.windowId;
  const bookedAt = input.window.closedAt ?? input.createdAt;
  const line = input.line;
  if (line !== null && line.receivedCount > 0) {
    entries.push({
      changeMinor: line.receivedMinor,
      bookedAt,
      code: 'PAYMENTS_RECEIVED',
      transactionCount: line.receivedCount,
      information: `Payments received in settlement window ${windowId}`,
    });
  }
  if (line !== null && line.sentCount > 0) {
    entries.push({
      changeMinor: -line.sentMinor,
      bookedAt,
      code: 'PAYMENTS_SENT',
      transactionCount: line.sentCount,
      information: `Payments sent in settlement window ${windowId}`,
    });
  }
  if (line !== null && line.feesMinor !== 0n) {
    entries.push({
      changeMinor: -line.feesMinor,
      bookedAt,
      code: 'FEES',
      transactionCount: null,
      information: `Switch fees in settlement window ${windowId}`,
    });
  }
  for (const posting of input.postings) {
    entries.push({
      changeMinor: posting.changeMinor,
      bookedAt: posting.bookedAt,
      code: 'SETTLEMENT',
      transactionCount: null,
      information: `Settlement of window ${posting.settledWindowId} through the central bank's RTGS`,
    });
  }
  return entries;
}

function balance(code: 'OPBD' | 'CLBD', amountMinor: bigint, currency: string, at: string): XmlElement {
  return xmlElement('Bal', [
    xmlElement('Tp', [xmlElement('CdOrPrtry', [xmlText('Cd', code)])]),
    amount(amountMinor, currency),
    creditDebit(amountMinor),
    xmlElement('Dt', [xmlText('DtTm', at)]),
  ]);
}

function summary(entries: readonly StatementEntry[], netMinor: bigint, currency: string): XmlElement {
  const grossMinor = entries.reduce((sum, entry) => sum + absolute(entry.changeMinor), 0n);
  return xmlElement('TxsSummry', [
    xmlElement('TtlNtries', [
      xmlText('NbOfNtries', String(entries.length)),
      xmlText('Sum', formatAmount(grossMinor, currency)),
      xmlElement('TtlNetNtry', [xmlText('Amt', formatAmount(absolute(netMinor), currency)), creditDebit(netMinor)]),
    ]),
  ]);
}

function entryElement(entry: StatementEntry, reference: number, currency: string): XmlElement {
  const details =
    entry.transactionCount === null
      ? []
      : [xmlElement('NtryDtls', [xmlElement('Btch', [xmlText('NbOfTxs', String(entry.transactionCount))])])];
  return xmlElement('Ntry', [
    xmlText('NtryRef', String(reference)),
    amount(entry.changeMinor, currency),
    creditDebit(entry.changeMinor),
    xmlElement('Sts', [xmlText('Cd', 'BOOK')]),
    xmlElement('BookgDt', [xmlText('DtTm', entry.bookedAt)]),
    xmlElement('BkTxCd', [xmlElement('Prtry', [xmlText('Cd', entry.code), xmlText('Issr', 'HISAAB')])]),
    ...details,
    xmlText('AddtlNtryInf', entry.information),
  ]);
}

/** ISO 20022 amounts are never negative: the sign travels as CdtDbtInd. */
function amount(amountMinor: bigint, currency: string): XmlElement {
  return xmlText('Amt', formatAmount(absolute(amountMinor), currency), [['Ccy', currency]]);
}

function creditDebit(amountMinor: bigint): XmlElement {
  return xmlText('CdtDbtInd', amountMinor >= 0n ? 'CRDT' : 'DBIT');
}

function absolute(value: bigint): bigint {
  return value < 0n ? -value : value;
}
