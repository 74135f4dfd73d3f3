// The public summary of a jurisdiction's program, year by year: total verified emissions of the covered facilities
// and the reduction against their aggregate base-year emissions, as Tokyo publishes it (tokyo_cat.md §8.1). A plain
// read model over accepted reports and active base years; the rules come from the program definition.
//
// Which facilities count (docs/demo.md "The disclosure summary"):
// - Covered facilities: in an obligation program, the facilities of the jurisdiction with an active base year (the
//   ones whose emissions are measured against a base); in an allocation program, every facility (no base, no %).
// - A fiscal year's emissions: for each covered facility with an accepted report for that year (the highest accepted
//   version), its energy-origin CO2 in whole tonnes with the program's emissionsT rounding (as the compliance run
//   counts it), summed. Only fiscal years inside the program's periods are listed, not base-window years.
// - A fiscal year's base: the bases of the same facilities, each restated with the emission factors of the year's
//   period when the program says so (baseYear.restatedWithPeriodFactors; exactly as compliance.ts baseForPeriod),
//   summed. So each year compares like with like: FY2010–FY2014 against the base on period-1 factors, FY2015 on
//   against the base on period-2 factors (Tokyo's "16.50 Mt, P2 factors").
// - The reduction: (1 − emissions ÷ base) × 100, rounded with the program's rounding.reductionPercent rule (Tokyo
//   publishes whole percents; the rule is a program parameter because the sources do not state it).
// - `baseT`: the covered facilities' bases restated for the latest period that has a listed year (the figure Tokyo
//   quotes beside its recent results); the active bases as chosen when no year is listed.
import { reductionPercent } from '../domain/compliance/caps.js';
import { Rational } from '../domain/compliance/rational.js';
import { RefusedError, refusal } from '../domain/errors.js';
import { wholeTonnes } from '../domain/mrv/base-year.js';
import { convertReport, periodOfFiscalYear } from '../domain/mrv/conversion.js';
import type { Period, ProgramDefinition } from '../domain/program/schema.js';
import type { Database } from '../store/db.js';
import { emissionsTOfKg, int } from './compliance.js';
import { programOf } from './programs.js';

export interface YearSummary {
  readonly fiscalYear: number;
  readonly emissionsT: bigint;
  readonly reportingFacilities: number;
  readonly reductionPct: number | null;
  readonly byCategory: Readonly<Record<string, bigint>>;
}

export interface DisclosureSummary {
  readonly jurisdiction: string;
  readonly baseT: bigint;
  readonly years: readonly YearSummary[];
}

/** The byCategory key of facilities without a category (allocation programs). */
export const NO_CATEGORY = 'none';
/** Ids per IN (…) list. */
const IN_LIST_MAX = 500;

interface CoveredFacility {
  readonly id: string;
  readonly category: string | null;
  /** The active base year, when the facility has one. */
  readonly base: { readonly baseKg: bigint; readonly baseT: bigint; readonly firstFiscalYear: number; readonly lastFiscalYear: number } | undefined;
}

