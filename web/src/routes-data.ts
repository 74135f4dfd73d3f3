// Pages for data in as files: the operator's report upload (Excel template in, draft report out) and bulk imports
// of facilities and reports (the authority; operators for drafts). The server decides who may do what whatever the page shows.
import { lazy } from 'react';
import type { RouteDef } from './router';

export const dataRoutes: readonly RouteDef[] = [
  { path: '/data/report-upload', page: lazy(() => import('./pages/data/ReportUpload')), nav: { labelKey: 'data:nav.upload', roles: ['facility_operator'] }, signedIn: true },
  { path: '/data/import', page: lazy(() => import('./pages/data/BulkImport')), nav: { labelKey: 'data:nav.import', roles: ['authority_admin', 'facility_operator'] }, signedIn: true },
];
