// The API's answers as the role pages read them (a subset of /api/openapi.json). Big integers arrive as strings.

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface RoundingRule {
  readonly mode: 'floor' | 'ceil' | 'truncate' | 'half_up' | 'half_even';
  readonly decimals: number;
  readonly provenance?: Provenance;
}

export interface Provenance {
  readonly status: string;
  readonly source?: string;
  readonly note?: string;
}

export interface ProgramPeriod {
  readonly number: number;
  readonly firstFiscalYear: number;
  readonly lastFiscalYear: number;
  readonly adjustmentWindowEnd: string;
}

export interface ProgramDefinition {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly kind: 'obligation' | 'allocation';
  readonly periods: readonly ProgramPeriod[];
  readonly categories: readonly { code: string; name: string; factors: readonly { period: number; factorPpm: number | string; provenance?: Provenance }[] }[];
  readonly reliefs?: readonly { code: string; name: string }[];
  readonly baseYear?: { windowFirstFiscalYear: number; windowLastFiscalYear: number; consecutiveYears: number; recalculationThresholdPpm?: number };
  readonly energy?: { klCrudeOilPerGj: string; sources: readonly { code: string; name: string; unit: string; gjPerUnit: string; provenance?: Provenance }[]; provenance?: Provenance };
  readonly emissionFactorSets: readonly { id: string; periods: readonly number[]; factors: readonly { energy: string; method: string; tCo2PerUnit?: string; provenance?: Provenance }[] }[];
  readonly creditTypes: readonly { code: string; kind: string; name: string; transferable: boolean }[];
  readonly rounding: Readonly<Record<string, RoundingRule>> & { readonly coeKl: RoundingRule; readonly emissionsT: RoundingRule };
  readonly banking?: { allowed: boolean; horizonPeriods: number | null; borrowing: boolean };
  readonly deadlines?: readonly { code?: string; name?: string; [k: string]: unknown }[];
}

export interface ProgramResponse {
  readonly jurisdiction: string;
  readonly summary: { id: string; name: string; version: string; kind: string };
  readonly definition: ProgramDefinition;
}

export interface FacilitySummary {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly owner: string;
  readonly category: string | null;
  readonly useType: string;
  readonly floorAreaM2: string | null;
  readonly status: string;
  readonly accountId: string | null;
  readonly accountNumber: string | null;
}

export interface BaseYear {
  readonly id: string;
  readonly firstFiscalYear: number;
  readonly lastFiscalYear: number;
  readonly baseKg: string;
  readonly baseT: string;
  readonly status: string;
  readonly reason: string;
}

export interface FacilityDetail extends FacilitySummary {
  readonly statusHistory: readonly { fiscalYear: number; seq: number; status: string; reason: string }[];
  readonly baseYear: BaseYear | null;
  readonly verifiers: readonly { fromFiscalYear: number; agencyId: string }[];
  readonly reliefs: readonly { period: number; reliefCode: string }[];
}

export interface ReportSummary {
  readonly id: string;
  readonly fiscalYear: number;
  readonly version: number;
  readonly status: string;
  readonly coeL: string;
  readonly emissionsKg: string;
  readonly createdAt: string;
}

export interface ReportLine {
  readonly lineNo: number;
  readonly kind: 'energy' | 'other_gas';
  readonly source: string;
  readonly quantity: string;
  readonly unit: string;
  readonly coeL: string;
  readonly co2Kg: string;
}

export interface Report {
  readonly id: string;
  readonly facility: string;
  readonly facilityId: string;
  readonly fiscalYear: number;
  readonly version: number;
  readonly status: string;
  readonly coeL: string;
  readonly coeKl: string;
  readonly emissionsKg: string;
  readonly otherGasCo2eKg: string;
  readonly lines: readonly ReportLine[];
  readonly correctsReportId: string | null;
  readonly agencyId: string | null;
  readonly returnedReason: string | null;
}

