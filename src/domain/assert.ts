// Invariant assertions. A failure here is a bug in citycap, never a user error.

export class InvariantError extends Error {
  override name = 'InvariantError';
}

export function assert(condition: unknown, invariant: string): asserts condition {
  if (!condition) throw new InvariantError(`invariant violated: ${invariant}`);
}
