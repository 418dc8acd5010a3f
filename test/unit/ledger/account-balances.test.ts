import {
  AccountBalances,
  creditsPostedLane,
  debitLimitLane,
  debitsPendingLane,
  debitsPostedLane,
  isGreater,
} from '../../../core/ledger/account-balances';

const maximum = 2n ** 63n - 1n;

/** A deterministic spread of amounts below 2^63: small, near 2^32 and 2^53, and near the maximum. */
function amounts(count: number): bigint[] {
  let state = 0x2545f491n;
  const next = (): bigint => {
    state = (state * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
    return state;
  };
  const picked: bigint[] = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, maximum];
  while (picked.length < count) picked.push(next() % 2n ** BigInt(1 + Number(next() % 63n)));
  return picked;
}

describe('AccountBalances', () => {
  it('adds, sums and compares 64-bit amounts in 32-bit words exactly as bigint arithmetic does', () => {
    const balances = new AccountBalances();
    const wrong: string[] = [];
    const values = amounts(400);
    for (let index = 0; index + 2 < values.length; index += 3) {
      const [a, b, c] = values.slice(index, index + 3) as [bigint, bigint, bigint];
      const account = balances.open(null, 0, 0);
      balances.write(account, debitsPendingLane, a);
      balances.write(account, debitsPostedLane, b);
      balances.split(c);
      const [cLow, cHigh] = [balances.low, balances.high];
      balances.total(account, debitsPendingLane, debitsPostedLane, cLow, cHigh);
      const sum = BigInt(balances.high) * 2n ** 32n + BigInt(balances.low);
      if (sum !== a + b + c) wrong.push(`total ${a} ${b} ${c}`);
      if (balances.high > 0x7fffffff !== a + b + c > maximum) wrong.push(`maximum ${a} ${b} ${c}`);
      if (balances.passesMaximum(account, debitsPostedLane, cLow, cHigh) !== b + c > maximum) wrong.push(`passes ${b} ${c}`);
      balances.split(a);
      const [aLow, aHigh] = [balances.low, balances.high];
      if (isGreater(aHigh, aLow, cHigh, cLow) !== a > c) wrong.push(`greater ${a} ${c}`);
      if (b + c <= maximum) {
        balances.add(account, debitsPostedLane, cLow, cHigh);
        if (balances.read(account, debitsPostedLane) !== b + c) wrong.push(`add ${b} ${c}`);
        balances.subtract(account, debitsPostedLane, cLow, cHigh);
        if (balances.read(account, debitsPostedLane) !== b) wrong.push(`subtract ${b} ${c}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses a balance past the maximum or below zero, keeps a cap or none, and grows past its first room', () => {
    const balances = new AccountBalances();
    const accounts = Array.from({ length: 3000 }, (_, index) => balances.open(index % 2 === 0 ? BigInt(index) : null, index, index));
    expect(accounts[2999]).toBe(2999);
    expect(balances.hasLimit(2998)).toBe(true);
    expect(balances.read(2998, debitLimitLane)).toBe(2998n);
    expect(balances.hasLimit(2999)).toBe(false);
    balances.write(5, creditsPostedLane, maximum);
    expect(() => balances.add(5, creditsPostedLane, 1, 0)).toThrow('within the maximum');
    expect(() => balances.subtract(6, creditsPostedLane, 1, 0)).toThrow('non-negative');
    balances.truncate(10);
    expect(balances.count).toBe(10);
  });
});
