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

export interface Schema {
  jurisdictions: JurisdictionTable;
  accounts: AccountTable;
  unit_types: UnitTypeTable;
  unit_blocks: UnitBlockTable;
  balances: BalanceTable;
  transactions: TransactionTable;
  journal: JournalTable;
}
