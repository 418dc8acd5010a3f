import { assert } from '../../core/assert';

/** A customer of the simulated wallet. Balances are integer minor units. */
export type CustomerAccount = {
  /** The wallet account number: what the directory points an alias at (`{"type":"WALLET","value":…}`). */
  walletNumber: string;
  /** The customer's mobile number, the usual alias (`923001234567`). */
  msisdn?: string;
  cnic?: string;
  name: string;
  balanceMinor: bigint;
};

/** The wallet's ledger of customer balances, looked up by wallet number, MSISDN or CNIC. */
export class CustomerAccounts {
  private readonly byWalletNumber = new Map<string, CustomerAccount>();
  private readonly byAlias = new Map<string, CustomerAccount>();

  constructor(accounts: readonly CustomerAccount[]) {
    for (const account of accounts) this.add(account);
  }

  add(input: CustomerAccount): void {
    assert(!this.byWalletNumber.has(input.walletNumber), `wallet number ${input.walletNumber} is listed twice`);
    const account = { ...input };
    this.byWalletNumber.set(account.walletNumber, account);
    if (account.msisdn !== undefined) this.byAlias.set(`MSISDN:${account.msisdn}`, account);
    if (account.cnic !== undefined) this.byAlias.set(`CNIC:${account.cnic}`, account);
  }

  /** The account a payee reference names: `WALLET` by wallet number, `MSISDN` and `CNIC` by alias. */
  find(type: string, value: string): CustomerAccount | undefined {
    if (type === 'WALLET') return this.byWalletNumber.get(value);
    return this.byAlias.get(`${type}:${value}`);
  }

  get(walletNumber: string): CustomerAccount {
    const account = this.byWalletNumber.get(walletNumber);
    assert(account !== undefined, `the simulated wallet has no account ${walletNumber}`);
    return account;
  }

  has(walletNumber: string): boolean {
    return this.byWalletNumber.has(walletNumber);
  }

  list(): readonly CustomerAccount[] {
    return [...this.byWalletNumber.values()].map((account) => ({ ...account }));
  }

  /** Moves money into (positive) or out of (negative) a customer's balance. */
  adjust(walletNumber: string, deltaMinor: bigint): bigint {
    const account = this.get(walletNumber);
    account.balanceMinor += deltaMinor;
    return account.balanceMinor;
  }

  /** Sum of all balances: a test's check that credits and reversals moved exactly what they should. */
  totalMinor(): bigint {
    let total = 0n;
    for (const account of this.byWalletNumber.values()) total += account.balanceMinor;
    return total;
  }
}
