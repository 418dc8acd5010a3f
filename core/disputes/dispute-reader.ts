import type { DisputeView } from './dispute-view';
import type { DisputeCategory, DisputeStateName } from './dispute-events';

export const disputePageLimitDefault = 50;
export const disputePageLimitMax = 200;

export type DisputeQuery = {
  state: DisputeStateName | null;
  category: DisputeCategory | null;
  /** Disputes in which this participant is claimant or respondent; null: everyone's. */
  participant: string | null;
  /** Only disputes of this merchant (a merchant's own key). */
  merchantId: string | null;
  /**
   * true: only those whose respondent missed its deadline (resolved for it, or still OPEN past respondBy until the
   * sweeper resolves it); false: only the others.
   */
  overdue: boolean | null;
  /** The instant `overdue` is judged at. */
  now: string;
  afterSequence: bigint | null;
  limit: number;
};

export type DisputePage = { disputes: DisputeView[]; nextSequence: bigint | null };

export type DisputeStatistics = {
  totals: {
    opened: number;
    resolved: number;
    claimantWon: number;
    respondentWon: number;
    withdrawn: number;
    autoResolved: number;
    deadlineMissed: number;
  };
  byParticipant: {
    participant: string;
    asClaimant: number;
    asRespondent: number;
    answeredInTime: number;
    deadlineMissed: number;
    medianHoursToResolve: string | null;
  }[];
  byCategory: { category: DisputeCategory; opened: number; claimantWon: number; respondentWon: number }[];
};

/** The dispute records and statistics: projections of the dispute streams (adapters/readmodel-sqlite/projections/disputes-*). */
export interface DisputeReader {
  listDisputes(query: DisputeQuery): DisputePage;
  /** OPEN disputes whose respondBy is before `now`, oldest deadline first, at most `limit`. */
  listOverdueOpen(now: string, limit: number): string[];
  /** Resolved claimant wins whose chargeback or credit is not recorded yet (a crash in between), at most `limit`. */
  listChargebacksDue(limit: number): string[];
  /** Disputes whose merchant is owed a dispute webhook (a crash between the change and its publication), at most `limit`. */
  listNotificationsDue(limit: number): string[];
  /** Statistics over the disputes opened in [from, to). */
  statistics(from: string, to: string): DisputeStatistics;
}
