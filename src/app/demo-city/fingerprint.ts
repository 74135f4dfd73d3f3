// A fingerprint of a jurisdiction's data that does not depend on generated ids or on the moment it was made: the
// same demo seed must give the same fingerprint. Rows are named by their natural keys (facility codes, account
// numbers, unit type codes, user logins) and sorted; secrets (password hashes, sealed TOTP secrets) are left out.
import { createHash } from 'node:crypto';
import type { Database } from '../../store/db.js';
import { canonicalJson } from '../../domain/registry/journal.js';

export async function dataFingerprint(db: Database, jurisdictionCode: string): Promise<string> {
  const k = db.kysely;
  const j = await k.selectFrom('jurisdictions').select(['id', 'code', 'name_en', 'serial_next', 'journal_seq']).where('code', '=', jurisdictionCode).executeTakeFirstOrThrow();
  const facilities = await k.selectFrom('facilities').select(['id', 'code', 'name', 'owner', 'category', 'use_type', 'floor_area_m2', 'address', 'status', 'account_id']).where('jurisdiction_id', '=', j.id).execute();
  const accounts = await k.selectFrom('accounts').select(['id', 'number', 'type', 'holder', 'status']).where('jurisdiction_id', '=', j.id).execute();
  const unitTypes = await k.selectFrom('unit_types').select(['id', 'code', 'kind', 'vintage', 'issued_t', 'originating_facility_id']).where('jurisdiction_id', '=', j.id).execute();
  const users = await k.selectFrom('users').select(['id', 'login', 'display_name', 'status']).execute();
  const code = new Map(facilities.map((f) => [f.id, f.code]));
  const number = new Map(accounts.map((a) => [a.id, a.number]));
  const unit = new Map(unitTypes.map((u) => [u.id, u.code]));
  const login = new Map(users.map((u) => [u.id, u.login]));
  const who = (id: string | null): string | null => (id === null ? null : (login.get(id) ?? id));
  const acct = (id: string | null): string | null => (id === null ? null : (number.get(id) ?? id));
  const agencies = new Map((await k.selectFrom('verification_agencies').select(['id', 'name']).where('jurisdiction_id', '=', j.id).execute()).map((a) => [a.id, a.name]));
  const inFacilities = <T extends { facility_id: string }>(rows: T[]): T[] => rows.filter((r) => code.has(r.facility_id));

  const reports = inFacilities(await k.selectFrom('reports').select(['id', 'facility_id', 'fiscal_year', 'version', 'status', 'coe_l', 'emissions_kg', 'created_by', 'verified_by', 'accepted_by', 'agency_id', 'returned_reason', 'submitted_at', 'accepted_at']).where('jurisdiction_id', '=', j.id).execute());
  const reportKey = new Map(reports.map((r) => [r.id, `${code.get(r.facility_id)}/${r.fiscal_year}/${r.version}`]));
  const lines = (await k.selectFrom('report_lines as l').innerJoin('reports as r', 'r.id', 'l.report_id').select(['l.report_id', 'l.line_no', 'l.source', 'l.quantity', 'l.unit', 'l.coe_l', 'l.co2_kg']).where('r.jurisdiction_id', '=', j.id).execute());
  const bases = inFacilities(await k.selectFrom('base_years').select(['facility_id', 'first_fiscal_year', 'last_fiscal_year', 'base_kg', 'base_t', 'status', 'chosen_by']).execute());
  const history = inFacilities(await k.selectFrom('facility_status_history').select(['facility_id', 'seq', 'fiscal_year', 'status', 'reason']).execute());
  const applications = await k.selectFrom('credit_applications').select(['facility_id', 'period', 'credit_type', 'quantity_t', 'status', 'applied_by', 'decided_by']).where('jurisdiction_id', '=', j.id).execute();
  const txs = await k.selectFrom('transactions').select(['type', 'status', 'unit_type_id', 'quantity_t', 'from_account_id', 'to_account_id', 'proposed_by', 'approved_by', 'journal_seq', 'proposed_at', 'completed_at']).where('jurisdiction_id', '=', j.id).execute();
  const blocks = await k.selectFrom('unit_blocks').select(['account_id', 'unit_type_id', 'serial_start', 'serial_end']).where('jurisdiction_id', '=', j.id).execute();
  const results = await k.selectFrom('compliance_results').select(['facility_id', 'period', 'emissions_t', 'cap_t', 'obligation_t', 'surrendered_t', 'shortfall_t', 'position_t', 'status', 'note']).where('jurisdiction_id', '=', j.id).execute();
  const roles = await k.selectFrom('role_assignments').select(['user_id', 'role', 'account_id', 'revoked_at']).where('jurisdiction_id', '=', j.id).execute();
  const reps = await k.selectFrom('account_representatives').select(['user_id', 'account_id', 'rights', 'removed_at']).where('jurisdiction_id', '=', j.id).execute();

  const sorted = (rows: unknown[][]): unknown[][] => rows.sort((a, b) => (canonicalJson(a) < canonicalJson(b) ? -1 : 1));
  const content = {
    jurisdiction: [j.code, j.name_en, j.serial_next, j.journal_seq],
    facilities: sorted(facilities.map((f) => [f.code, f.name, f.owner, f.category, f.use_type, f.floor_area_m2, f.address, f.status, acct(f.account_id)])),
    accounts: sorted(accounts.map((a) => [a.number, a.type, a.holder, a.status])),
    unitTypes: sorted(unitTypes.map((u) => [u.code, u.kind, u.vintage, u.issued_t, u.originating_facility_id === null ? null : code.get(u.originating_facility_id)])),
    users: sorted(users.map((u) => [u.login, u.display_name, u.status])),
    reports: sorted(reports.map((r) => [reportKey.get(r.id), r.status, r.coe_l, r.emissions_kg, who(r.created_by), who(r.verified_by), who(r.accepted_by), r.agency_id === null ? null : agencies.get(r.agency_id), r.returned_reason, r.submitted_at, r.accepted_at])),
    lines: sorted(lines.filter((l) => reportKey.has(l.report_id)).map((l) => [reportKey.get(l.report_id), l.line_no, l.source, l.quantity, l.unit, l.coe_l, l.co2_kg])),
    bases: sorted(bases.map((b) => [code.get(b.facility_id), b.first_fiscal_year, b.last_fiscal_year, b.base_kg, b.base_t, b.status, who(b.chosen_by)])),
    history: sorted(history.map((h) => [code.get(h.facility_id), h.seq, h.fiscal_year, h.status, h.reason])),
    applications: sorted(applications.map((a) => [code.get(a.facility_id), a.period, a.credit_type, a.quantity_t, a.status, who(a.applied_by), who(a.decided_by)])),
    transactions: sorted(txs.map((t) => [t.journal_seq, t.type, t.status, unit.get(t.unit_type_id), t.quantity_t, acct(t.from_account_id), acct(t.to_account_id), who(t.proposed_by), who(t.approved_by), t.proposed_at, t.completed_at])),
    blocks: sorted(blocks.map((b) => [acct(b.account_id), unit.get(b.unit_type_id), b.serial_start, b.serial_end])),
    results: sorted(results.map((r) => [code.get(r.facility_id), r.period, r.emissions_t, r.cap_t, r.obligation_t, r.surrendered_t, r.shortfall_t, r.position_t, r.status, r.note])),
    roles: sorted(roles.map((r) => [who(r.user_id), r.role, acct(r.account_id), r.revoked_at])),
    representatives: sorted(reps.map((r) => [who(r.user_id), acct(r.account_id), r.rights, r.removed_at])),
  };
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
