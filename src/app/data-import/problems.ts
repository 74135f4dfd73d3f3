// What is wrong with an imported file, cell by cell. Every problem names its place (sheet, row, column and the
// cell address a spreadsheet shows, e.g. `Lines!C7`), the value found there and the rule it breaks, so that a city
// official can fix them all in one pass: `Lines!C7 "-5": the quantity must not be negative (NEGATIVE_QUANTITY)`.
// A file with any problem is refused whole (ImportRefusedError); nothing of it is written.
import { RefusedError, refusal } from '../../domain/errors.js';

/** Problems kept for one file; beyond this the list says how many more there were. */
export const PROBLEMS_MAX = 1000;
/** Characters of a cell value repeated in a problem. */
const VALUE_CHARS_MAX = 60;

export interface Problem {
  /** The worksheet; null for a CSV file (it has one table). */
  readonly sheet: string | null;
  /** 1-based row as a spreadsheet shows it (a CSV's header is row 1); null for the file as a whole. */
  readonly row: number | null;
  /** The column's name in the file's header (`quantity`), or null. */
  readonly column: string | null;
  /** The cell address (`C7`), or null when the problem is about a row, a column or the file. */
  readonly cell: string | null;
  /** The value found, as text (clipped), or null. */
  readonly value: string | null;
  /** Stable code of the rule (NEGATIVE_QUANTITY, UNKNOWN_SOURCE, FORMULA_CELL …). */
  readonly code: string;
  readonly message: string;
}

/** Where a problem is: the parts of Problem other than the rule. */
export type Place = Pick<Problem, 'sheet' | 'row' | 'column' | 'cell'>;

export const FILE_PLACE: Place = { sheet: null, row: null, column: null, cell: null };

/** A spreadsheet column's letters: 1 → A, 27 → AA. */
export function columnLetters(column: number): string {
  let n = column;
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

export function cellPlace(sheet: string | null, row: number, column: number, name: string | null): Place {
  return { sheet, row, column: name, cell: `${columnLetters(column)}${row}` };
}

/** `Lines!C7 "-5": the quantity must not be negative (NEGATIVE_QUANTITY)` */
export function formatProblem(p: Problem): string {
  const where = p.cell ?? (p.row !== null ? `row ${p.row}` : p.column !== null ? `column ${p.column}` : '');
  const at = where === '' ? (p.sheet ?? '') : p.sheet === null ? where : `${p.sheet}!${where}`;
  const value = p.value === null ? '' : ` ${JSON.stringify(p.value)}`;
  const head = `${at}${value}`;
  return `${head === '' ? '' : `${head}: `}${p.message} (${p.code})`;
}

/** The problems of one file, bounded: after PROBLEMS_MAX only the count grows. */
export class ProblemList {
  readonly items: Problem[] = [];
  private dropped = 0;
  /** One problem per place and rule: two checks that find the same thing say it once. */
  private readonly seen = new Set<string>();

  add(place: Place, value: string | null, code: string, message: string): void {
    if (this.items.length >= PROBLEMS_MAX) {
      this.dropped++; // beyond the list only the count grows (duplicates included)
      return;
    }
    const key = `${place.sheet ?? ''}|${place.cell ?? `${place.row ?? ''}:${place.column ?? ''}`}|${code}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const shown = value === null ? null : value.length > VALUE_CHARS_MAX ? `${value.slice(0, VALUE_CHARS_MAX)}…` : value;
    this.items.push({ ...place, value: shown, code, message });
  }

  get count(): number {
    return this.items.length + this.dropped;
  }

  get full(): boolean {
    return this.items.length >= PROBLEMS_MAX;
  }

  /** Refuses the file when anything was found. */
  throwIfAny(): void {
    if (this.count > 0) throw new ImportRefusedError(this.items, this.count);
  }
}

/** Problems shown in the message itself (all of them are in `problems`). */
const IN_MESSAGE = 3;

/**
 * A file refused with every problem found. A RefusedError (code IMPORT_INVALID, field `file`), so that every edge
 * that reports refusals reports this one too; the HTTP route adds `problems` beside the usual error body.
 */
export class ImportRefusedError extends RefusedError {
  override name = 'ImportRefusedError';
  readonly problems: readonly Problem[];

  constructor(
    problems: readonly Problem[],
    /** Problems found, including those beyond PROBLEMS_MAX that are not listed. */
    readonly total: number = problems.length,
  ) {
    // Messages are clauses ("…: the quantity must not be negative (CODE)"): no final full stop.
    const listed = problems.map((p) => (p.message.endsWith('.') ? { ...p, message: p.message.slice(0, -1) } : p));
    const shown = listed.slice(0, IN_MESSAGE).map(formatProblem).join('; ');
    const more = total > IN_MESSAGE ? `; and ${total - IN_MESSAGE} more` : '';
    super(refusal('IMPORT_INVALID', `The file was refused: ${total} problem${total === 1 ? '' : 's'}: ${shown}${more}. Nothing was imported.`, 'file'));
    this.problems = listed;
  }
}

/** Refuses a whole file for one reason (too large, not a spreadsheet, macros …). */
export function refuseFile(code: string, message: string): never {
  throw new ImportRefusedError([{ ...FILE_PLACE, value: null, code, message }]);
}
