import { assert } from '../../core/assert';

/** The simulated bank's customer accounts: balances in minor units, bigint only. */
export class BankAccounts {
  private readonly balances = new Map<string, bigint>();
  private readonly accountsMax: number;

  constructor(accountsMax: number = 100_000) {
    this.accountsMax = accountsMax;
  }

  open(account: string, balanceMinor: bigint = 0n): void {
    assert(account.length > 0, 'an account has a number');
    assert(balanceMinor >= 0n, 'an account opens with a balance of zero or more');
    assert(this.balances.has(account) || this.balances.size < this.accountsMax, `the simulator holds at most ${this.accountsMax} accounts`);
    this.balances.set(account, balanceMinor);
  }

  has(account: string): boolean {
    return this.balances.has(account);
  }

  balanceOf(account: string): bigint | null {
    return this.balances.get(account) ?? null;
  }

  credit(account: string, amountMinor: bigint): void {
    const balance = this.balances.get(account);
    assert(balance !== undefined, 'only an existing account is credited');
    assert(amountMinor > 0n, 'a credit is positive');
    this.balances.set(account, balance + amountMinor);
  }

  /** False, and nothing changes, when the balance does not cover the amount. */
  debit(account: string, amountMinor: bigint): boolean {
    const balance = this.balances.get(account);
    assert(balance !== undefined, 'only an existing account is debited');
    assert(amountMinor > 0n, 'a debit is positive');
    if (balance < amountMinor) return false;
    this.balances.set(account, balance - amountMinor);
    return true;
  }

  /** Undoing a credit takes the money back even if the customer has spent it since: the balance may go negative. */
  reverseCredit(account: string, amountMinor: bigint): void {
    const balance = this.balances.get(account);
    assert(balance !== undefined, 'only an existing account has a credit to reverse');
    this.balances.set(account, balance - amountMinor);
  }

  snapshot(): ReadonlyMap<string, bigint> {
    return new Map(this.balances);
  }
}
