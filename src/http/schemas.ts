// Schemas shared by every route: the error body, big integers as decimal strings, and path parameters.
import { z } from 'zod';

/** A bigint in JSON: a decimal string, exact beyond 2^53 (ARCHITECTURE principle 4). */
export const bigintString = z.string().regex(/^-?\d{1,40}$/).describe('an integer written as a decimal string');

export const bigintOrNull = bigintString.nullable();

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().describe('stable machine-readable code, e.g. INVALID_REQUEST, UNKNOWN_JURISDICTION'),
      message: z.string().describe('for people'),
      field: z.string().optional().describe('the request field the error concerns'),
    }),
  })
  .describe('Every error response has this shape.');
export type ErrorBody = z.infer<typeof errorBody>;

/** The error responses every /api/v1 route may give; spread into a route's `response`. */
export const errorResponses = {
  400: errorBody.describe('the request is malformed; `field` names the parameter'),
  404: errorBody.describe('no such route or resource'),
  429: errorBody.describe('too many requests; see the Retry-After header'),
  500: errorBody.describe('a bug in citycap; reported with the request id'),
} as const;

/** A jurisdiction code as programs define it (e.g. TKY, SAITAMA). */
export const jurisdictionCode = z
  .string()
  .regex(/^[A-Z][A-Z0-9-]{1,15}$/, 'must be 2–16 capital letters, digits or hyphens')
  .describe('jurisdiction code, e.g. TKY');

export const jurisdictionParams = z.object({ code: jurisdictionCode });
