/**
 * CSV per RFC 4180: CRLF line ends; a field holding a comma, quote, CR or LF is quoted and its
 * quotes doubled. Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first —
 * OWASP "CSV injection") gets a leading apostrophe; numbers are written as they are.
 */
export type CsvValue = string | number | null;

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA = /^[=+\-@\t\r]/;

export function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
