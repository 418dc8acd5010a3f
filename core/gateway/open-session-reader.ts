/** Read side of checkout sessions for the expiry sweeper (adapters/readmodel-sqlite/projections/checkout-sessions-*.ts). */
export interface OpenSessionReader {
  /** Ids of sessions recorded OPEN whose expiry is at or before `nowIso`, oldest expiry first, at most `limit`. */
  listExpiredOpen(nowIso: string, limit: number): string[];
}
