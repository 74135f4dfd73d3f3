// A facility's annual summary: what its operator prints or files for one fiscal year — the report's energy lines,
// crude-oil equivalent and CO2, the base-year emissions, and the cap and position for the period the year belongs to.
// Read by the facility's operator and the authority only (rule SUMMARY_READERS below); summary-pdf.ts renders it.
import { decide } from '../../domain/access/permissions.js';
import type { Actor } from '../../domain/access/roles.js';
import { Rational } from '../../domain/compliance/rational.js';
import { RefusedError, refusal } from '../../domain/errors.js';
import { isPlainIdentifier } from '../../domain/identifiers.js';
import { litresAsKl, periodOfFiscalYear } from '../../domain/mrv/conversion.js';
import type { Period, ProgramDefinition } from '../../domain/program/schema.js';
import type { Database } from '../../store/db.js';
import { AccessControl, forbidden } from '../authorization.js';
import { acceptedEmissionsKg, emissionsTOfKg, facilityById, facilityTerms, fiscalYearsOf, int, obligationOutcome, surrenderedFor } from '../compliance.js';
import { programOf } from '../programs.js';
import { Reporting } from '../reporting.js';

/**
 * Rule SUMMARY_READERS: the annual summary carries the facility's compliance position, so of the roles that may read a
 * facility's reports (report.read) it is open to the authority and the facility's operator, not to verifiers.
 */
export const SUMMARY_ROLES: readonly string[] = ['authority_admin', 'authority_officer', 'facility_operator'];

export interface SummaryLine {
  readonly lineNo: number;
  readonly kind: string;
  readonly source: string;
  readonly sourceName: string;
  readonly quantity: string;
  readonly unit: string;
  readonly coeL: bigint;
  readonly co2Kg: bigint;
}

export interface FacilityAnnualSummary {
  readonly jurisdiction: { readonly code: string; readonly nameEn: string; readonly nameJa: string };
  readonly program: { readonly id: string; readonly name: string; readonly kind: 'obligation' | 'allocation' };
  readonly facility: {
    readonly code: string;
    readonly name: string;
    readonly owner: string;
    readonly category: string | null;
    readonly categoryName: string | null;
    readonly useType: string;
    readonly status: string;
    readonly floorAreaM2: bigint | null;
    readonly accountNumber: string | null;
  };
  readonly fiscalYear: number;
  /** The fiscal year's first and last day (YYYY-MM-DD), from the jurisdiction's fiscal-year start month. */
  readonly fiscalYearFrom: string;
  readonly fiscalYearTo: string;
  /** The report the summary shows: the highest accepted version, else the latest version (its status says so). */
  readonly report: {
    readonly version: number;
    readonly status: string;
    readonly acceptedAt: string | null;
    readonly lines: readonly SummaryLine[];
    readonly coeL: bigint;
    readonly emissionsKg: bigint;
    /** Whole tonnes with the program's rounding, as the compliance assessment counts them. */
    readonly emissionsT: bigint;
    readonly otherGasCo2eKg: bigint;
  };
  readonly baseYear: { readonly firstFiscalYear: number; readonly lastFiscalYear: number; readonly baseT: bigint } | null;
  readonly period: { readonly number: number; readonly firstFiscalYear: number; readonly lastFiscalYear: number; readonly adjustmentWindowEnd: string } | null;
  /** Obligation programs, for a specified facility with a category and a base: its terms for the period. */
  readonly terms: {
    /** The base the cap starts from (restated with the period's emission factors when the program says so). */
    readonly baseTForPeriod: bigint;
    readonly categoryFactorPct: string;
    readonly factorPct: string;
    readonly reliefs: readonly string[];
    readonly capT: bigint;
    readonly obligationT: bigint;
  } | null;
  /** Why there are no terms (e.g. FACILITY_NOT_SPECIFIED), when there are none in an obligation program. */
  readonly termsMissing: string | null;
  /** The position from the period's first fiscal year to this one: cap + credits counted − verified emissions so far. */
  readonly position: {
    readonly years: readonly { readonly fiscalYear: number; readonly emissionsT: bigint | null }[];
    readonly emissionsToDateT: bigint;
    readonly surrenderedT: bigint;
    readonly creditedT: bigint;
    readonly positionT: bigint;
  } | null;
  /** The stored assessment of the period (the latest compliance run), when there is one. */
  readonly assessment: {
    readonly fiscalYear: number;
    readonly emissionsT: bigint | null;
    readonly capT: bigint | null;
    readonly allocatedT: bigint | null;
    readonly surrenderedT: bigint | null;
    readonly shortfallT: bigint | null;
    readonly positionT: bigint | null;
    readonly status: string;
    readonly computedAt: string;
  } | null;
}

