import { openEventStore, selectEventStore } from '../../adapters/eventstore-factory';
import type { DeliveryEvent } from '../../core/outbox/delivery-events';
import type { TransferEvent } from '../../core/transfers/transfer-events';

/**
 * What the switch's own log says happened, read from its event store (read-only, so it may run beside the
 * switch): every transfer (its payee, amount, mode, creation and completion) and every store-and-forward
 * delivery (queued, attempts, delivered or abandoned). The campaign judges the switch by this, not by what it
 * answered: a transfer nobody heard of still has to be final in time.
 */
export type LoggedTransfer = {
  transferId: string;
  payeeParticipant: string;
  payerParticipant: string;
  amountMinor: bigint;
  creditMode: string;
  createdAtMs: number;
  state: 'IN_FLIGHT' | 'COMMITTED' | 'ABORTED';
  abortReason: string | null;
  reversalQueued: boolean;
  /** Committed, then undone (the payer's bank reversed it). */
  reversed: boolean;
  completedAtMs: number | null;
};

export type LoggedDelivery = {
  deliveryId: string;
  kind: string;
  destination: string;
  channel: string;
  transferId: string | null;
  failedAttempts: number;
  state: 'PENDING' | 'DELIVERED' | 'ABANDONED';
};

export type SwitchLog = { transfers: Map<string, LoggedTransfer>; deliveries: Map<string, LoggedDelivery> };

const readPageSize = 5_000;
/** A campaign's log is bounded by its transfers; this stops a runaway read. */
const eventsReadMax = 20_000_000;

export async function readSwitchLog(dataDir: string): Promise<SwitchLog> {
  const store = await openEventStore(selectEventStore(undefined, dataDir), { readOnly: true });
  const log: SwitchLog = { transfers: new Map(), deliveries: new Map() };
  try {
    let after = -1n;
    for (let read = 0; read < eventsReadMax;) {
      const page = await store.readAll(after, readPageSize, { streamPrefixes: ['transfer-', 'outbox-'] });
      if (page.length === 0) break;
      for (const event of page) {
        if (event.stream.startsWith('transfer-')) applyTransferEvent(log, event as unknown as TransferEvent);
        else applyDeliveryEvent(log, event.stream.slice('outbox-'.length), event as unknown as DeliveryEvent);
      }
      read += page.length;
      after = page[page.length - 1]?.position ?? after;
    }
  } finally {
    await store.close();
  }
  return log;
}

function applyTransferEvent(log: SwitchLog, event: TransferEvent): void {
  const known = log.transfers.get(event.data.transferId);
  switch (event.type) {
    case 'TransferInitiated':
      log.transfers.set(event.data.transferId, {
        transferId: event.data.transferId,
        payeeParticipant: event.data.payeeParticipant,
        payerParticipant: event.data.payerParticipant,
        amountMinor: BigInt(event.data.amountMinor),
        creditMode: event.data.creditMode,
        createdAtMs: Date.parse(event.data.createdAt),
        state: 'IN_FLIGHT',
        abortReason: null,
        reversalQueued: false,
        reversed: false,
        completedAtMs: null,
      });
      return;
    case 'TransferCommitted':
      if (known !== undefined) Object.assign(known, { state: 'COMMITTED', completedAtMs: Date.parse(event.data.completedAt) });
      return;
    case 'TransferAborted':
      if (known !== undefined)
        Object.assign(known, {
          state: 'ABORTED',
          abortReason: event.data.reason,
          reversalQueued: event.data.reversalQueued,
          completedAtMs: Date.parse(event.data.completedAt),
        });
      return;
    case 'TransferReversed':
      if (known !== undefined) known.reversed = true;
      return;
  }
}

function applyDeliveryEvent(log: SwitchLog, channel: string, event: DeliveryEvent): void {
  if (event.type === 'DeliveryQueued') {
    const transferId = event.data.payload['transferId'];
    log.deliveries.set(event.data.deliveryId, {
      deliveryId: event.data.deliveryId,
      kind: event.data.kind,
      destination: event.data.destination,
      channel,
      transferId: typeof transferId === 'string' ? transferId : null,
      failedAttempts: 0,
      state: 'PENDING',
    });
    return;
  }
  const known = log.deliveries.get(event.data.deliveryId);
  if (known === undefined) return;
  switch (event.type) {
    case 'DeliveryAttemptFailed':
      known.failedAttempts += 1;
      return;
    case 'DeliverySucceeded':
      known.state = 'DELIVERED';
      return;
    case 'DeliveryAbandoned':
      known.state = 'ABANDONED';
      return;
  }
}
