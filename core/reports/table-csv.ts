/** A CSV cell: text as it is, numbers as JSON writes them, null as an empty cell. */
type Cell = string | number | null;
type Nested = { readonly [key: string]: Cell | Nested };

/**
 * Rows of nested objects as CSV with a fixed header: each header names a field, nested fields joined by dots
 * (`asPayer.count`), so that the header is the same whatever the rows hold, and an empty report is just the
 * header. RFC 4180 as the settlement report writes it: CRLF line ends, fields quoted when they hold a comma, a
 * quote or a line break.
 */
export function tableCsv(header: readonly string[], rows: readonly Nested[]): string {
  const lines = [header.map(csvField).join(',')];
  for (const row of rows) lines.push(header.map((path) => csvField(cellText(row, path))).join(','));
  return lines.join('\r\n') + '\r\n';
}

function cellText(row: Nested, path: string): string {
  let value: Cell | Nested | undefined = row;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return '';
    value = value[key];
  }
  if (value === undefined || value === null) return '';
  // A header names leaves only (the tests check each report's header against its view); an object here is a bug.
  if (typeof value === 'object') throw new Error(`CSV field ${path} is not a leaf`);
  return String(value);
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
