// Data in and out as files (src/http/routes/data-import.ts): the report template, an operator's upload, bulk imports
// of reports (accepted history: the administrator; drafts: operators) and of facilities, a facility's export. Each
// route's preParsing gate asks the PERMISSIONS table before the file is read.
import { only, type Matrix } from './types.js';

const OPERATOR = only('facility_operator');
/** report.read: the authority, the facility's operator, verifiers. */
const READERS = only('authority_admin', 'authority_officer', 'facility_operator', 'verifier');

export const DATA_IMPORT: Matrix = {
  'GET /api/v1/jurisdictions/{code}/facilities/{facility}/report-template': OPERATOR,
  'POST /api/v1/jurisdictions/{code}/facilities/{facility}/report-uploads': OPERATOR,
  // program.configure (accepted history) or report.submit (drafts)
  'POST /api/v1/jurisdictions/{code}/imports/reports': only('authority_admin', 'facility_operator'),
  // facility.register, as POST /facilities
  'POST /api/v1/jurisdictions/{code}/imports/facilities': only('authority_admin', 'facility_operator'),
  'GET /api/v1/jurisdictions/{code}/facilities/{facility}/reports/export': READERS,
};
