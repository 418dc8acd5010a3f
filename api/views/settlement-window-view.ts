import type { SettlementWindowRecord, SettlementWindowState } from '../../core/settlement/settlement-reader';

/** A settlement window as the API shows it (issue 6 item 1). */
export type SettlementWindowView = {
  id: string;
  currency: string;
  state: SettlementWindowState;
  openedAt: string | null;
  closedAt: string | null;
  settledAt: string | null;
  reference: string | null;
};

export function settlementWindowView(record: SettlementWindowRecord): SettlementWindowView {
  return {
    id: record.windowId,
    currency: record.currency,
    state: record.state,
    openedAt: record.openedAt,
    closedAt: record.closedAt,
    settledAt: record.settledAt,
    reference: record.reference,
  };
}
