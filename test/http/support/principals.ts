// Who the authorization matrix sends requests as. Anonymous sends no credentials. The signed-in roles need real
// sign-in (sessions or API tokens from the auth use-cases): until that exists, `signInAs` has no way to produce
// credentials and says so — a signed-in route in the matrix then fails loudly instead of being skipped.
import type { FastifyInstance } from 'fastify';
import { ROLES } from '../../../src/http/plugins/authenticate.js';

export const PRINCIPALS = ['anonymous', ...ROLES] as const;
export type Principal = (typeof PRINCIPALS)[number];

/**
 * Request headers that authenticate as `principal` on `app`, or undefined when this harness cannot sign in yet.
 * WIRE-UP POINT for the auth work: create a user with the role (scoped to the fixture's jurisdiction and accounts),
 * sign in (or mint an API token) through the real routes, and return { cookie, 'x-csrf-token' } or { authorization }.
 */
export function signInAs(_app: FastifyInstance, principal: Principal): Promise<Record<string, string> | undefined> {
  return Promise.resolve(principal === 'anonymous' ? {} : undefined);
}
