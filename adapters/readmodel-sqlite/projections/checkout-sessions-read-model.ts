import type Database from 'better-sqlite3';
import type { MerchantOfTransfer } from '../../../core/disputes/dispute-ports';
import type { OpenSessionReader } from '../../../core/gateway/open-session-reader';
import type { TransferInitiated } from '../../../core/transfers/transfer-events';

/** OpenSessionReader over the checkout-sessions projection. */
export class SqliteOpenSessionReader implements OpenSessionReader {
  private readonly expiredOpen: Database.Statement;

  constructor(database: Database.Database) {
    this.expiredOpen = database.prepare(
      `SELECT session_id FROM checkout_sessions WHERE status = 'OPEN' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
    );
  }

  listExpiredOpen(nowIso: string, limit: number): string[] {
    return (this.expiredOpen.all(nowIso, limit) as { session_id: string }[]).map((row) => row.session_id);
  }
}

/**
 * The merchant a transfer paid: what a dispute on a P2M payment names as its merchant (who may answer it and receives
 * its webhooks). The checkout session the transfer completed says so; a static-QR payment completed none, and its
 * own record names the merchant it paid, as the merchant's payments do. Null for a transfer that paid no merchant.
 */
export class SqliteSessionMerchantOfTransfer implements MerchantOfTransfer {
  private readonly byTransfer: Database.Statement;

  constructor(database: Database.Database) {
    this.byTransfer = database.prepare(`SELECT merchant_id FROM checkout_sessions WHERE transfer_id = ? AND status = 'COMPLETED' LIMIT 1`);
  }

  merchantOf(transfer: TransferInitiated['data']): string | null {
    const row = this.byTransfer.get(transfer.transferId) as { merchant_id: string } | undefined;
    return row?.merchant_id ?? transfer.merchant?.id ?? null;
  }
}
