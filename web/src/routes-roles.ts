// Pages for signed-in roles: facility operator, representative, verifier, authority.
import type { RouteDef } from './router';

export const roleRoutes: readonly RouteDef[] = [];
