// Public and sign-in pages: what anyone may read without signing in (the program, the facility disclosure, emissions
// charts, the ledger's verification), and the sign-in steps. Chart pages load echarts in their own chunks.
import { lazy } from 'react';
import type { RouteDef } from './router';

export const publicRoutes: readonly RouteDef[] = [
  { path: '/', page: lazy(() => import('./pages/Home')) },
  { path: '/program', page: lazy(() => import('./pages/public/Program')), nav: { labelKey: 'public:nav.program', roles: 'public' } },
  { path: '/facilities', page: lazy(() => import('./pages/public/Facilities')), nav: { labelKey: 'public:nav.facilities', roles: 'public' } },
  { path: '/facilities/:code', page: lazy(() => import('./pages/public/FacilityDetail')) },
  { path: '/emissions', page: lazy(() => import('./pages/public/Emissions')), nav: { labelKey: 'public:nav.emissions', roles: 'public' } },
  { path: '/ledger', page: lazy(() => import('./pages/public/Ledger')), nav: { labelKey: 'public:nav.ledger', roles: 'public' } },
  { path: '/sign-in', page: lazy(() => import('./pages/auth/SignIn')) },
  { path: '/account/security', page: lazy(() => import('./pages/auth/Security')), signedIn: true },
];
