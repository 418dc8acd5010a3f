import type { SettlementReport } from './settlement-report';

/** The CSV header of a window report, exactly as issue 6 fixes it. */
export const settlementReportCsvHeader = [
  'participant',
  'sentCount',
  'sentValue',
  'receivedCount',
  'receivedValue',
  'fees',
  'net',
] as const;

/**
 * The participant lines of a report as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote
 * or a line break). Participant ids and amounts never need quoting today; the quoting keeps that a non-assumption.
 */
export function settlementReportCsv(report: SettlementReport): string {
  const rows: string[][] = [[...settlementReportCsvHeader]];
  for (const line of report.participants) {
    rows.push([
      line.participant,
      String(line.sentCount),
      line.sentValue,
      String(line.receivedCount),
      line.receivedValue,
      line.fees,
      line.net,
    ]);
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
