// Types and helpers for the authorization matrix (see test/http/openapi.test.ts).
import { PRINCIPALS, type Principal } from '../support/principals.js';

export type Expect = 'allow' | 'deny';
export type Row = Readonly<Record<Principal, Expect>>;
export type Matrix = Readonly<Record<string, Row>>;

export const everyone: Row = Object.fromEntries(PRINCIPALS.map((p) => [p, 'allow'])) as Record<Principal, Expect>;

/** A row that allows exactly the listed principals and denies everyone else. */
export function only(...allowed: Principal[]): Row {
  return Object.fromEntries(PRINCIPALS.map((p) => [p, allowed.includes(p) ? 'allow' : 'deny'])) as Record<Principal, Expect>;
}
