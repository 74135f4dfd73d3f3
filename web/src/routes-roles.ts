// Pages for signed-in roles: facility operator (my facilities, reports, base years, compliance, holdings), authorized
// representative (approval queue), verifier (assigned reports) and authority (facilities, reports, credits,
// compliance runs, audit log, users and roles, the program). The navigation shows each to the roles it is for in the
// current jurisdiction; the server decides every action whatever the page shows.
import { lazy } from 'react';
import type { RouteDef } from './router';

const AUTHORITY = ['authority_admin', 'authority_officer'];

export const roleRoutes: readonly RouteDef[] = [
  { path: '/operator', page: lazy(() => import('./pages/roles/operator/MyFacilities')), nav: { labelKey: 'roles:nav.myFacilities', roles: ['facility_operator'] }, signedIn: true },
  { path: '/operator/:facility', page: lazy(() => import('./pages/roles/operator/FacilityPage')), signedIn: true },
  { path: '/operator/:facility/reports/new', page: lazy(() => import('./pages/roles/operator/ReportForm')), signedIn: true },
  { path: '/reports/:reportId', page: lazy(() => import('./pages/roles/operator/ReportPage')), signedIn: true },
  { path: '/holdings', page: lazy(() => import('./pages/roles/operator/Holdings')), nav: { labelKey: 'roles:nav.holdings', roles: ['facility_operator', 'trader', 'authorized_representative'] }, signedIn: true },
  { path: '/approvals', page: lazy(() => import('./pages/roles/representative/Approvals')), nav: { labelKey: 'roles:nav.approvals', roles: ['authorized_representative'] }, signedIn: true },
  { path: '/verification', page: lazy(() => import('./pages/roles/verifier/VerifierQueue')), nav: { labelKey: 'roles:nav.verification', roles: ['verifier'] }, signedIn: true },
  { path: '/authority', page: lazy(() => import('./pages/roles/authority/AuthorityHome')), nav: { labelKey: 'roles:nav.authority', roles: AUTHORITY }, signedIn: true },
  { path: '/authority/facilities', page: lazy(() => import('./pages/roles/authority/Facilities')), signedIn: true },
  { path: '/authority/facilities/:facility', page: lazy(() => import('./pages/roles/operator/FacilityPage')), signedIn: true },
  { path: '/authority/reports', page: lazy(() => import('./pages/roles/verifier/VerifierQueue')), signedIn: true },
  { path: '/authority/credits', page: lazy(() => import('./pages/roles/authority/Credits')), signedIn: true },
  { path: '/authority/compliance', page: lazy(() => import('./pages/roles/authority/Compliance')), signedIn: true },
  { path: '/authority/audit', page: lazy(() => import('./pages/roles/authority/Audit')), signedIn: true },
  { path: '/authority/users', page: lazy(() => import('./pages/roles/authority/Users')), signedIn: true },
  { path: '/authority/program', page: lazy(() => import('./pages/roles/authority/Program')), signedIn: true },
];
