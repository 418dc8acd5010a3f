import { assert } from '../assert';
import { formatAmount } from '../money';
import type { SettlementLineRecord, SettlementWindowRecord, SettlementWindowState } from '../settlement/settlement-reader';

/** One participant's line of a window's report (issue 6 item 2). Amounts are decimal strings. */
export type SettlementReportLine = {
  participant: string;
  sentCount: number;
  sentValue: string;
  receivedCount: number;
  receivedValue: string;
  fees: string;
  /** The multilateral net position of the window's payments: positive, it receives; negative, it pays. */
  net: string;
};

export type SettlementReport = {
  windowId: string;
  currency: string;
  state: SettlementWindowState;
  participants: SettlementReportLine[];
  totals: { count: number; value: string; fees: string };
  /** The nets of every participant of the window sum to zero (checked over all lines, whoever reads the report). */
  netSumZero: boolean;
  /** Log positions of the window's first and last event: its opening and its close (the last so far while open). */
  firstPosition: string | null;
  lastPosition: string | null;
};

/**
 * The report of a window from its read-model lines. `visibleParticipant` null: every line (operator, regulator);
 * otherwise only that participant's line, and totals over what it sees.
 *
 * `net` is receivedValue − sentValue: every payment has its two sides in the same window, so the nets sum to zero.
 * `fees` are reported beside it; what settlement moves for a participant is net − fees (see settlement-postings.ts).
 * Lines with no payment and no fee (a participant whose only movement in the window was an earlier window's
 * settlement posting) are left out.
 */
export function buildSettlementReport(
  window: SettlementWindowRecord,
  lines: readonly SettlementLineRecord[],
  visibleParticipant: string | null,
): SettlementReport {
  let netSumMinor = 0n;
  const visible: SettlementLineRecord[] = [];
  for (const line of lines) {
    netSumMinor += line.receivedMinor - line.sentMinor;
    const active = line.sentCount > 0 || line.receivedCount > 0 || line.feesMinor !== 0n;
    if (active && (visibleParticipant === null || line.participant === visibleParticipant)) visible.push(line);
  }
  assert(visibleParticipant === null || visible.length <= 1, 'a participant sees at most its own line');
  let count = 0;
  let valueMinor = 0n;
  let feesMinor = 0n;
  for (const line of visible) {
    // The whole window: each payment once, by its sender. A participant's own view: every payment it took part in.
    count += visibleParticipant === null ? line.sentCount : line.sentCount + line.receivedCount;
    valueMinor += visibleParticipant === null ? line.sentMinor : line.sentMinor + line.receivedMinor;
    feesMinor += line.feesMinor;
  }
  return {
    windowId: window.windowId,
    currency: window.currency,
    state: window.state,
    participants: visible.map((line) => reportLine(line, window.currency)),
    totals: { count, value: formatAmount(valueMinor, window.currency), fees: formatAmount(feesMinor, window.currency) },
    netSumZero: netSumMinor === 0n,
    firstPosition: window.firstPosition === null ? null : window.firstPosition.toString(),
    lastPosition: window.lastPosition === null ? null : window.lastPosition.toString(),
  };
}

function reportLine(line: SettlementLineRecord, currency: string): SettlementReportLine {
  return {
    participant: line.participant,
    sentCount: line.sentCount,
    sentValue: formatAmount(line.sentMinor, currency),
    receivedCount: line.receivedCount,
    receivedValue: formatAmount(line.receivedMinor, currency),
    fees: formatAmount(line.feesMinor, currency),
    net: formatAmount(line.receivedMinor - line.sentMinor, currency),
  };
}
