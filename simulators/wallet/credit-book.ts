import { isDomainError } from '../../core/errors';
import { parseAmount } from '../../core/money';
import type { CustomerAccounts } from './customer-accounts';
import type { CreditMessage, ReversalMessage, WalletAnswer } from './wallet-messages';

/**
 * What the wallet did for one transfer id. `REVERSED_BEFORE_CREDIT` remembers a reversal that arrived for a
 * credit the wallet never applied, so that the credit, if it turns up late, is refused instead of applied.
 */
export type CreditRecord = {
  transferId: string;
  walletNumber: string | null;
  amountMinor: bigint;
  state: 'CREDITED' | 'REJECTED' | 'SUSPENSE' | 'REVERSED' | 'REVERSED_BEFORE_CREDIT';
  answer: WalletAnswer;
  /** How many times the same transfer id came again and got the remembered answer. */
  duplicates: number;
};

/** Transfer ids remembered at most; a simulator past this answers 503 (it is a test tool, not a ledger). */
export const creditRecordsMax = 1_000_000;

const accepted: WalletAnswer = { status: 'ACCEPTED' };

/**
 * The wallet's side of credits, advices and reversals, deduplicated by transferId as issue 4 requires: a
 * retried credit request gets the answer the first one got, a reversal undoes a credit once.
 */
export class CreditBook {
  private readonly recordsByTransferId = new Map<string, CreditRecord>();

  constructor(
    private readonly accounts: CustomerAccounts,
    private readonly currencyCode: string,
  ) {}

  get full(): boolean {
    return this.recordsByTransferId.size >= creditRecordsMax;
  }

  /** Copies of every record, oldest first. */
  records(): CreditRecord[] {
    return [...this.recordsByTransferId.values()].map((record) => ({ ...record }));
  }

  record(transferId: string): CreditRecord | undefined {
    const record = this.recordsByTransferId.get(transferId);
    return record === undefined ? undefined : { ...record };
  }

  /**
   * A credit request (refusable, with `rejectReason` when the wallet is told to refuse) or an advice (the
   * transfer has committed: a customer that cannot be found is parked in suspense, and the advice acknowledged).
   */
  credit(message: CreditMessage, kind: 'CREDIT_REQUEST' | 'CREDIT_ADVICE', rejectReason: string | null): WalletAnswer {
    const known = this.recordsByTransferId.get(message.transferId);
    if (known !== undefined) {
      known.duplicates += 1;
      return known.state === 'REVERSED_BEFORE_CREDIT' ? { status: 'REJECTED', reason: 'REVERSED' } : known.answer;
    }
    const amountMinor = this.amountOf(message);
    const account = this.accounts.find(message.payee.type, message.payee.value);
    const refusal = this.refusalOf(message, amountMinor, account !== undefined);
    if (kind === 'CREDIT_ADVICE' && refusal !== null) {
      return this.remember({
        transferId: message.transferId,
        walletNumber: null,
        amountMinor: amountMinor ?? 0n,
        state: 'SUSPENSE',
        answer: accepted,
        duplicates: 0,
      });
    }
    const rejection = refusal ?? (kind === 'CREDIT_REQUEST' ? rejectReason : null);
    if (rejection !== null || account === undefined || amountMinor === null) {
      const answer: WalletAnswer = { status: 'REJECTED', reason: rejection ?? 'ACCOUNT_NOT_FOUND' };
      return this.remember({
        transferId: message.transferId,
        walletNumber: account?.walletNumber ?? null,
        amountMinor: amountMinor ?? 0n,
        state: 'REJECTED',
        answer,
        duplicates: 0,
      });
    }
    this.accounts.adjust(account.walletNumber, amountMinor);
    return this.remember({
      transferId: message.transferId,
      walletNumber: account.walletNumber,
      amountMinor,
      state: 'CREDITED',
      answer: accepted,
      duplicates: 0,
    });
  }

  /** Undoes the transfer's credit once; acknowledges every reversal, repeated or not. */
  reverse(message: ReversalMessage): WalletAnswer {
    const known = this.recordsByTransferId.get(message.transferId);
    if (known === undefined) {
      this.remember({
        transferId: message.transferId,
        walletNumber: null,
        amountMinor: 0n,
        state: 'REVERSED_BEFORE_CREDIT',
        answer: accepted,
        duplicates: 0,
      });
      return accepted;
    }
    if (known.state === 'CREDITED' && known.walletNumber !== null) {
      this.accounts.adjust(known.walletNumber, -known.amountMinor);
      known.state = 'REVERSED';
    } else if (known.state === 'REVERSED' || known.state === 'REVERSED_BEFORE_CREDIT') {
      known.duplicates += 1;
    } else {
      // A rejected credit or one in suspense moved no customer money: there is nothing to undo.
      known.state = 'REVERSED';
    }
    return accepted;
  }

  /** Why the wallet cannot credit this message at all, or null. */
  private refusalOf(message: CreditMessage, amountMinor: bigint | null, accountFound: boolean): string | null {
    if (message.currency !== this.currencyCode) return 'CURRENCY_NOT_SUPPORTED';
    if (amountMinor === null) return 'INVALID_AMOUNT';
    if (!accountFound) return 'ACCOUNT_NOT_FOUND';
    return null;
  }

  private amountOf(message: CreditMessage): bigint | null {
    try {
      return parseAmount(message.amount, message.currency);
    } catch (error) {
      if (isDomainError(error)) return null;
      throw error;
    }
  }

  private remember(record: CreditRecord): WalletAnswer {
    this.recordsByTransferId.set(record.transferId, record);
    return record.answer;
  }
}
