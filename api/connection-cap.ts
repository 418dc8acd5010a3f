import { readFileSync } from 'node:fs';

/**
 * The per-process cap on clients' sockets (HISAAB_MAX_CONNECTIONS): the HTTP port's and the ISO 8583 port's open
 * connections together. Each is a file descriptor, and a process that runs out of them cannot open its own files
 * either: SQLite's journal, a payee connection, a log. So the cap is sized from the process's open-files limit,
 * leaving a reserve, and a flood of idle connections past it is closed at accept (node's `server.maxConnections`:
 * the kernel's socket is closed before Node makes anything of it) while the connections already open keep working.
 */
export const connectionCapLimits = {
  /** File descriptors left for the process's own files and outbound sockets, at least this many... */
  reservedFileDescriptorsMin: 256,
  /** ...or this fraction of the limit, whichever is more. */
  reservedFraction: 0.25,
  /** The default never goes below this (a tiny limit still serves a few clients) nor above the next. */
  defaultMin: 64,
  /** Past this, memory per connection, not descriptors, is what runs out; it was the HTTP server's fixed bound. */
  defaultMax: 10_000,
  /** The ISO 8583 port's share: a bank keeps one or a few channels, so a quarter of the cap, at most 256. */
  iso8583ShareMax: 256,
  /** The lowest cap: one connection for each port. */
  capMin: 2,
  capMax: 1_000_000,
} as const;

/** The soft "Max open files" of /proc/self/limits' text; null when it is unlimited or cannot be read. */
export function openFilesSoftLimitOf(limitsText: string): number | null {
  const match = /^Max open files\s+(\S+)/m.exec(limitsText);
  if (match?.[1] === undefined || !/^\d+$/.test(match[1])) return null;
  const value = Number(match[1]);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

/** This process's soft open-files limit (Linux: /proc/self/limits); null elsewhere or when unlimited. */
export function openFilesSoftLimit(): number | null {
  try {
    return openFilesSoftLimitOf(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return null;
  }
}

/** The descriptors a cap may take under this open-files limit: the limit less its reserve (Infinity when unknown). */
export function connectionsAllowedBy(openFilesLimit: number | null): number {
  if (openFilesLimit === null) return Number.POSITIVE_INFINITY;
  const reserved = Math.max(
    connectionCapLimits.reservedFileDescriptorsMin,
    Math.ceil(openFilesLimit * connectionCapLimits.reservedFraction),
  );
  return Math.max(0, openFilesLimit - reserved);
}

/** The default cap: what the open-files limit allows, within [defaultMin, defaultMax]. */
export function defaultMaxConnections(openFilesLimit: number | null): number {
  const allowed = connectionsAllowedBy(openFilesLimit);
  return Math.min(connectionCapLimits.defaultMax, Math.max(connectionCapLimits.defaultMin, allowed));
}

/** How the cap is split between the two ports; the shares add up to the cap, each at least one. */
export function connectionShares(maxConnections: number): { http: number; iso8583: number } {
  if (!Number.isSafeInteger(maxConnections) || maxConnections < connectionCapLimits.capMin)
    throw new Error(`a connection cap is a whole number of at least ${connectionCapLimits.capMin}, got ${maxConnections}`);
  const iso8583 = Math.max(1, Math.min(connectionCapLimits.iso8583ShareMax, Math.floor(maxConnections / 4)));
  return { http: maxConnections - iso8583, iso8583 };
}
