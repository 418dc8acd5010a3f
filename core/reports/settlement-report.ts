import { assert } from '../assert';
import { switchParticipantId } from '../gateway/merchant-fees';
import { formatAmount } from '../money';
import type { SettlementLineRecord, SettlementWindowRecord, SettlementWindowState } from '../settlement/settlement-reader';

/** One participant's line of a window's report (issue 6 item 2). Amounts are decimal strings. */
export type SettlementReportLine = {
  participant: string;
  sentCount: number;
  sentValue: string;
  receivedCount: number;
  receivedValue: string;
  /** Fees paid less fees earned; for the `HISAAB` row, the switch's fee income (positive). */
  fees: string;
  /** What the window settles for it, receivedValue − sentValue − fees: positive, it receives; negative, it pays. */
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
 * A participant's `fees` are the fees it paid (FEE legs debited to its position) less those it earned (interchange
 * credited to it), and its `net` is receivedValue − sentValue − fees: what settling the window moves for it (see
 * settlement-postings.ts). The switch's fee income is a row `HISAAB` (issue 11) whose `fees` and `net` are that
 * income, positive: what the participants' fees add up to, since interchange only moves between participants. It
 * counts fees credited to the switch's own position and to any account that is no participant's (a hub fee account)
 * alike, so the nets of every row sum to zero exactly when each payment has its two sides in the window.
 * Lines with no payment and no fee (a participant whose only movement in the window was an earlier window's
 * settlement posting) are left out.
 */
export function buildSettlementReport(
  window: SettlementWindowRecord,
  lines: readonly SettlementLineRecord[],
  visibleParticipant: string | null,
): SettlementReport {
  let netSumMinor = 0n;
  let switchIncomeMinor = 0n;
  const visible: SettlementLineRecord[] = [];
  for (const line of lines) {
    // The switch's own line is the income it earned on its position; its row is made from everyone else's fees below.
    if (line.participant === switchParticipantId) continue;
    netSumMinor += netOf(line);
    switchIncomeMinor += line.feesMinor;
    const active = line.sentCount > 0 || line.receivedCount > 0 || line.feesMinor !== 0n;
    if (active && (visibleParticipant === null || line.participant === visibleParticipant)) visible.push(line);
  }
  netSumMinor += switchIncomeMinor;
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
  const participants = visible.map((line) => reportLine(line, window.currency));
  if (visibleParticipant === null && switchIncomeMinor !== 0n) participants.push(switchLine(switchIncomeMinor, window.currency));
  return {
    windowId: window.windowId,
    currency: window.currency,
    state: window.state,
    participants,
    totals: { count, value: formatAmount(valueMinor, window.currency), fees: formatAmount(feesMinor, window.currency) },
    netSumZero: netSumMinor === 0n,
    firstPosition: window.firstPosition === null ? null : window.firstPosition.toString(),
    lastPosition: window.lastPosition === null ? null : window.lastPosition.toString(),
  };
}

function netOf(line: SettlementLineRecord): bigint {
  return line.receivedMinor - line.sentMinor - line.feesMinor;
}

function reportLine(line: SettlementLineRecord, currency: string): SettlementReportLine {
  return {
    participant: line.participant,
    sentCount: line.sentCount,
    sentValue: formatAmount(line.sentMinor, currency),
    receivedCount: line.receivedCount,
    receivedValue: formatAmount(line.receivedMinor, currency),
    fees: formatAmount(line.feesMinor, currency),
    net: formatAmount(netOf(line), currency),
  };
}

/** The switch's row: no payments, its fee income as both `fees` and `net`. */
function switchLine(incomeMinor: bigint, currency: string): SettlementReportLine {
  const zero = formatAmount(0n, currency);
  const income = formatAmount(incomeMinor, currency);
  return {
    participant: switchParticipantId,
    sentCount: 0,
    sentValue: zero,
    receivedCount: 0,
    receivedValue: zero,
    fees: income,
    net: income,
  };
}
