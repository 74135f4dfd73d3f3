// The web workspace's reads (src/http/routes/workspace.ts): every route signed in, allowed by the PERMISSIONS table
// for the principals' standing in TOKYO (test/http/support/principals.ts). The facility operator and the authorized
// representative represent every facility account there, so both have an approval queue; the trader represents none
// (the fixture has no general holding accounts) and has none.
import { only, type Matrix } from './types.js';

/** report.verify or report.review held jurisdiction-wide; facility.list: the authority and verifiers. */
const VERIFIERS_AND_AUTHORITY = only('authority_admin', 'authority_officer', 'verifier');

export const WORKSPACE: Matrix = {
  // transaction.approve / transaction.propose (representatives), authority_tx.approve / authority_tx.propose (authority).
  'GET /api/v1/jurisdictions/{code}/workspace/approval-queue': only('authority_admin', 'authority_officer', 'facility_operator', 'authorized_representative'),
  'GET /api/v1/jurisdictions/{code}/workspace/report-queue': VERIFIERS_AND_AUTHORITY,
  'GET /api/v1/jurisdictions/{code}/workspace/verification-agencies': VERIFIERS_AND_AUTHORITY,
  // credit.decide (authority) or credit.apply (operators).
  'GET /api/v1/jurisdictions/{code}/workspace/credit-applications': only('authority_admin', 'authority_officer', 'facility_operator'),
  // facility.read on T-101: the authority, its operator, verifiers.
  'GET /api/v1/jurisdictions/{code}/workspace/facilities/{facility}/compliance': only('authority_admin', 'authority_officer', 'facility_operator', 'verifier'),
  // account.read / account.list: the authority and every account reader.
  'GET /api/v1/jurisdictions/{code}/workspace/holdings': only('authority_admin', 'authority_officer', 'facility_operator', 'authorized_representative', 'trader'),
};
