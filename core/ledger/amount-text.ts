/**
 * Minor units as event text ("150050") and back. The decider formats an amount and evolve parses that very
 * string a moment later, for every transfer; remembering the last conversion saves the parse and its bigint
 * allocation on the hot path. Pure: the answer is always BigInt(text).
 */
let lastText = '';
let lastValue = 0n;

export function amountText(amountMinor: bigint): string {
  const text = amountMinor.toString();
  lastText = text;
  lastValue = amountMinor;
  return text;
}

export function amountValue(text: string): bigint {
  return text === lastText ? lastValue : BigInt(text);
}
