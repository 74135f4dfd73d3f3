// Table types for Kysely. Quantities, serials and sequence numbers are bigint on both engines;
// times are ISO-8601 UTC text so that both engines store and compare them the same way.
import type { Generated } from 'kysely';

export interface JurisdictionTable {
  id: string;
  code: string;
  name_en: string;
  name_ja: string;
  time_zone: string;
  fy_start_month: number;
  serial_prefix: string;
  serial_next: Generated<bigint>;
  journal_seq: Generated<bigint>;
  journal_head: string;
  ledger_version: Generated<bigint>;
  created_at: string;
}

export interface AccountTable {
  id: string;
  jurisdiction_id: string;
  number: string;
  type: string;
  holder: string;
  facility_id: string | null;
  status: Generated<string>;
  created_at: string;
}

export interface UnitTypeTable {
  id: string;
  jurisdiction_id: string;
  code: string;
  kind: string;
  issuing_jurisdiction: string;
  vintage: number | null;
  originating_facility_id: string | null;
  issued_t: Generated<bigint>;
  created_at: string;
}

export interface UnitBlockTable {
  jurisdiction_id: string;
  account_id: string;
  unit_type_id: string;
  serial_start: bigint;
  serial_end: bigint;
}

export interface BalanceTable {
  account_id: string;
  unit_type_id: string;
  jurisdiction_id: string;
  quantity_t: bigint;
}

export interface TransactionTable {
  id: string;
  jurisdiction_id: string;
  type: string;
  status: string;
  idempotency_key: string;
  request_hash: string;
  unit_type_id: string;
  quantity_t: bigint;
  from_account_id: string | null;
  to_account_id: string | null;
  reverses_tx_id: string | null;
  proposed_by: string;
  approved_by: string | null;
  decided_by: string | null;
  reason: string | null;
  proposed_at: string;
  approved_at: string | null;
  decided_at: string | null;
  completed_at: string | null;
  journal_seq: bigint | null;
}

export interface JournalTable {
  jurisdiction_id: string;
  seq: bigint;
  tx_id: string;
  prev_hash: string;
  hash: string;
  body: string;
}

export interface ProgramTable {
  jurisdiction_id: string;
  version: string;
  program_id: string;
  kind: string;
  definition: string;
  adopted_at: string;
}

export interface FacilityTable {
  id: string;
  jurisdiction_id: string;
  code: string;
  name: string;
  owner: string;
  category: string | null;
  use_type: string;
  floor_area_m2: bigint | null;
  address: string | null;
  city: string | null;
  country: string | null;
  status: Generated<string>;
  account_id: string | null;
  created_at: string;
}

export interface FacilityStatusHistoryTable {
  facility_id: string;
  seq: number;
  fiscal_year: number;
  status: string;
  reason: string;
  recorded_at: string;
  recorded_by: string;
}

export interface FacilityReliefTable {
  facility_id: string;
  period: number;
  relief_code: string;
  granted_at: string;
  granted_by: string;
}

export interface VerificationAgencyTable {
  id: string;
  jurisdiction_id: string;
  name: string;
  categories: string;
  registered_at: string;
}

export interface FacilityVerifierTable {
  facility_id: string;
  from_fiscal_year: number;
  agency_id: string;
  assigned_at: string;
}

export interface ReportTable {
  id: string;
  jurisdiction_id: string;
  facility_id: string;
  fiscal_year: number;
  version: number;
  status: string;
  coe_l: Generated<bigint>;
  emissions_kg: Generated<bigint>;
  created_at: string;
  created_by: string;
  submitted_at: string | null;
  verified_at: string | null;
  verified_by: string | null;
  agency_id: string | null;
  accepted_at: string | null;
  accepted_by: string | null;
  returned_at: string | null;
  returned_reason: string | null;
  corrects_report_id: string | null;
}

export interface ReportLineTable {
  report_id: string;
  line_no: number;
  kind: string;
  source: string;
  quantity: string;
  unit: string;
  coe_l: bigint;
  co2_kg: bigint;
}

export interface BaseYearTable {
  id: string;
  facility_id: string;
  first_fiscal_year: number;
  last_fiscal_year: number;
  base_kg: bigint;
  base_t: bigint;
  status: string;
  reason: string;
  chosen_at: string;
  chosen_by: string;
}

export interface RecalculationRequestTable {
  id: string;
  facility_id: string;
  reason: string;
  floor_area_before_m2: bigint | null;
  floor_area_after_m2: bigint | null;
  use_before: string | null;
  use_after: string | null;
  change_ppm: bigint;
  status: string;
  requested_at: string;
  requested_by: string;
  decided_at: string | null;
  decided_by: string | null;
}

export interface CreditApplicationTable {
  id: string;
  jurisdiction_id: string;
  facility_id: string;
  period: number;
  credit_type: string;
  quantity_t: bigint;
  status: string;
  evidence: string;
  applied_at: string;
  applied_by: string;
  decided_at: string | null;
  decided_by: string | null;
  reason: string | null;
  tx_id: string | null;
}