export async function disclosureSummary(db: Database, jurisdictionCode: string): Promise<DisclosureSummary> {
  const j = await db.kysely.selectFrom('jurisdictions').select(['id', 'code']).where('code', '=', jurisdictionCode).executeTakeFirst();
  if (j === undefined) throw new RefusedError(refusal('UNKNOWN_JURISDICTION', `No jurisdiction ${jurisdictionCode}.`, 'jurisdiction'));
  const program = await programOf(db, j.id);
  const covered = await coveredFacilities(db, program, j.id);
  const firstProgramYear = program.periods[0]!.firstFiscalYear;
  const lastProgramYear = program.periods[program.periods.length - 1]!.lastFiscalYear;

  // facility → fiscal year → kg of its highest accepted version.
  const emissions = new Map<string, Map<number, bigint>>();
  const ids = [...covered.keys()];
  for (let i = 0; i < ids.length; i += IN_LIST_MAX) {
    const rows = await db.kysely
      .selectFrom('reports')
      .select(['facility_id', 'fiscal_year', 'emissions_kg'])
      .where('facility_id', 'in', ids.slice(i, i + IN_LIST_MAX))
      .where('status', '=', 'accepted')
      .where('fiscal_year', '>=', firstProgramYear)
      .where('fiscal_year', '<=', lastProgramYear)
      .orderBy('version', 'asc')
      .execute();
    for (const r of rows) {
      let byYear = emissions.get(r.facility_id);
      if (byYear === undefined) emissions.set(r.facility_id, (byYear = new Map<number, bigint>()));
      byYear.set(int(r.fiscal_year), r.emissions_kg); // ascending versions: the last one wins
    }
  }

  const years = new Set<number>();
  for (const byYear of emissions.values()) for (const y of byYear.keys()) years.add(y);
  const sortedYears = [...years].sort((a, b) => a - b);
  const bases = new BaseRestatement(db, program, covered);
  const out: YearSummary[] = [];
  for (const fy of sortedYears) {
    const period = periodOfFiscalYear(program, fy)!;
    let emissionsT = 0n;
    let baseT = 0n;
    let reporting = 0;
    const byCategory: Record<string, bigint> = {};
    for (const [id, f] of covered) {
      const kg = emissions.get(id)?.get(fy);
      if (kg === undefined) continue;
      const t = emissionsTOfKg(program, kg);
      emissionsT += t;
      reporting++;
      const key = f.category ?? NO_CATEGORY;
      byCategory[key] = (byCategory[key] ?? 0n) + t;
      if (f.base !== undefined) baseT += await bases.baseT(id, period);
    }
    out.push({ fiscalYear: fy, emissionsT, reportingFacilities: reporting, reductionPct: reductionOf(program, baseT, emissionsT), byCategory });
  }

  const lastYear = sortedYears[sortedYears.length - 1];
  let baseT = 0n;
  for (const [id, f] of covered) {
    if (f.base === undefined) continue;
    baseT += lastYear === undefined ? f.base.baseT : await bases.baseT(id, periodOfFiscalYear(program, lastYear)!);
  }
  return { jurisdiction: j.code, baseT, years: out };
}

/** The published reduction: null without a base (allocation programs, or no base among the reporting facilities). */
function reductionOf(program: ProgramDefinition, baseT: bigint, emissionsT: bigint): number | null {
  if (baseT <= 0n) return null;
  const r = reductionPercent(program.rounding.reductionPercent, Rational.of(baseT), Rational.of(emissionsT));
  return r.ok ? Number(r.value.reportedPercent.toDecimal(program.rounding.reductionPercent.decimals)) : null;
}

async function coveredFacilities(db: Database, program: ProgramDefinition, jurisdictionId: string): Promise<Map<string, CoveredFacility>> {
  const facilities = await db.kysely.selectFrom('facilities').select(['id', 'category']).where('jurisdiction_id', '=', jurisdictionId).orderBy('code').execute();
  const bases = new Map<string, CoveredFacility['base']>();
  const ids = facilities.map((f) => f.id);
  for (let i = 0; i < ids.length; i += IN_LIST_MAX) {
    // Ascending by chosen_at: the last active one wins, as compliance.ts reads it (there is one active base anyway).
    const rows = await db.kysely
      .selectFrom('base_years')
      .select(['facility_id', 'base_kg', 'base_t', 'first_fiscal_year', 'last_fiscal_year'])
      .where('facility_id', 'in', ids.slice(i, i + IN_LIST_MAX))
      .where('status', '=', 'active')
      .orderBy('chosen_at', 'asc')
      .execute();
    for (const r of rows) bases.set(r.facility_id, { baseKg: r.base_kg, baseT: r.base_t, firstFiscalYear: int(r.first_fiscal_year), lastFiscalYear: int(r.last_fiscal_year) });
  }
  const out = new Map<string, CoveredFacility>();
  for (const f of facilities) {
    const base = bases.get(f.id);
    if (program.kind === 'obligation' && base === undefined) continue;
    out.set(f.id, { id: f.id, category: f.category, base });
  }
  return out;
}

