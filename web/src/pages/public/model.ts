// What the public disclosure API returns (the parts the pages read), and the words for the program's codes in the
// reader's language. Quantities in tonnes arrive as decimal strings and stay exact until formatted.
import type { TFunction } from 'i18next';

export interface Provenance {
  readonly status: 'confirmed' | 'unconfirmed';
  readonly source?: string;
  readonly note?: string;
}

export interface ProgramDefinition {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly kind: 'obligation' | 'allocation';
  readonly fiscalYearStartMonth: number;
  readonly jurisdiction: { readonly code: string; readonly name: string; readonly timeZone: string };
  readonly periods: readonly { number: number; firstFiscalYear: number; lastFiscalYear: number; adjustmentWindowEnd: string; tradingStart?: string; provenance?: Provenance }[];
  readonly categories: readonly { code: string; name: string; description?: string; factors: readonly { period: number; factorPpm: number; provenance?: Provenance }[] }[];
  readonly reliefs: readonly {
    code: string;
    kind: string;
    name: string;
    condition: string;
    rules: readonly { period: number; categories?: readonly string[]; adjustment: { op: 'multiply'; ratio: string } | { op: 'subtract'; pointsPpm: number } | { op: 'replace'; factors: readonly { category: string; factorPpm: number }[] }; provenance?: Provenance }[];
  }[];
  readonly coverage?: { metric: string; threshold: string; designationAfterYears: number; obligationAfterConsecutiveYears: number; excludePartialYears: boolean; exemptions?: readonly { code: string; description: string }[] };
  readonly baseYear?: { windowFirstFiscalYear: number; windowLastFiscalYear: number; consecutiveYears: number; recalculationThresholdPpm: number; restatedWithPeriodFactors?: boolean };
  readonly energy: { klCrudeOilPerGj: string; sources: readonly { code: string; name: string; unit: string; gjPerUnit: string; provenance?: Provenance }[] };
  readonly emissionFactorSets: readonly { id: string; periods: readonly number[]; factors: readonly { energy: string; method: 'fixed' | 'supplier_specific'; tCo2PerUnit?: string; provenance?: Provenance }[] }[];
  readonly creditTypes: readonly {
    code: string;
    kind: string;
    name: string;
    description?: string;
    transferable: boolean;
    eligibility?: { originMaxBaseT?: string; originMustHaveComplied?: boolean };
    usageLimit?: { maxShareOfObligation: string };
    multipliers?: readonly { period: number; ratio: string }[];
  }[];
  readonly excessReduction?: { applicationFromPeriodYear: number; countedReductionLimit: { shareOfBase: string; basis: 'per_year' | 'period_total' } };
  readonly banking: { allowed: boolean; horizonPeriods: number | null; borrowing: boolean };
  readonly deadlines: readonly { event: string; description: string; month: number; day: number; yearOffset: number }[];
}

export interface ProgramResponse {
  readonly jurisdiction: string;
  readonly definition: ProgramDefinition;
}

export interface DisclosedFacility {
  readonly code: string;
  readonly name: string;
  readonly category: string | null;
  readonly useType: string;
  readonly status: string;
  readonly emissionsT: string | null;
  readonly capT: string | null;
  readonly allocatedT: string | null;
  readonly surrenderedT: string | null;
  readonly shortfallT: string | null;
  readonly complianceStatus: string | null;
}

export interface DisclosurePage {
  readonly jurisdiction: string;
  readonly kind: 'obligation' | 'allocation';
  readonly period: number | null;
  readonly items: readonly DisclosedFacility[];
  readonly nextCursor: string | null;
}

export interface FacilityDisclosure {
  readonly jurisdiction: string;
  readonly facility: { code: string; name: string; owner: string; category: string | null; useType: string; status: string; floorAreaM2: string | null };
  readonly baseYear: { firstFiscalYear: number; lastFiscalYear: number; baseT: string } | null;
  readonly years: readonly { fiscalYear: number; emissionsT: string }[];
  readonly periods: readonly { period: number; firstFiscalYear: number; lastFiscalYear: number; emissionsT: string | null; capT: string | null; allocatedT: string | null; obligationT: string | null; surrenderedT: string | null; shortfallT: string | null; status: string }[];
}

export interface DisclosureSummary {
  readonly jurisdiction: string;
  readonly baseT: string;
  readonly years: readonly { fiscalYear: number; emissionsT: string; reportingFacilities: number; reductionPct: number | null; byCategory: Readonly<Record<string, string>> }[];
}

export interface Verification {
  readonly code: string;
  readonly ok: boolean;
  readonly entries: string;
  readonly head: string;
  readonly problems: readonly { seq: string; place: string; message: string }[];
}

export interface LedgerStats {
  readonly unitTypes: readonly { jurisdiction: string; unitType: string; kind: string; issuedT: string; byStatusT: Readonly<Record<string, string>> }[];
  readonly transactions: readonly { jurisdiction: string; type: string; status: string; count: string; quantityT: string }[];
}

/**
 * The reader's word for a code of the program (category, credit kind, relief kind, energy source, status…): the
 * catalogue's `public:<group>.<code>` when there is one, otherwise what the program itself calls it.
 */
export function termOf(t: TFunction, group: string, code: string | null, fallback?: string): string {
  if (code === null) return '—';
  const key = `public:${group}.${code}`;
  const text = t(key, { defaultValue: '' });
  return text === '' ? (fallback ?? code) : text;
}

/** Parts per million as a percentage figure: 270000 → 27. */
export const ppmToPercent = (ppm: number): number => ppm / 10_000;

/** A tonne figure as a number for charts (exact strings stay strings everywhere else). */
export const tonnes = (v: string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));
