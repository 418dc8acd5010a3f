import type Database from 'better-sqlite3';
import Decimal from 'decimal.js';
import type { PresentDispute } from '../../../core/disputes/dispute-decider';
import { disputeCategories } from '../../../core/disputes/dispute-events';
import type { DisputePage, DisputeQuery, DisputeReader, DisputeStatistics } from '../../../core/disputes/dispute-reader';
import { disputeView } from '../../../core/disputes/dispute-view';
import { plainTextOpener, type SealedTextOpener } from '../../../core/personal-data/sealed-text';

type Row = {
  category: string;
  state: string;
  outcome: string | null;
  claimant: string;
  respondent: string;
  respond_by: string | null;
  deadline_missed: bigint;
  auto_resolved: bigint;
  answered_at: string | null;
  created_at: string;
  resolved_at: string | null;
};

/** Disputes opened in one statistics range at most: a report over more asks for a narrower range. */
const statisticsDisputesMax = 1_000_000;

/** DisputeReader over the disputes projection. */
export class SqliteDisputeReader implements DisputeReader {
  private readonly overdue: Database.Statement;
  private readonly chargebacksDue: Database.Statement;
  private readonly inRange: Database.Statement;
  private readonly notificationsDue: Database.Statement;

  /** `opener` opens the claim's description, which the log (and so this projection) holds sealed as personal data. */
  constructor(
    private readonly database: Database.Database,
    private readonly opener: SealedTextOpener = plainTextOpener,
  ) {
    this.overdue = database.prepare(`SELECT dispute_id FROM disputes WHERE state = 'OPEN' AND respond_by < ? ORDER BY respond_by LIMIT ?`);
    this.chargebacksDue = database.prepare(
      `SELECT dispute_id FROM disputes WHERE chargeback_due = 1 AND credit_queued = 0 ORDER BY sequence LIMIT ?`,
    );
    this.notificationsDue = database.prepare(`SELECT dispute_id FROM disputes WHERE notify_due = 1 ORDER BY sequence LIMIT ?`);
    this.inRange = database
      .prepare(
        `SELECT category, state, outcome, claimant, respondent, deadline_missed, auto_resolved, answered_at, created_at, resolved_at
           FROM disputes WHERE created_at >= ? AND created_at < ? ORDER BY sequence LIMIT ?`,
      )
      .safeIntegers(true);
  }

