// The registry's vocabulary: account types, transaction types and statuses, and the records the ledger keeps.

export const ACCOUNT_TYPES = [
  'authority_issuance',
  'facility_compliance',
  'general_holding',
  'linked_transit',
  'surrender',
  'retirement',
  'cancellation',
] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/** Accounts whose units are someone's holdings and can be moved by their representatives. */
export const HOLDING_ACCOUNT_TYPES: readonly AccountType[] = ['authority_issuance', 'facility_compliance', 'general_holding', 'linked_transit'];

/** Where units end up when they leave circulation; one of each per jurisdiction. */
export const TERMINAL_ACCOUNT_TYPES = ['surrender', 'retirement', 'cancellation'] as const;
export type TerminalAccountType = (typeof TERMINAL_ACCOUNT_TYPES)[number];

export const UNIT_STATUSES = ['held', 'in_transit', 'surrendered', 'retired', 'cancelled'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

export function unitStatusOf(type: AccountType): UnitStatus {
  switch (type) {
    case 'surrender':
      return 'surrendered';
    case 'retirement':
      return 'retired';
    case 'cancellation':
      return 'cancelled';
    case 'linked_transit':
      return 'in_transit';
    default:
      return 'held';
  }
}

/** Unit kinds: allowances, and the credit kinds the programs define. */
export const UNIT_KINDS = [
  'allowance',
  'excess_reduction_credit',
  'small_mid_facility_credit',
  'renewable_energy_credit',
  'outside_credit',
  'linked_credit',
] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export const TX_TYPES = ['issuance', 'transfer', 'surrender', 'retirement', 'cancellation', 'reversal'] as const;
export type TxType = (typeof TX_TYPES)[number];

export const TX_STATUSES = ['proposed', 'approved', 'completed', 'rejected', 'cancelled'] as const;
export type TxStatus = (typeof TX_STATUSES)[number];

export interface Account {
  readonly id: string;
  readonly jurisdictionId: string;
  readonly number: string;
  readonly type: AccountType;
  readonly status: 'open' | 'blocked' | 'closed';
}

export interface UnitType {
  readonly id: string;
  readonly jurisdictionId: string;
  readonly code: string;
  readonly issuedT: bigint;
}

/** What a caller asks for; the ledger fills in the rest (the terminal account, a reversal's movement). */
export type TxRequest =
  | { readonly type: 'issuance'; readonly toAccountId: string; readonly unitTypeId: string; readonly quantityT: bigint }
  | { readonly type: 'transfer'; readonly fromAccountId: string; readonly toAccountId: string; readonly unitTypeId: string; readonly quantityT: bigint }
  | { readonly type: 'surrender' | 'retirement' | 'cancellation'; readonly fromAccountId: string; readonly unitTypeId: string; readonly quantityT: bigint }
  | { readonly type: 'reversal'; readonly reversesTxId: string };

export interface Tx {
  readonly id: string;
  readonly jurisdictionId: string;
  readonly type: TxType;
  readonly status: TxStatus;
  readonly idempotencyKey: string;
  readonly requestHash: string;
  readonly unitTypeId: string;
  readonly quantityT: bigint;
  /** null: units are created (issuance). */
  readonly fromAccountId: string | null;
  /** null: units are destroyed (the reversal of an issuance). */
  readonly toAccountId: string | null;
  readonly reversesTxId: string | null;
  readonly proposedBy: string;
  readonly approvedBy: string | null;
  readonly decidedBy: string | null; // who rejected or cancelled
  readonly reason: string | null;
  readonly proposedAt: Date;
  readonly approvedAt: Date | null;
  /** When it was rejected or cancelled. */
  readonly decidedAt: Date | null;
  readonly completedAt: Date | null;
  readonly journalSeq: bigint | null;
}
