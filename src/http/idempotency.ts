// The Idempotency-Key header of creating POSTs: the client names the action so that a retry (after a timeout or a
// dropped connection) repeats nothing. The key goes to the use-case, which stores it with what it created; the same
// key with a different request is refused IDEMPOTENCY_CONFLICT (409).
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_KEY_CHARS_MAX = 200;

/** 1–200 printable ASCII characters, no leading or trailing space (e.g. a UUID). */
export const idempotencyKey = z
  .string()
  .min(1, 'is required')
  .max(IDEMPOTENCY_KEY_CHARS_MAX, `must be at most ${IDEMPOTENCY_KEY_CHARS_MAX} characters`)
  .regex(/^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/, 'must be printable ASCII without leading or trailing spaces')
  .describe('a client-chosen key naming this action (e.g. a UUID); a retry with the same key repeats nothing');

/** The `headers` schema of a creating POST; extend it when the route reads other headers. */
export const idempotencyHeaders = z.object({ [IDEMPOTENCY_KEY_HEADER]: idempotencyKey });

/** The validated key of a request whose route declared `headers: idempotencyHeaders`. */
export function idempotencyKeyOf(request: FastifyRequest<{ Headers: z.infer<typeof idempotencyHeaders> }>): string {
  return request.headers[IDEMPOTENCY_KEY_HEADER];
}
