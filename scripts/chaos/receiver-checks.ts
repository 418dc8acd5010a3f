import { chaosAccounts, merchantId, openingBalanceMinor, type ChaosNetwork } from './chaos-network';
import type { SwitchRecords, SwitchTransfer } from './switch-records';

/**
 * The receivers' side: every wallet, the bank host and the shop hold each credit, reversal, advice and webhook
 * exactly once after their own deduplication, and the payees' books (the balance of each account that only
 * receives) equal what the switch committed to them.
 */
export type ReceiverFindings = { receiverViolations: string[]; bookViolations: string[] };

export type Chargeback = { transferId: string; claimant: string; amountMinor: bigint };

/** Shown per kind at most: the count says the rest. */
const violationsShownMax = 20;

export async function checkReceivers(
  network: ChaosNetwork,
  records: SwitchRecords,
  transfers: readonly SwitchTransfer[],
  chargebacks: readonly Chargeback[],
  completedSessions: ReadonlySet<string>,
  succeededRefunds: ReadonlySet<string>,
): Promise<ReceiverFindings> {
  const receiverViolations: string[] = [];
  const bookViolations: string[] = [];
  for (const wallet of network.wallets) checkWallet(wallet, transfers, chargebacks, receiverViolations, bookViolations);
  checkBank(network, transfers, bookViolations);
  await checkShop(network, records, completedSessions, succeededRefunds, receiverViolations);
  return {
    receiverViolations: receiverViolations.slice(0, violationsShownMax),
    bookViolations: bookViolations.slice(0, violationsShownMax),
  };
}

function checkWallet(
  wallet: ChaosNetwork['wallets'][number],
  transfers: readonly SwitchTransfer[],
  chargebacks: readonly Chargeback[],
  receiverViolations: string[],
  bookViolations: string[],
): void {
  const id = wallet.participantId;
  const creditedByAccount = new Map<string, bigint>();
  const expect = (transferId: string, amountMinor: bigint): void => {
    const record = wallet.creditRecord(transferId);
    if (record === undefined || record.state !== 'CREDITED' || record.amountMinor !== amountMinor || record.walletNumber === null) {
      receiverViolations.push(
        `${id} does not hold the credit of ${transferId} (${amountMinor}) once: ${JSON.stringify(record, bigintText)}`,
      );
      return;
    }
    creditedByAccount.set(record.walletNumber, (creditedByAccount.get(record.walletNumber) ?? 0n) + amountMinor);
  };
  for (const transfer of transfers) {
    if (transfer.payeeParticipant !== id) continue;
    if (transfer.state === 'COMMITTED' && !transfer.reversed) expect(transfer.switchTransferId, transfer.amountMinor);
    else if (wallet.creditRecord(transfer.switchTransferId)?.state === 'CREDITED')
      receiverViolations.push(
        `${id} holds a credit for ${transfer.switchTransferId}, which the switch has ${transfer.state}${transfer.reversed ? ' and reversed' : ''}`,
      );
  }
  for (const chargeback of chargebacks) if (chargeback.claimant === id) expect(chargeback.transferId, chargeback.amountMinor);
  // Accounts that only ever receive: their balance is the opening balance plus exactly the credits above.
  const receivingAccounts = [
    chaosAccounts.raviPayee.walletNumber,
    chaosAccounts.khyberPayee.walletNumber,
    chaosAccounts.margallaShop.walletNumber,
  ];
  for (const walletNumber of receivingAccounts) {
    if (!wallet.accounts.has(walletNumber)) continue;
    const expectedMinor = openingBalanceMinor + (creditedByAccount.get(walletNumber) ?? 0n);
    const balanceMinor = wallet.balanceOf(walletNumber);
    if (balanceMinor !== expectedMinor)
      bookViolations.push(`${id} ${walletNumber}: the wallet's books say ${balanceMinor}, the switch's credits ${expectedMinor}`);
  }
}

function checkBank(network: ChaosNetwork, transfers: readonly SwitchTransfer[], bookViolations: string[]): void {
  for (const bank of network.banks) {
    const committedMinor = transfers
      .filter((transfer) => transfer.state === 'COMMITTED' && !transfer.reversed && transfer.payee.value === bank.payeeIban)
      .reduce((sum, transfer) => sum + transfer.amountMinor, 0n);
    const balanceMinor = bank.simulator.accounts.balanceOf(bank.payeeIban);
    if (balanceMinor !== openingBalanceMinor + committedMinor)
      bookViolations.push(
        `${bank.id} ${bank.payeeIban}: the bank's books say ${balanceMinor}, the switch's credits ${openingBalanceMinor + committedMinor}`,
      );
  }
}

/**
 * Every webhook event the switch holds reached the shop, the shop holds no event the switch does not, each fact
 * (a session completed, a refund succeeded) has exactly one event id, and each completed session and succeeded
 * refund has its event.
 */
async function checkShop(
  network: ChaosNetwork,
  records: SwitchRecords,
  completedSessions: ReadonlySet<string>,
  succeededRefunds: ReadonlySet<string>,
  violations: string[],
): Promise<void> {
  const switchEvents = await records.webhookEvents(merchantId);
  const received = network.shop.receivedEvents;
  const receivedIds = new Set(received.map((event) => event.id));
  const switchIds = new Set(switchEvents.map((event) => event.id));
  for (const event of switchEvents)
    if (!receivedIds.has(event.id)) violations.push(`the shop never received ${event.type} ${event.id} (${event.deliveryStatus})`);
  for (const event of received)
    if (!switchIds.has(event.id)) violations.push(`the shop received ${event.type} ${event.id}, which the switch does not hold`);
  const perFact = new Map<string, number>();
  for (const event of received) {
    const key = `${event.type} ${String(event.data.object['id'])}`;
    perFact.set(key, (perFact.get(key) ?? 0) + 1);
  }
  for (const [fact, count] of perFact) if (count > 1) violations.push(`the shop holds ${count} different events for ${fact}`);
  for (const sessionId of completedSessions)
    if (!perFact.has(`checkout.session.completed ${sessionId}`)) violations.push(`no checkout.session.completed webhook for ${sessionId}`);
  for (const refundId of succeededRefunds)
    if (!perFact.has(`refund.succeeded ${refundId}`)) violations.push(`no refund.succeeded webhook for ${refundId}`);
}

function bigintText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
