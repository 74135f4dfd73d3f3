// Accounts, holdings, unit types, transactions, trusted lists and representatives: every route signed in, allowed
// by the PERMISSIONS table (src/domain/access/permissions.ts) for the principals' standing in TOKYO
// (test/http/support/principals.ts: the authority roles, verifier and trader over the jurisdiction; the facility
// operator and the authorized representative also represent, initiate and approve, every facility account), against
// the fixture's facility account TOKYO-200-1 (REGISTRY_PATH_EXAMPLES). A transaction id that does not exist is
// refused 403 to whoever has no standing for the action in TOKYO, and 404 to the others.
import { only, type Matrix } from './types.js';

/** Path parameters of these routes for the matrix and the fuzzer (accounts by number; ids that need not exist). */
export const REGISTRY_PATH_EXAMPLES = {
  accountId: 'TOKYO-200-1',
  trustedAccountId: 'TOKYO-200-2',
  txId: '01890000-0000-7000-8000-000000000000',
  userId: '01890000-0000-7000-8000-000000000001',
} as const;

/** account.read, transaction.read, trusted_list.read: the authority and every account reader (not verifiers). */
const READERS = only('authority_admin', 'authority_officer', 'facility_operator', 'authorized_representative', 'trader');
/** Representatives with the right to initiate (the operator represents the facility accounts too). */
const INITIATORS = only('facility_operator', 'authorized_representative');

export const REGISTRY: Matrix = {
  'GET /api/v1/jurisdictions/{code}/accounts': READERS,
  'GET /api/v1/jurisdictions/{code}/accounts/{accountId}': READERS,
  'GET /api/v1/jurisdictions/{code}/accounts/{accountId}/blocks': READERS,
  'GET /api/v1/jurisdictions/{code}/unit-types': only('authority_admin', 'authority_officer', 'facility_operator', 'authorized_representative', 'verifier', 'trader'),
  'GET /api/v1/jurisdictions/{code}/transactions': READERS,
  'GET /api/v1/jurisdictions/{code}/transactions/{txId}': READERS,
  // transaction.propose (representatives who may initiate) or authority_tx.propose (administrator).
  'POST /api/v1/jurisdictions/{code}/transactions': only('authority_admin', 'facility_operator', 'authorized_representative'),
  // transaction.approve (representatives who may approve) or authority_tx.approve (administrators and officers).
  'POST /api/v1/jurisdictions/{code}/transactions/{txId}/approve': only('authority_admin', 'authority_officer', 'facility_operator', 'authorized_representative'),
  'POST /api/v1/jurisdictions/{code}/transactions/{txId}/reject': only('authority_admin', 'authority_officer', 'facility_operator', 'authorized_representative'),
  // transaction.cancel: representatives and the administrator.
  'POST /api/v1/jurisdictions/{code}/transactions/{txId}/cancel': only('authority_admin', 'facility_operator', 'authorized_representative'),
  'GET /api/v1/jurisdictions/{code}/accounts/{accountId}/trusted-accounts': READERS,
  'POST /api/v1/jurisdictions/{code}/accounts/{accountId}/trusted-accounts': INITIATORS,
  'DELETE /api/v1/jurisdictions/{code}/accounts/{accountId}/trusted-accounts/{trustedAccountId}': only('authority_admin', 'facility_operator', 'authorized_representative'),
  'GET /api/v1/jurisdictions/{code}/accounts/{accountId}/representatives': READERS,
  'POST /api/v1/jurisdictions/{code}/accounts/{accountId}/representatives': only('authority_admin'),
  'DELETE /api/v1/jurisdictions/{code}/accounts/{accountId}/representatives/{userId}': only('authority_admin'),
};