export interface ComplianceSurrenderTable {
  tx_id: string;
  facility_id: string;
  period: number;
  fiscal_year: number | null;
  recorded_at: string;
}

export interface ComplianceResultTable {
  jurisdiction_id: string;
  facility_id: string;
  period: number;
  fiscal_year: number;
  emissions_t: bigint | null;
  cap_t: bigint | null;
  obligation_t: bigint | null;
  allocated_t: bigint | null;
  surrendered_t: bigint | null;
  surrendered_by_kind: string | null;
  shortfall_t: bigint | null;
  position_t: bigint | null;
  status: string;
  note: string | null;
  computed_at: string;
}

// Authentication (migration 0003_auth; docs/security.md).
export interface UserTable {
  id: string;
  login: string;
  email: string;
  display_name: string;
  password_hash: string;
  status: Generated<string>;
  locale: Generated<string>;
  created_at: string;
  created_by: string;
  password_changed_at: string;
}

export interface TotpSecretTable {
  id: string;
  user_id: string;
  state: string;
  secret_sealed: string;
  last_used_step: bigint | null;
  created_at: string;
  confirmed_at: string | null;
}

export interface RecoveryCodeTable {
  id: string;
  user_id: string;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface SessionTable {
  id: string;
  user_id: string;
  token_hash: string;
  csrf_hash: string;
  stage: string;
  created_at: string;
  last_seen_at: string;
  idle_expires_at: string;
  expires_at: string;
  rotated_from: string | null;
  ended_at: string | null;
  end_reason: string | null;
  address: string | null;
  user_agent: string | null;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  scopes: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SignInAttemptTable {
  id: string;
  login: string;
  address: string;
  attempted_at: string;
  kind: string;
  outcome: string;
}

// ---- access control and audit (0004_access_audit) ----

export interface RoleAssignmentTable {
  id: string;
  user_id: string;
  role: string;
  jurisdiction_id: string;
  account_id: string | null;
  granted_by: string;
  granted_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface AccountRepresentativeTable {
  id: string;
  jurisdiction_id: string;
  account_id: string;
  user_id: string;
  rights: string;
  added_by: string;
  added_at: string;
  removed_at: string | null;
  removed_by: string | null;
}

export interface TrustedAccountTable {
  id: string;
  jurisdiction_id: string;
  account_id: string;
  trusted_account_id: string;
  added_by: string;
  added_at: string;
  active_from: string;
  removed_at: string | null;
  removed_by: string | null;
}

export interface TransactionHoldTable {
  tx_id: string;
  jurisdiction_id: string;
  execute_after: string;
  delay_rule: string | null;
  created_at: string;
  closed_at: string | null;
  outcome: string | null;
  outcome_code: string | null;
}

export interface AuditEventTable {
  id: string;
  jurisdiction_id: string | null;
  at: string;
  actor: string;
  actor_kind: string;
  token_id: string | null;
  action: string;
  object_type: string;
  object_id: string;
  before_json: string | null;
  after_json: string | null;
  address: string | null;
  user_agent: string | null;
}

/** A verifier user's membership of a verification agency (0006_agency_verifiers). */
export interface AgencyVerifierTable {
  agency_id: string;
  user_id: string;
  added_at: string;
  added_by: string;
}

/** A creating POST's first response per (actor, Idempotency-Key) (0005_idempotency); status_code null: still running. */
export interface IdempotencyKeyTable {
  actor_id: string;
  idempotency_key: string;
  method: string;
  route: string;
  fingerprint: string;
  // bigint on SQLite (safe integers), number on PostgreSQL.
  status_code: number | bigint | null;
  response_body: string | null;
  created_at: string;
}

export interface Schema {
  jurisdictions: JurisdictionTable;
  accounts: AccountTable;
  unit_types: UnitTypeTable;
  unit_blocks: UnitBlockTable;
  balances: BalanceTable;
  transactions: TransactionTable;
  journal: JournalTable;
  programs: ProgramTable;
  facilities: FacilityTable;
  facility_status_history: FacilityStatusHistoryTable;
  facility_reliefs: FacilityReliefTable;
  verification_agencies: VerificationAgencyTable;
  facility_verifiers: FacilityVerifierTable;
  reports: ReportTable;
  report_lines: ReportLineTable;
  base_years: BaseYearTable;
  recalculation_requests: RecalculationRequestTable;
  credit_applications: CreditApplicationTable;
  compliance_surrenders: ComplianceSurrenderTable;
  compliance_results: ComplianceResultTable;
  // access control and audit (0004_access_audit)
  role_assignments: RoleAssignmentTable;
  account_representatives: AccountRepresentativeTable;
  trusted_accounts: TrustedAccountTable;
  transaction_holds: TransactionHoldTable;
  audit_events: AuditEventTable;
  users: UserTable;
  totp_secrets: TotpSecretTable;
  recovery_codes: RecoveryCodeTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  sign_in_attempts: SignInAttemptTable;
  // HTTP idempotency (0005_idempotency)
  idempotency_keys: IdempotencyKeyTable;
  // Verifiers' agencies (0006_agency_verifiers)
  agency_verifiers: AgencyVerifierTable;
}