export interface FacilitySummariesOptions {
  readonly access?: AccessControl | undefined;
  readonly clock?: (() => Date) | undefined;
}

/** FY2022 with an April start: 2022-04-01 to 2023-03-31. */
export function fiscalYearDates(fy: number, startMonth: number): { fiscalYearFrom: string; fiscalYearTo: string } {
  const day = (d: Date): string => d.toISOString().slice(0, 10);
  return { fiscalYearFrom: day(new Date(Date.UTC(fy, startMonth - 1, 1))), fiscalYearTo: day(new Date(Date.UTC(fy + 1, startMonth - 1, 0))) };
}

/** Percent text of a fraction: 0.27 → "27", 0.135 → "13.5". */
export function percentOf(x: Rational): string {
  return x.mul(100n).toDecimal(4);
}

export class FacilitySummaries {
  readonly access: AccessControl;

  constructor(
    readonly db: Database,
    options: FacilitySummariesOptions = {},
  ) {
    this.access = options.access ?? new AccessControl(db, options.clock === undefined ? {} : { clock: options.clock });
  }

  /**
   * The check before a request is validated (path values raw): a facility of the jurisdiction is checked on its
   * account; otherwise (unknown facility, or not an identifier) it is enough to hold one of SUMMARY_ROLES in the
   * jurisdiction, so that the route's 404 or 400 tells nothing to those without standing.
   */
  async gate(actor: Actor, jurisdictionCode: unknown, facilityCode: unknown): Promise<void> {
    if (actor.kind === 'system') return;
    if (!isPlainIdentifier(jurisdictionCode)) return;
    const j = await this.db.kysely.selectFrom('jurisdictions').select('id').where('code', '=', jurisdictionCode).executeTakeFirst();
    if (j === undefined) return;
    const f = isPlainIdentifier(facilityCode)
      ? await this.db.kysely.selectFrom('facilities').select('account_id').where('jurisdiction_id', '=', j.id).where('code', '=', facilityCode).executeTakeFirst()
      : undefined;
    await this.require(actor, j.id, f === undefined ? undefined : f.account_id);
  }

  /** accountId undefined: any of SUMMARY_ROLES in the jurisdiction; null: a facility without an account (jurisdiction-wide grants). */
  private async require(actor: Actor, jurisdictionId: string, accountId: string | null | undefined): Promise<void> {
    if (actor.kind === 'system') return;
    if (actor.kind === 'anonymous') throw forbidden(refusal('SIGN_IN_REQUIRED', 'Sign in to download an annual summary.'));
    const grants = (await this.access.grantsOf(actor, jurisdictionId)).filter((g) => SUMMARY_ROLES.includes(g.role));
    const allowed = accountId === undefined ? grants.length > 0 : decide(actor, grants, 'report.read', { jurisdictionId, accountId: accountId ?? '' }).allowed;
    if (!allowed) throw forbidden(refusal('ROLE_REQUIRED', "Only the authority and the facility's operator may download its annual summary (rule SUMMARY_READERS)."));
  }

