/** A benchmark's setting from the environment (`HISAAB_BENCH_…`), a positive whole number, or its default. */
export function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
}
