// Public and sign-in pages (owned by the public/sign-in part of the web app).
import { lazy } from 'react';
import type { RouteDef } from './router';

export const publicRoutes: readonly RouteDef[] = [
  { path: '/', page: lazy(() => import('./pages/Home')) },
];