  /** The summary of a facility's fiscal year; refuses UNKNOWN_JURISDICTION, UNKNOWN_FACILITY, NO_PROGRAM, NO_REPORT_FOR_YEAR. */
  async summary(actor: Actor, input: { readonly jurisdictionCode: string; readonly facilityCode: string; readonly fiscalYear: number }): Promise<FacilityAnnualSummary> {
    const k = this.db.kysely;
    const j = await k.selectFrom('jurisdictions').select(['id', 'code', 'name_en', 'name_ja', 'fy_start_month']).where('code', '=', input.jurisdictionCode).executeTakeFirst();
    if (j === undefined) throw new RefusedError(refusal('UNKNOWN_JURISDICTION', `No jurisdiction ${input.jurisdictionCode}.`, 'code'));
    const f = await k
      .selectFrom('facilities as f')
      .leftJoin('accounts as a', 'a.id', 'f.account_id')
      .select(['f.id', 'f.code', 'f.name', 'f.owner', 'f.category', 'f.use_type', 'f.status', 'f.floor_area_m2', 'f.account_id', 'a.number as account_number'])
      .where('f.jurisdiction_id', '=', j.id)
      .where('f.code', '=', input.facilityCode)
      .executeTakeFirst();
    if (f === undefined) throw new RefusedError(refusal('UNKNOWN_FACILITY', `No facility ${input.facilityCode} in ${j.code}.`, 'facility'));
    await this.require(actor, j.id, f.account_id);
    const program = await programOf(this.db, j.id);
    const fy = input.fiscalYear;

    const versions = await k.selectFrom('reports').select(['id', 'version', 'status', 'accepted_at']).where('facility_id', '=', f.id).where('fiscal_year', '=', fy).orderBy('version', 'desc').execute();
    const chosen = versions.find((r) => r.status === 'accepted') ?? versions[0];
    if (chosen === undefined) throw new RefusedError(refusal('NO_REPORT_FOR_YEAR', `Facility ${f.code} has no report for FY${fy}.`, 'fiscalYear'));
    const report = await new Reporting(this.db).report(chosen.id);
    const sourceName = new Map((program.energy?.sources ?? []).map((s) => [s.code, s.name]));

    const base = await k.selectFrom('base_years').select(['first_fiscal_year', 'last_fiscal_year', 'base_t']).where('facility_id', '=', f.id).where('status', '=', 'active').orderBy('chosen_at', 'desc').executeTakeFirst();
    const period = periodOfFiscalYear(program, fy);
    const facilityRow = await facilityById(k, f.id);

    let terms: FacilityAnnualSummary['terms'] = null;
    let termsMissing: string | null = null;
    let position: FacilityAnnualSummary['position'] = null;
    if (period !== undefined && program.kind === 'obligation') {
      try {
        const t = await facilityTerms(k, program, facilityRow, period.number);
        terms = { baseTForPeriod: t.baseT, categoryFactorPct: percentOf(t.cap.factor.categoryFactor), factorPct: percentOf(t.cap.factor.factor), reliefs: t.reliefs, capT: t.capT, obligationT: t.obligationT };
        position = await this.positionToDate(program, f.id, period, fy, t.capT, t.obligationT);
      } catch (error) {
        if (!(error instanceof RefusedError)) throw error;
        termsMissing = error.refusal.code;
      }
    }
    const assessment = period === undefined ? null : await this.assessment(program, f.id, period, fy);
    const category = program.categories.find((c) => c.code === f.category);
    return {
      jurisdiction: { code: j.code, nameEn: j.name_en, nameJa: j.name_ja },
      program: { id: program.id, name: program.name, kind: program.kind },
      facility: {
        code: f.code,
        name: f.name,
        owner: f.owner,
        category: f.category,
        categoryName: category?.name ?? null,
        useType: f.use_type,
        status: f.status,
        floorAreaM2: f.floor_area_m2,
        accountNumber: f.account_number,
      },
      fiscalYear: fy,
      ...fiscalYearDates(fy, int(j.fy_start_month)),
      report: {
        version: report.version,
        status: report.status,
        acceptedAt: chosen.accepted_at,
        lines: report.lines.map((l) => ({ ...l, sourceName: sourceName.get(l.source) ?? l.source })),
        coeL: report.coeL,
        emissionsKg: report.emissionsKg,
        emissionsT: emissionsTOfKg(program, report.emissionsKg),
        otherGasCo2eKg: report.otherGasCo2eKg,
      },
      baseYear: base === undefined ? null : { firstFiscalYear: int(base.first_fiscal_year), lastFiscalYear: int(base.last_fiscal_year), baseT: base.base_t },
      period: period === undefined ? null : { number: period.number, firstFiscalYear: period.firstFiscalYear, lastFiscalYear: period.lastFiscalYear, adjustmentWindowEnd: period.adjustmentWindowEnd },
      terms,
      termsMissing,
      position,
      assessment,
    };
  }

