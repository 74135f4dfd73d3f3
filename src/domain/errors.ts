// Refusals: a business rule said no. Each has a stable code, a message for people, and the field it concerns.

export interface Refusal {
  readonly code: string;
  readonly message: string;
  readonly field?: string;
}

export function refusal(code: string, message: string, field?: string): Refusal {
  return field === undefined ? { code, message } : { code, message, field };
}

/** Thrown at the edges (CLI, HTTP) when input or a rule refuses an action; carries the refusal. */
export class RefusedError extends Error {
  override name = 'RefusedError';
  constructor(readonly refusal: Refusal) {
    super(refusal.field === undefined ? refusal.message : `${refusal.field}: ${refusal.message}`);
  }
}
