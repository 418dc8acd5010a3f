import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorTables } from '../api/http-error';
import type { ErrorCodeTable } from '../core/errors';

/**
 * `npm run docs:errors`: rewrites the README's error code table from the catalogue (core's `*-errors.ts` tables
 * and api/api-errors.ts), so the README lists exactly the codes the switch answers with, each with its status.
 * A test compares the README with what this renders, so a new code without its README line fails the suite.
 */

export const errorCodesStartMarker = '<!-- error-codes:start -->';
export const errorCodesEndMarker = '<!-- error-codes:end -->';

/** The markdown table of every code: by module in catalogue order, then by status and code within a module. */
export function renderErrorCodeTable(tables: Readonly<Record<string, ErrorCodeTable>> = errorTables): string {
  const lines = ['| code | status | module | meaning |', '| --- | --- | --- | --- |'];
  for (const [module, table] of Object.entries(tables)) {
    const entries = Object.entries(table).sort(([codeA, a], [codeB, b]) => a.status - b.status || codeA.localeCompare(codeB));
    for (const [code, entry] of entries)
      lines.push(`| \`${code}\` | ${entry.status} | ${module} | ${entry.meaning.replaceAll('|', '\\|')} |`);
  }
  return lines.join('\n');
}

/** The README with its marked block replaced by `table`; an error when the markers are missing or out of order. */
export function withErrorCodeTable(readme: string, table: string): string {
  const start = readme.indexOf(errorCodesStartMarker);
  const end = readme.indexOf(errorCodesEndMarker);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README.md needs a block between ${errorCodesStartMarker} and ${errorCodesEndMarker} for the error codes`);
  }
  return `${readme.slice(0, start + errorCodesStartMarker.length)}\n${table}\n${readme.slice(end)}`;
}

export const readmePath = join(__dirname, '..', 'README.md');

if (require.main === module) {
  const readme = readFileSync(readmePath, 'utf8');
  const updated = withErrorCodeTable(readme, renderErrorCodeTable());
  if (updated === readme) {
    console.log('README.md error codes are current');
  } else {
    writeFileSync(readmePath, updated);
    console.log('README.md error codes rewritten from the catalogue');
  }
}