  listDisputes(query: DisputeQuery): DisputePage {
    const clauses: string[] = [];
    const parameters: (string | bigint | number)[] = [];
    if (query.state !== null) {
      clauses.push('state = ?');
      parameters.push(query.state);
    }
    if (query.category !== null) {
      clauses.push('category = ?');
      parameters.push(query.category);
    }
    if (query.participant !== null) {
      clauses.push('(claimant = ? OR respondent = ?)');
      parameters.push(query.participant, query.participant);
    }
    if (query.merchantId !== null) {
      clauses.push('merchant_id = ?');
      parameters.push(query.merchantId);
    }
    if (query.overdue !== null) {
      const overdue = "(deadline_missed = 1 OR (state = 'OPEN' AND respond_by < ?))";
      clauses.push(query.overdue ? overdue : `NOT ${overdue}`);
      parameters.push(query.now);
    }
    if (query.afterSequence !== null) {
      clauses.push('sequence > ?');
      parameters.push(query.afterSequence);
    }
    const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`;
    const rows = this.database
      .prepare(`SELECT sequence, state_json FROM disputes ${where} ORDER BY sequence LIMIT ?`)
      .safeIntegers(true)
      .all(...parameters, query.limit) as { sequence: bigint; state_json: string }[];
    const last = rows[rows.length - 1];
    return {
      disputes: rows.map((row) => {
        const view = disputeView(JSON.parse(row.state_json) as PresentDispute);
        return { ...view, description: this.opener.open(view.description) };
      }),
      nextSequence: rows.length === query.limit && last !== undefined ? last.sequence : null,
    };
  }

  listOverdueOpen(now: string, limit: number): string[] {
    return (this.overdue.all(now, limit) as { dispute_id: string }[]).map((row) => row.dispute_id);
  }

  listChargebacksDue(limit: number): string[] {
    return (this.chargebacksDue.all(limit) as { dispute_id: string }[]).map((row) => row.dispute_id);
  }

  listNotificationsDue(limit: number): string[] {
    return (this.notificationsDue.all(limit) as { dispute_id: string }[]).map((row) => row.dispute_id);
  }

  statistics(from: string, to: string): DisputeStatistics {
    return disputeStatistics(this.inRange.all(from, to, statisticsDisputesMax) as Row[]);
  }
}

type ParticipantTally = {
  asClaimant: number;
  asRespondent: number;
  answeredInTime: number;
  deadlineMissed: number;
  hoursToResolve: Decimal[];
};

/** The statistics of issue 12 over the disputes opened in a range. */
function disputeStatistics(rows: readonly Row[]): DisputeStatistics {
  const totals = { opened: 0, resolved: 0, claimantWon: 0, respondentWon: 0, withdrawn: 0, autoResolved: 0, deadlineMissed: 0 };
  const participants = new Map<string, ParticipantTally>();
  const tally = (participant: string): ParticipantTally => {
    let entry = participants.get(participant);
    if (entry === undefined) {
      entry = { asClaimant: 0, asRespondent: 0, answeredInTime: 0, deadlineMissed: 0, hoursToResolve: [] };
      participants.set(participant, entry);
    }
    return entry;
  };
  const categories = new Map(disputeCategories.map((category) => [category, { category, opened: 0, claimantWon: 0, respondentWon: 0 }]));
  for (const row of rows) {
    totals.opened += 1;
    if (row.state === 'RESOLVED') totals.resolved += 1;
    if (row.outcome === 'CLAIMANT') totals.claimantWon += 1;
    if (row.outcome === 'RESPONDENT') totals.respondentWon += 1;
    if (row.outcome === 'WITHDRAWN') totals.withdrawn += 1;
    if (row.auto_resolved === 1n) totals.autoResolved += 1;
    if (row.deadline_missed === 1n) totals.deadlineMissed += 1;
    tally(row.claimant).asClaimant += 1;
    const respondent = tally(row.respondent);
    respondent.asRespondent += 1;
    // The decider refuses an answer after respondBy, so every recorded answer was in time.
    if (row.answered_at !== null) respondent.answeredInTime += 1;
    if (row.deadline_missed === 1n) respondent.deadlineMissed += 1;
    if (row.resolved_at !== null) {
      respondent.hoursToResolve.push(new Decimal(Date.parse(row.resolved_at) - Date.parse(row.created_at)).dividedBy(3_600_000));
    }
    const category = categories.get(row.category as (typeof disputeCategories)[number]);
    if (category !== undefined) {
      category.opened += 1;
      if (row.outcome === 'CLAIMANT') category.claimantWon += 1;
      if (row.outcome === 'RESPONDENT') category.respondentWon += 1;
    }
  }
  return {
    totals,
    byParticipant: [...participants.entries()]
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
      .map(([participant, entry]) => ({
        participant,
        asClaimant: entry.asClaimant,
        asRespondent: entry.asRespondent,
        answeredInTime: entry.answeredInTime,
        deadlineMissed: entry.deadlineMissed,
        medianHoursToResolve: median(entry.hoursToResolve),
      })),
    byCategory: [...categories.values()],
  };
}

/** The median in hours to two decimals (half-even), or null with nothing resolved. */
export function median(values: readonly Decimal[]): string | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left.comparedTo(right));
  const middle = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 === 1 ? (sorted[middle] as Decimal) : (sorted[middle - 1] as Decimal).plus(sorted[middle] as Decimal).dividedBy(2);
  return value.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2);
}
