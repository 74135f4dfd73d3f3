// Administration: users, role assignments, the audit log and the complete-due job. Reading is for the authority
// (role.read, audit.read: administrators and officers), changing users and roles for administrators (role.manage);
// the delay job for those who approve authority transactions (authority_tx.approve). ADMIN_PATH_EXAMPLES: an
// assignment id that need not exist (403 without standing, else 404).
import { only, type Matrix } from './types.js';

export const ADMIN_PATH_EXAMPLES = { assignmentId: '01890000-0000-7000-8000-000000000002' } as const;

const AUTHORITY = only('authority_admin', 'authority_officer');
const ADMINISTRATOR = only('authority_admin');

export const ADMIN: Matrix = {
  'GET /api/v1/jurisdictions/{code}/users': AUTHORITY,
  'POST /api/v1/jurisdictions/{code}/users': ADMINISTRATOR,
  'GET /api/v1/jurisdictions/{code}/role-assignments': AUTHORITY,
  'POST /api/v1/jurisdictions/{code}/role-assignments': ADMINISTRATOR,
  'DELETE /api/v1/jurisdictions/{code}/role-assignments/{assignmentId}': ADMINISTRATOR,
  'GET /api/v1/jurisdictions/{code}/audit-events': AUTHORITY,
  'GET /api/v1/jurisdictions/{code}/audit-events/export': AUTHORITY,
  'POST /api/v1/jurisdictions/{code}/jobs/complete-due': AUTHORITY,
};
