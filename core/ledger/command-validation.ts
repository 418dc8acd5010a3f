import type { UserData } from './commands';
import type { UserDataJson } from './events';
import { idPattern as idPatternExport, userDataEntriesMax, userDataKeyPattern, userDataValueLengthMax } from './ledger-limits';

// A module constant of its own: under tsx an imported binding is read through a getter on every use, and every
// command's id is checked against it.
const idPattern = idPatternExport;

/**
 * Checks the core makes on every command even though the edge validates first (with zod): the core trusts no
 * caller, and a bad item must be answered with a code instead of corrupting the log.
 */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && idPattern.test(value);
}

export function isValidUserData(value: unknown): value is UserData | undefined {
  if (value === undefined) return true;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  let entries = 0;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    entries += 1;
    if (entries > userDataEntriesMax || !userDataKeyPattern.test(key)) return false;
    const entry: unknown = (value as Record<string, unknown>)[key];
    if (typeof entry !== 'string' || entry.length > userDataValueLengthMax) return false;
  }
  return true;
}

/** userData as events carry it: a plain copy with sorted keys, or null when absent or empty. */
export function userDataForEvent(userData: UserData | undefined): UserDataJson | null {
  if (userData === undefined) return null;
  const keys = Object.keys(userData);
  if (keys.length === 0) return null;
  keys.sort();
  const copy: UserDataJson = {};
  for (const key of keys) copy[key] = userData[key] as string;
  return copy;
}

export function isPositiveAmount(value: unknown): value is bigint {
  return typeof value === 'bigint' && value > 0n;
}

export function isFlag(value: unknown): value is boolean | undefined {
  return value === undefined || typeof value === 'boolean';
}
