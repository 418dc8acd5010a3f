import { parse } from 'csv-parse/sync';
import { buildSettlementReport } from '../../../core/reports/settlement-report';
import { settlementReportCsv } from '../../../core/reports/settlement-report-csv';
import type { SettlementLineRecord, SettlementWindowRecord } from '../../../core/settlement/settlement-reader';
import { settledPositions } from '../../../core/settlement/settlement-postings';

const window: SettlementWindowRecord = {
  windowId: 'PKR-000003',
  currency: 'PKR',
  sequence: 3,
  state: 'CLOSED',
  openedAt: '2026-11-28T10:00:00.000Z',
  closedAt: '2026-11-28T11:00:00.000Z',
  settledAt: null,
  reference: null,
  firstPosition: 120n,
  lastPosition: 480n,
  createdPosition: 120n,
};

function line(participant: string, fields: Partial<SettlementLineRecord>): SettlementLineRecord {
  return {
    participant,
    sentCount: 0,
    sentMinor: 0n,
    receivedCount: 0,
    receivedMinor: 0n,
    feesMinor: 0n,
    settlementChangeMinor: 0n,
    openingBalanceMinor: 0n,
    ...fields,
  };
}

// INDUS paid MARGALLA 1500.50 and RAVI 200.00; RAVI paid MARGALLA 99.99. KHYBER only had an earlier window settled.
const lines = [
  line('INDUS', { sentCount: 2, sentMinor: 170_050n, feesMinor: 300n }),
  line('KHYBER', { settlementChangeMinor: -5_000n, openingBalanceMinor: 5_000n }),
  line('MARGALLA', { receivedCount: 2, receivedMinor: 160_049n }),
  line('RAVI', { sentCount: 1, sentMinor: 9_999n, receivedCount: 1, receivedMinor: 20_000n }),
];

describe('settlement report', () => {
  it('gives every active participant a line with decimal amounts, the nets, totals and the zero-sum check', () => {
    expect(buildSettlementReport(window, lines, null)).toEqual({
      windowId: 'PKR-000003',
      currency: 'PKR',
      state: 'CLOSED',
      participants: [
        {
          participant: 'INDUS',
          sentCount: 2,
          sentValue: '1700.50',
          receivedCount: 0,
          receivedValue: '0.00',
          fees: '3.00',
          // What settling moves: the payments less the fees it paid.
          net: '-1703.50',
        },
        {
          participant: 'MARGALLA',
          sentCount: 0,
          sentValue: '0.00',
          receivedCount: 2,
          receivedValue: '1600.49',
          fees: '0.00',
          net: '1600.49',
        },
        { participant: 'RAVI', sentCount: 1, sentValue: '99.99', receivedCount: 1, receivedValue: '200.00', fees: '0.00', net: '100.01' },
        // The switch's fee income (issue 11): the fees the participants paid, positive, so that the nets sum to zero.
        { participant: 'HISAAB', sentCount: 0, sentValue: '0.00', receivedCount: 0, receivedValue: '0.00', fees: '3.00', net: '3.00' },
      ],
      totals: { count: 3, value: '1800.49', fees: '3.00' },
      netSumZero: true,
      firstPosition: '120',
      lastPosition: '480',
    });
  });

  it('shows a participant only its own line, while the zero-sum check still covers the whole window', () => {
    const report = buildSettlementReport(window, lines, 'RAVI');
    expect(report.participants.map((each) => each.participant)).toEqual(['RAVI']);
    expect(report.totals).toEqual({ count: 2, value: '299.99', fees: '0.00' });
    expect(report.netSumZero).toBe(true);
    expect(buildSettlementReport(window, lines, 'KHYBER').participants).toEqual([]);
  });

  it('says so when the nets do not sum to zero', () => {
    expect(buildSettlementReport(window, [line('INDUS', { sentCount: 1, sentMinor: 100n })], null).netSumZero).toBe(false);
  });

  it('settles each participant its net less its fees, and nobody whose obligation is zero', () => {
    expect(settledPositions(lines)).toEqual([
      { participant: 'INDUS', direction: 'PAYS', amountMinor: '170350' },
      { participant: 'MARGALLA', direction: 'RECEIVES', amountMinor: '160049' },
      { participant: 'RAVI', direction: 'RECEIVES', amountMinor: '10001' },
    ]);
  });

  it('writes the lines as CSV with the fixed header, which a real CSV parser reads back', () => {
    const report = buildSettlementReport(window, lines, null);
    const csv = settlementReportCsv(report);
    expect(csv.split('\r\n')[0]).toBe('participant,sentCount,sentValue,receivedCount,receivedValue,fees,net');
    const records = parse<Record<string, string>>(csv, { columns: true });
    expect(records).toEqual(
      report.participants.map((each) => ({
        participant: each.participant,
        sentCount: String(each.sentCount),
        sentValue: each.sentValue,
        receivedCount: String(each.receivedCount),
        receivedValue: each.receivedValue,
        fees: each.fees,
        net: each.net,
      })),
    );
  });

  it('writes only the header for a window with no payments', () => {
    const csv = settlementReportCsv(buildSettlementReport(window, [], null));
    expect(parse(csv, { columns: true })).toEqual([]);
    expect(csv).toBe('participant,sentCount,sentValue,receivedCount,receivedValue,fees,net\r\n');
  });
});
