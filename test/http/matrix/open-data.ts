// Open data: the dictionary, catalogues, downloads and the transaction log are public; a facility's annual summary
// PDF is for the authority and the facility's operator (rule SUMMARY_READERS: not verifiers, traders or other
// representatives), checked before the request is validated.
import { everyone, only, type Matrix } from './types.js';

export const OPEN_DATA: Matrix = {
  'GET /api/v1/open-data/dictionary': everyone,
  'GET /api/v1/jurisdictions/{code}/open-data': everyone,
  'GET /api/v1/jurisdictions/{code}/open-data/{table}': everyone,
  'GET /api/v1/jurisdictions/{code}/transaction-log': everyone,
  'GET /api/v1/jurisdictions/{code}/facilities/{facility}/annual-summary': only('authority_admin', 'authority_officer', 'facility_operator'),
};
