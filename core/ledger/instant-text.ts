/**
 * ISO-8601 text for epoch milliseconds and back, remembering the last conversion. Within a tick every
 * reservation with the same timeout expires at the same instant, so formatting and parsing it once per tick
 * instead of once per transfer is a measurable part of the two-phase hot path. Pure: same input, same output.
 */
let lastFormattedMs = Number.NaN;
let lastFormattedText = '';
let lastParsedText = '';
let lastParsedMs = Number.NaN;

export function isoFromMs(epochMs: number): string {
  if (epochMs !== lastFormattedMs) {
    lastFormattedText = new Date(epochMs).toISOString();
    lastFormattedMs = epochMs;
  }
  return lastFormattedText;
}

export function msFromIso(text: string): number {
  if (text !== lastParsedText) {
    lastParsedMs = Date.parse(text);
    lastParsedText = text;
  }
  return lastParsedMs;
}
