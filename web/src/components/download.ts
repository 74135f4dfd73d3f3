// Saving text the page already holds (a CSV of the table as filtered, recovery codes) as a file: a Blob behind a
// temporary link, so that nothing goes to the server again and the CSP needs no exception.

export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // After the click has been handled: revoking at once can cancel the download in some browsers.
  setTimeout(() => { URL.revokeObjectURL(url); }, 10_000);
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; formula-looking text is neutralised. */
export function csvField(value: string | number | bigint | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  // A spreadsheet runs text starting with =, +, -, @ as a formula (CSV injection); numbers keep their sign.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document with a header row, CRLF line ends and a byte-order mark so that spreadsheet programs read UTF-8 (Japanese) right. */
export function csvDocument(header: readonly string[], rows: readonly (readonly (string | number | bigint | null | undefined)[])[]): string {
  const lines = [header.map(csvField).join(','), ...rows.map((r) => r.map(csvField).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
