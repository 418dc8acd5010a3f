import Decimal from 'decimal.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { camt053Namespace, camt053Statement, type StatementInput } from '../../../core/reports/camt053-statement';
import { escapeXmlAttribute, escapeXmlText } from '../../../core/reports/xml-writer';
import type { SettlementWindowRecord } from '../../../core/settlement/settlement-reader';

const window: SettlementWindowRecord = {
  windowId: 'PKR-000007',
  currency: 'PKR',
  sequence: 7,
  state: 'SETTLED',
  openedAt: '2026-11-28T10:00:00.000Z',
  closedAt: '2026-11-28T11:00:00.000Z',
  settledAt: '2026-11-28T12:00:00.000Z',
  reference: 'RTGS-2026-7',
  firstPosition: 10n,
  lastPosition: 90n,
  createdPosition: 10n,
};

const input: StatementInput = {
  window,
  participant: { id: 'MARGALLA', name: 'Margalla & Sons <Bank> "Ltd" \u0007' },
  line: {
    participant: 'MARGALLA',
    sentCount: 3,
    sentMinor: 45_000n,
    receivedCount: 5,
    receivedMinor: 120_050n,
    feesMinor: 150n,
    settlementChangeMinor: -30_000n,
    openingBalanceMinor: 30_000n,
  },
  openingBalanceMinor: 30_000n,
  closingBalanceMinor: 30_000n + 120_050n - 45_000n - 150n - 30_000n,
  postings: [
    {
      settledWindowId: 'PKR-000006',
      participant: 'MARGALLA',
      changeMinor: -30_000n,
      bookedWindowId: 'PKR-000007',
      bookedAt: '2026-11-28T10:30:00.000Z',
    },
  ],
  createdAt: '2026-11-28T12:00:00.000Z',
};

type Amount = { '#text': string; '@_Ccy': string };
type Balance = { Tp: { CdOrPrtry: { Cd: string } }; Amt: Amount; CdtDbtInd: string };
type Entry = { NtryRef: string; Amt: Amount; CdtDbtInd: string; Sts: { Cd: string }; BkTxCd: { Prtry: { Cd: string } } };
type Parsed = {
  Document: {
    '@_xmlns': string;
    BkToCstmrStmt: {
      GrpHdr: { MsgId: string };
      Stmt: {
        Id: string;
        ElctrncSeqNb: string;
        Acct: { Id: { Othr: { Id: string } }; Ccy: string; Ownr: { Nm: string } };
        Bal: Balance[];
        Ntry: Entry[];
      };
    };
  };
};

function parseStatement(xml: string): Parsed['Document']['BkToCstmrStmt']['Stmt'] & { namespace: string } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => name === 'Bal' || name === 'Ntry' });
  const parsed = parser.parse(xml) as Parsed;
  return { ...parsed.Document.BkToCstmrStmt.Stmt, namespace: parsed.Document['@_xmlns'] };
}

function signed(amount: Amount, indicator: string): Decimal {
  const value = new Decimal(amount['#text']);
  return indicator === 'CRDT' ? value : value.negated();
}

describe('camt.053 settlement statement', () => {
  it('is well-formed camt.053.001.08 whose entries take the opening balance to the closing balance', () => {
    const statement = parseStatement(camt053Statement(input));
    expect(statement.namespace).toBe(camt053Namespace);
    expect(statement.Id).toBe('PKR-000007-MARGALLA');
    expect(statement.ElctrncSeqNb).toBe('7');
    expect(statement.Acct.Id.Othr.Id).toBe('MARGALLA:position');
    expect(statement.Acct.Ccy).toBe('PKR');
    const [opening, closing] = statement.Bal;
    expect(opening?.Tp.CdOrPrtry.Cd).toBe('OPBD');
    expect(opening?.Amt).toEqual({ '#text': '300.00', '@_Ccy': 'PKR' });
    expect(opening?.CdtDbtInd).toBe('CRDT');
    expect(closing?.Tp.CdOrPrtry.Cd).toBe('CLBD');
    expect(closing?.Amt['#text']).toBe('749.00');
    expect(closing?.CdtDbtInd).toBe('CRDT');
    expect(statement.Ntry.map((entry) => [entry.BkTxCd.Prtry.Cd, entry.CdtDbtInd, entry.Amt['#text']])).toEqual([
      ['PAYMENTS_RECEIVED', 'CRDT', '1200.50'],
      ['PAYMENTS_SENT', 'DBIT', '450.00'],
      ['FEES', 'DBIT', '1.50'],
      ['SETTLEMENT', 'DBIT', '300.00'],
    ]);
    expect(statement.Ntry.every((entry) => entry.Sts.Cd === 'BOOK' && entry.Amt['@_Ccy'] === 'PKR')).toBe(true);
    const sum = statement.Ntry.reduce((total, entry) => total.plus(signed(entry.Amt, entry.CdtDbtInd)), new Decimal(0));
    expect(signed(opening!.Amt, opening!.CdtDbtInd).plus(sum).equals(signed(closing!.Amt, closing!.CdtDbtInd))).toBe(true);
  });

  it('escapes text, so a participant name with markup characters reads back exactly (control characters replaced)', () => {
    const statement = parseStatement(camt053Statement(input));
    expect(camt053Statement(input)).toContain('<Nm>Margalla &amp; Sons &lt;Bank&gt; "Ltd" \uFFFD</Nm>');
    expect(statement.Acct.Ownr.Nm).toBe('Margalla & Sons <Bank> "Ltd" \uFFFD');
  });

  it('shows a debit balance when the participant owes the switch, with no entries for a window it did nothing in', () => {
    const quiet: StatementInput = { ...input, line: null, postings: [], openingBalanceMinor: -12_345n, closingBalanceMinor: -12_345n };
    const statement = parseStatement(camt053Statement(quiet));
    expect(statement.Bal.map((balance) => [balance.Tp.CdOrPrtry.Cd, balance.Amt['#text'], balance.CdtDbtInd])).toEqual([
      ['OPBD', '123.45', 'DBIT'],
      ['CLBD', '123.45', 'DBIT'],
    ]);
    expect(statement.Ntry).toBeUndefined();
  });

  it('refuses to write a statement whose entries do not add up: that would be a bug in the read model', () => {
    expect(() => camt053Statement({ ...input, closingBalanceMinor: 1n })).toThrow('opening plus entries is the closing balance');
  });
});

describe('XML escaping', () => {
  it('escapes the markup characters in text and attributes', () => {
    expect(escapeXmlText('a & b < c > d\r')).toBe('a &amp; b &lt; c &gt; d&#13;');
    expect(escapeXmlAttribute(`"quoted" 'single'\t\n`)).toBe('&quot;quoted&quot; &apos;single&apos;&#9;&#10;');
  });

  it('replaces characters XML cannot carry, including a lone surrogate, and keeps a real pair', () => {
    expect(escapeXmlText('\u0000x\uD800y\uDFFFz\uD83D\uDE00')).toBe('\uFFFDx\uFFFDy\uFFFDz\uD83D\uDE00');
  });
});