  /** Cap + credits counted − the verified emissions of the period's years up to `fy` (years without an accepted report count as missing, not as zero). */
  private async positionToDate(program: ProgramDefinition, facilityId: string, period: Period, fy: number, capT: bigint, obligationT: bigint): Promise<NonNullable<FacilityAnnualSummary['position']>> {
    const k = this.db.kysely;
    const years = fiscalYearsOf(period).filter((y) => y <= fy);
    const kg = (await acceptedEmissionsKg(k, [facilityId], years)).get(facilityId) ?? new Map<number, bigint>();
    const byYear = years.map((y) => {
      const v = kg.get(y);
      return { fiscalYear: y, emissionsT: v === undefined ? null : emissionsTOfKg(program, v) };
    });
    const present = byYear.flatMap((y) => (y.emissionsT === null ? [] : [y.emissionsT]));
    const surrendered = (await surrenderedFor(k, [facilityId], period.number)).get(facilityId) ?? [];
    const outcome = obligationOutcome(program, period.number, { capT, obligationT, emissionsByYearT: present, surrendered });
    const emissionsToDateT = present.reduce((sum, t) => sum + t, 0n);
    return { years: byYear, emissionsToDateT, surrenderedT: outcome.surrenderedT, creditedT: outcome.creditedT, positionT: capT + outcome.creditedT - emissionsToDateT };
  }

  private async assessment(program: ProgramDefinition, facilityId: string, period: Period, fy: number): Promise<FacilityAnnualSummary['assessment']> {
    let q = this.db.kysely
      .selectFrom('compliance_results')
      .select(['fiscal_year', 'emissions_t', 'cap_t', 'allocated_t', 'surrendered_t', 'shortfall_t', 'position_t', 'status', 'computed_at'])
      .where('facility_id', '=', facilityId)
      .where('period', '=', period.number);
    // Allocation programs assess each year (cumulative within the period); obligation programs the period once.
    if (program.kind === 'allocation') q = q.where('fiscal_year', '=', fy);
    const r = await q.orderBy('fiscal_year', 'desc').executeTakeFirst();
    if (r === undefined) return null;
    return {
      fiscalYear: int(r.fiscal_year),
      emissionsT: r.emissions_t,
      capT: r.cap_t,
      allocatedT: r.allocated_t,
      surrenderedT: r.surrendered_t,
      shortfallT: r.shortfall_t,
      positionT: r.position_t,
      status: r.status,
      computedAt: r.computed_at,
    };
  }
}

/** The key figures of a summary as strings: the PDF's metadata (`CitycapSummary`), the CLI's --json and the tests. */
export function summaryFigures(s: FacilityAnnualSummary): Record<string, string | number | null> {
  const t = (v: bigint | null | undefined): string | null => (v === null || v === undefined ? null : v.toString());
  return {
    jurisdiction: s.jurisdiction.code,
    facility: s.facility.code,
    fiscalYear: s.fiscalYear,
    reportVersion: s.report.version,
    reportStatus: s.report.status,
    coeKl: litresAsKl(s.report.coeL),
    emissionsT: t(s.report.emissionsT),
    baseT: t(s.baseYear?.baseT),
    period: s.period?.number ?? null,
    baseTForPeriod: t(s.terms?.baseTForPeriod),
    factorPct: s.terms?.factorPct ?? null,
    capT: t(s.terms?.capT),
    obligationT: t(s.terms?.obligationT),
    emissionsToDateT: t(s.position?.emissionsToDateT),
    positionT: t(s.position?.positionT),
    assessmentStatus: s.assessment?.status ?? null,
  };
}
