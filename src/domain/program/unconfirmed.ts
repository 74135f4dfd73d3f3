// Lists the values of a definition that its sources could not confirm, so an adopting city knows what to check.
import { formatPath, type ProgramDefinition, type Provenance } from './schema.js';

export interface UnconfirmedValue {
  /** Path of the object the provenance belongs to, e.g. `categories[1].factors[2]`. */
  readonly path: string;
  readonly source: string;
  readonly note?: string;
}

function isProvenance(v: unknown): v is Provenance {
  return typeof v === 'object' && v !== null && 'status' in v && 'source' in v;
}

/** Every object carrying `provenance.status: 'unconfirmed'`, in document order. */
export function unconfirmedValues(program: ProgramDefinition): UnconfirmedValue[] {
  const out: UnconfirmedValue[] = [];
  const walk = (value: unknown, path: PropertyKey[]): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        walk(v, [...path, i]);
      });
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, v] of Object.entries(value)) {
      if (key === 'provenance' && isProvenance(v)) {
        if (v.status === 'unconfirmed') out.push(v.note === undefined ? { path: formatPath(path), source: v.source } : { path: formatPath(path), source: v.source, note: v.note });
      } else {
        walk(v, [...path, key]);
      }
    }
  };
  walk(program, []);
  return out;
}