export interface QueuedTransaction {
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly quantityT: string;
  readonly unitTypeId: string;
  readonly unitTypeCode: string;
  readonly fromAccountId: string | null;
  readonly fromAccountNumber: string | null;
  readonly toAccountId: string | null;
  readonly toAccountNumber: string | null;
  readonly proposedBy: string;
  readonly proposedByName: string;
  readonly proposedAt: string;
  readonly approvedBy: string | null;
  readonly executeAfter: string | null;
  readonly ownProposal: boolean;
  readonly mayApprove: boolean;
  readonly approvalBlockedBy: 'FOUR_EYES' | 'APPROVE_RIGHT_REQUIRED' | 'ROLE_REQUIRED' | 'NOT_PROPOSED' | null;
  readonly mayCancel: boolean;
}

export interface QueuedReport {
  readonly id: string;
  readonly facilityCode: string;
  readonly facilityName: string;
  readonly category: string | null;
  readonly fiscalYear: number;
  readonly version: number;
  readonly status: string;
  readonly coeL: string;
  readonly emissionsKg: string;
  readonly submittedAt: string | null;
  readonly assignedAgencyId: string | null;
  readonly assignedAgencyName: string | null;
}

export interface Agency {
  readonly id: string;
  readonly name: string;
  readonly categories: readonly string[];
  readonly mine: boolean;
}

export interface CreditApplicationRow {
  readonly id: string;
  readonly facilityCode: string;
  readonly facilityName: string;
  readonly period: number;
  readonly creditType: string;
  readonly quantityT: string;
  readonly status: string;
  readonly appliedAt: string;
  readonly appliedBy: string;
  readonly appliedByName: string;
  readonly decidedBy: string | null;
  readonly reason: string | null;
  readonly txId: string | null;
  readonly ownApplication: boolean;
}

export interface PeriodCompliance {
  readonly period: number;
  readonly firstFiscalYear: number;
  readonly lastFiscalYear: number;
  readonly adjustmentWindowEnd: string;
  readonly result: {
    readonly emissionsT: string | null;
    readonly capT: string | null;
    readonly obligationT: string | null;
    readonly allocatedT: string | null;
    readonly surrenderedT: string | null;
    readonly surrenderedByKindT: Readonly<Record<string, string>>;
    readonly shortfallT: string | null;
    readonly status: string;
    readonly note: string | null;
    readonly computedAt: string;
  } | null;
  readonly years: readonly { fiscalYear: number; emissionsKg: string | null; reportStatus: string | null }[];
}

export interface FacilityCompliance {
  readonly facility: string;
  readonly kind: 'obligation' | 'allocation';
  readonly baseT: string | null;
  readonly periods: readonly PeriodCompliance[];
}

export interface AccountHoldings {
  readonly id: string;
  readonly number: string;
  readonly type: string;
  readonly holder: string;
  readonly facilityCode: string | null;
  readonly holdings: readonly { unitTypeId: string; unitTypeCode: string; kind: string; vintage: number | null; quantityT: string }[];
  readonly mayInitiate: boolean;
}

export interface Transaction {
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly quantityT: string;
  readonly hold: { executeAfter: string; delayRule: string | null } | null;
}

export interface TransactionOutcome {
  readonly transaction: Transaction;
  readonly replayed: boolean;
  readonly completionRefusal: { code: string; message: string } | null;
}

export interface User {
  readonly id: string;
  readonly login: string;
  readonly email: string;
  readonly displayName: string;
  readonly status: string;
  readonly locale: string;
  readonly createdAt: string;
}

export interface RoleAssignment {
  readonly id: string;
  readonly userId: string;
  readonly role: string;
  readonly accountId: string | null;
  readonly grantedBy: string;
  readonly grantedAt: string;
}

export interface Account {
  readonly id: string;
  readonly number: string;
  readonly type: string;
  readonly holder: string;
  readonly status: string;
  readonly facilityId: string | null;
}

export interface Representative {
  readonly id: string;
  readonly accountId: string;
  readonly userId: string;
  readonly rights: 'initiate' | 'approve' | 'initiate_and_approve';
  readonly addedAt: string;
}

export interface AuditEvent {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly actorKind: string;
  readonly tokenId: string | null;
  readonly action: string;
  readonly objectType: string;
  readonly objectId: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly address: string | null;
  readonly userAgent: string | null;
}

export interface ComplianceReport {
  readonly jurisdiction: string;
  readonly period: number;
  readonly kind: 'obligation' | 'allocation';
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, string | null>>[];
}
