// Public disclosure routes: everyone may read them.
import { everyone, type Matrix } from './types.js';

export const PUBLIC: Matrix = {
  'GET /': everyone,
  'GET /status': everyone,
  'GET /api/v1/health': everyone,
  'GET /api/v1/jurisdictions': everyone,
  'GET /api/v1/jurisdictions/{code}/program': everyone,
  'GET /api/v1/jurisdictions/{code}/facilities': everyone,
  'GET /api/v1/jurisdictions/{code}/compliance/{period}': everyone,
  'GET /api/v1/jurisdictions/{code}/disclosure/facilities': everyone,
  'GET /api/v1/jurisdictions/{code}/disclosure/facilities/{facility}': everyone,
  'GET /api/v1/jurisdictions/{code}/disclosure/summary': everyone,
  'GET /api/v1/ledger/verification': everyone,
  'GET /api/v1/jurisdictions/{code}/ledger/verification': everyone,
  'POST /api/v1/jurisdictions/{code}/ledger/verification': everyone,
  'GET /api/v1/ledger/stats': everyone,
};