/**
 * Each covered facility's base for a period, computed as compliance.ts `baseForPeriod` computes it (the test holds
 * the two equal), but with the base years' reports and energy lines loaded for all facilities at once and each
 * result kept per emission-factor set: a summary of 1,200 facilities is three queries, not thousands.
 */
class BaseRestatement {
  private loaded: Map<string, { asReportedKg: bigint; lines: { source: string; quantity: string; unit: string }[] }> | undefined;
  private readonly cache = new Map<string, bigint>();

  constructor(
    private readonly db: Database,
    private readonly program: ProgramDefinition,
    private readonly covered: ReadonlyMap<string, CoveredFacility>,
  ) {}

  async baseT(facilityId: string, period: Period): Promise<bigint> {
    const base = this.covered.get(facilityId)?.base;
    if (base === undefined) return 0n;
    if (this.program.baseYear?.restatedWithPeriodFactors !== true) return base.baseT;
    const set = this.program.emissionFactorSets.find((s) => s.periods.includes(period.number))?.id ?? `period-${period.number}`;
    const key = `${facilityId}|${set}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const years = (await this.baseYearLines()).get(facilityId);
    let t = base.baseT;
    if (years !== undefined && years.lines.length > 0 && years.asReportedKg !== 0n) {
      const restated = convertReport(this.program, period.firstFiscalYear, years.lines.map((l) => ({ kind: 'energy' as const, ...l })));
      if (restated.ok) t = wholeTonnes(this.program, Rational.of(base.baseKg * restated.value.totals.energyCo2Kg, years.asReportedKg * 1000n));
    }
    this.cache.set(key, t);
    return t;
  }

  /** Per facility: the accepted emissions of its base years (kg) and their energy lines, in report-id and line order. */
  private async baseYearLines(): Promise<Map<string, { asReportedKg: bigint; lines: { source: string; quantity: string; unit: string }[] }>> {
    if (this.loaded !== undefined) return this.loaded;
    const out = new Map<string, { asReportedKg: bigint; lines: { source: string; quantity: string; unit: string }[] }>();
    const withBase = [...this.covered.values()].filter((f) => f.base !== undefined);
    const reportFacility = new Map<string, string>();
    for (let i = 0; i < withBase.length; i += IN_LIST_MAX) {
      const chunk = withBase.slice(i, i + IN_LIST_MAX);
      const rows = await this.db.kysely
        .selectFrom('reports')
        .select(['id', 'facility_id', 'fiscal_year', 'emissions_kg'])
        .where('facility_id', 'in', chunk.map((f) => f.id))
        .where('status', '=', 'accepted')
        .where('fiscal_year', '>=', Math.min(...chunk.map((f) => f.base!.firstFiscalYear)))
        .where('fiscal_year', '<=', Math.max(...chunk.map((f) => f.base!.lastFiscalYear)))
        .execute();
      for (const r of rows) {
        const base = this.covered.get(r.facility_id)!.base!;
        const fy = int(r.fiscal_year);
        if (fy < base.firstFiscalYear || fy > base.lastFiscalYear) continue;
        reportFacility.set(r.id, r.facility_id);
        const entry = out.get(r.facility_id) ?? { asReportedKg: 0n, lines: [] };
        entry.asReportedKg += r.emissions_kg;
        out.set(r.facility_id, entry);
      }
    }
    const reportIds = [...reportFacility.keys()].sort();
    for (let i = 0; i < reportIds.length; i += IN_LIST_MAX) {
      const lines = await this.db.kysely
        .selectFrom('report_lines')
        .select(['report_id', 'source', 'quantity', 'unit'])
        .where('report_id', 'in', reportIds.slice(i, i + IN_LIST_MAX))
        .where('kind', '=', 'energy')
        .orderBy('report_id')
        .orderBy('line_no')
        .execute();
      for (const l of lines) out.get(reportFacility.get(l.report_id)!)!.lines.push({ source: l.source, quantity: l.quantity, unit: l.unit });
    }
    this.loaded = out;
    return out;
  }
}
