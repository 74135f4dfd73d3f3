// Output helpers shared by the CLI commands: JSON with bigints as strings, and exits with a reason.
import { InvalidArgumentError } from 'commander';
import { RefusedError } from '../domain/errors.js';

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Exit codes: 0 all holds, 1 the check failed (e.g. the ledger does not verify), 2 bad input or refusal. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function reportError(error: unknown): number {
  if (error instanceof RefusedError) {
    console.error(`citycap: refused (${error.refusal.code}) ${error.message}`);
    return EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    console.error(`citycap: ${error.message}`);
    return EXIT_USAGE;
  }
  console.error(`citycap: ${error instanceof Error ? error.message : String(error)}`);
  return EXIT_FAILED;
}

/** Parses a whole-number option within bounds, naming the option in the error. */
export function intOption(name: string, min: number, max: number): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number.`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}.`);
    return n;
  };
}
