// Facilities, reports, base years, credits, surrender, compliance runs and program adoption: every route signed in,
// allowed by the PERMISSIONS table (src/domain/access/permissions.ts) for the principals' standing in TOKYO
// (test/http/support/principals.ts), against the fixture's facility T-101.
import { only, type Matrix } from './types.js';

const ADMIN = only('authority_admin');
const AUTHORITY = only('authority_admin', 'authority_officer');
const OPERATOR = only('facility_operator');
/** facility.read and report.read: the authority, the facility's operator, verifiers. */
const READERS = only('authority_admin', 'authority_officer', 'facility_operator', 'verifier');

export const REPORTING: Matrix = {
  'POST /api/v1/jurisdictions/{code}/facilities': only('authority_admin', 'facility_operator'),
  'GET /api/v1/jurisdictions/{code}/my-facilities': READERS,
  'GET /api/v1/jurisdictions/{code}/facilities/{facility}': READERS,
  'POST /api/v1/jurisdictions/{code}/facilities/{facility}/designations': ADMIN,
  'POST /api/v1/jurisdictions/{code}/facilities/{facility}/reliefs': ADMIN,
  'POST /api/v1/jurisdictions/{code}/verification-agencies': ADMIN,
  'GET /api/v1/jurisdictions/{code}/verification-agencies/{agencyId}/verifiers': ADMIN,
  'POST /api/v1/jurisdictions/{code}/verification-agencies/{agencyId}/verifiers': ADMIN,
  'DELETE /api/v1/jurisdictions/{code}/verification-agencies/{agencyId}/verifiers/{userId}': ADMIN,
  'POST /api/v1/jurisdictions/{code}/facilities/{facility}/verifier-assignments': ADMIN,
  'POST /api/v1/jurisdictions/{code}/facilities/{facility}/reports': OPERATOR,
  'GET /api/v1/jurisdictions/{code}/facilities/{facility}/reports': READERS,
  'GET /api/v1/jurisdictions/{code}/reports/{reportId}': READERS,
  'PUT /api/v1/jurisdictions/{code}/reports/{reportId}/lines': OPERATOR,
  'POST /api/v1/jurisdictions/{code}/reports/{reportId}/submit': OPERATOR,
  'POST /api/v1/jurisdictions/{code}/reports/{reportId}/verify': only('verifier'),
  'POST /api/v1/jurisdictions/{code}/reports/{reportId}/accept': AUTHORITY,
  'POST /api/v1/jurisdictions/{code}/reports/{reportId}/return': only('authority_admin', 'authority_officer', 'verifier'),
  'POST /api/v1/jurisdictions/{code}/reports/{reportId}/corrections': OPERATOR,
  'POST /api/v1/jurisdictions/{code}/facilities/{facility}/base-year': OPERATOR,
  'POST /api/v1/jurisdictions/{code}/facilities/{facility}/recalculation-requests': OPERATOR,
  'POST /api/v1/jurisdictions/{code}/recalculation-requests/{requestId}/decision': AUTHORITY,
  'POST /api/v1/jurisdictions/{code}/facilities/{facility}/credit-applications': OPERATOR,
  'GET /api/v1/jurisdictions/{code}/credit-applications/{applicationId}': only('authority_admin', 'authority_officer', 'facility_operator'),
  'POST /api/v1/jurisdictions/{code}/credit-applications/{applicationId}/approve': AUTHORITY,
  'POST /api/v1/jurisdictions/{code}/credit-applications/{applicationId}/reject': AUTHORITY,
  'POST /api/v1/jurisdictions/{code}/facilities/{facility}/surrenders': only('facility_operator', 'authorized_representative'),
  'POST /api/v1/jurisdictions/{code}/compliance/{period}/run': ADMIN,
  'GET /api/v1/jurisdictions/{code}/compliance/{period}/report': AUTHORITY,
  'POST /api/v1/jurisdictions/{code}/programs': ADMIN,
};
