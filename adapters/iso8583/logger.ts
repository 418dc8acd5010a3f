import pino from 'pino';
import type { Iso8583Message } from './message';

/** The part of a pino logger the channel uses; pass the application's logger, or get a silent one. */
export type Iso8583Logger = Pick<pino.Logger, 'debug' | 'info' | 'warn' | 'error'>;

export function silentLogger(): Iso8583Logger {
  return pino({ level: 'silent' });
}

/** Account identifications (DE102, DE103) are masked in logs: only their last four characters show. */
const maskedFields = new Set([102, 103]);

export function describeForLog(message: Iso8583Message): Record<string, string> {
  const described: Record<string, string> = { mti: message.mti };
  for (const [key, value] of Object.entries(message.fields)) {
    if (value === undefined) continue;
    described[`de${key}`] = maskedFields.has(Number(key)) ? maskAccount(value) : value;
  }
  return described;
}

export function maskAccount(value: string): string {
  if (value.length <= 4) return '*'.repeat(value.length);
  return `${'*'.repeat(value.length - 4)}${value.slice(-4)}`;
}
