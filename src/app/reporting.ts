// Annual reports (MRV) and base years. Workflow: draft → submitted → verified (by the agency assigned for that year)
// → accepted, or returned with a reason; a correction is a new version that supersedes the earlier accepted one when
// it is accepted. Figures are never overwritten after submission. Each use-case is one database transaction.
import { checkBaseYearChoice, averageBaseYear, checkRecalculation, wholeTonnes } from '../domain/mrv/base-year.js';
import { Rational } from '../domain/compliance/rational.js';
import { RefusedError } from '../domain/errors.js';
import { convertReport, inBaseYearWindow, periodOfFiscalYear, reportingPeriod, type ComputedLine, type LineInput, type LineKind } from '../domain/mrv/conversion.js';
import { REPORTING_STATUSES, statusForYear } from '../domain/mrv/designation.js';
import type { Database } from '../store/db.js';
import {
  FACILITY_LIMITS,
  assignedAgency,
  big,
  int,
  currentStatus,
  isUniqueViolation,
  lockFacility,
  refuse,
  refuseAll,
  statusHistory,
  type FacilityRow,
  type ServiceOptions,
  type Trx,
} from './facilities.js';
import { programIn } from './programs.js';
import { uuidv7 } from './ids.js';

export const REPORT_STATUSES = ['draft', 'submitted', 'verified', 'accepted', 'returned', 'superseded'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
/** A report in one of these is still being worked on: no second one for the same facility-year. */
const OPEN_STATUSES: readonly string[] = ['draft', 'submitted', 'verified'];

export interface ReportView {
  readonly id: string;
  readonly facilityId: string;
  readonly fiscalYear: number;
  readonly version: number;
  readonly status: string;
  /** Crude-oil equivalent, litres: the sum of the lines. */
  readonly coeL: bigint;
  /** Energy-origin CO2, kg: the sum of the energy lines (the capped emissions). */
  readonly emissionsKg: bigint;
  /** Other gases in kg CO2e: the sum of the other-gas lines, reported alongside. */
  readonly otherGasCo2eKg: bigint;
  readonly lines: readonly ComputedLine[];
  readonly correctsReportId: string | null;
  readonly agencyId: string | null;
  readonly returnedReason: string | null;
}

export interface BaseYearView {
  readonly id: string;
  readonly facilityId: string;
  readonly firstFiscalYear: number;
  readonly lastFiscalYear: number;
  readonly baseKg: bigint;
  readonly baseT: bigint;
  readonly status: string;
  readonly reason: string;
}

export interface RecalculationInput {
  readonly floorAreaAfterM2?: bigint;
  readonly useAfter?: string;
  /** The operator's estimate of base emissions after the change (needed for a change of use alone). */
  readonly estimatedBaseKg?: bigint;
  readonly reason?: string;
}

export class Reporting {
  private readonly clock: () => Date;
  private readonly newId: () => string;

  constructor(
    readonly db: Database,
    options: ServiceOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? (() => uuidv7());
  }

  private tx<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.kysely.transaction().execute(fn);
  }

  // ---- reports -------------------------------------------------------------------------------------------------

  /**
   * Opens a report for a facility and fiscal year with its lines converted. Refused when the year is outside the
   * program, the facility is not designated or specified for it, a line is invalid, or a report for that year
   * exists (an open one must be finished; a finished one is changed by `correct`).
   */
  async createDraft(facilityId: string, fiscalYear: number, lines: readonly LineInput[], actor: string): Promise<ReportView> {
    checkActor(actor);
    try {
      return await this.tx(async (trx) => {
        const facility = await lockFacility(this.db, trx, facilityId);
        const program = await programIn(trx, facility.jurisdiction_id);
        const reporting = reportingPeriod(program, fiscalYear);
        if (!reporting.ok) throw new RefusedError(reporting.refusal);
        await this.checkDesignated(trx, facility, fiscalYear, (fy) => periodOfFiscalYear(program, fy) === undefined && inBaseYearWindow(program, fy));
        const converted = convertReport(program, fiscalYear, lines);
        if (!converted.ok) refuseAll(converted.refusals);
        const existing = await trx.selectFrom('reports').select(['status', 'version']).where('facility_id', '=', facilityId).where('fiscal_year', '=', fiscalYear).execute();
        if (existing.some((r) => OPEN_STATUSES.includes(r.status))) refuse('OPEN_REPORT_EXISTS', `facility ${facility.code} already has an open report for FY${fiscalYear}; finish or update it.`, 'fiscalYear');
        if (existing.length > 0) refuse('REPORT_EXISTS', `facility ${facility.code} already has a report for FY${fiscalYear}; correct it to make a new version.`, 'fiscalYear');
        const id = this.newId();
        await this.insertReport(trx, { id, facility, fiscalYear, version: 1, lines: converted.value.lines, correctsReportId: null, actor });
        return this.load(trx, id);
      });
    } catch (error) {
      if (isUniqueViolation(error)) refuse('OPEN_REPORT_EXISTS', `a report for FY${fiscalYear} was opened at the same time.`, 'fiscalYear');
      throw error;
    }
  }

  /** Replaces a draft's lines (drafts only: nothing submitted is ever changed). */
  async updateDraft(reportId: string, lines: readonly LineInput[], actor: string): Promise<ReportView> {
    checkActor(actor);
    return this.tx(async (trx) => {
      const report = await this.lockReport(trx, reportId);
      if (report.status !== 'draft') refuse('REPORT_NOT_DRAFT', `report ${reportId} is ${report.status}; only a draft can be changed (correct it instead).`, 'reportId');
      const program = await programIn(trx, report.jurisdiction_id);
      const converted = convertReport(program, int(report.fiscal_year), lines);
      if (!converted.ok) refuseAll(converted.refusals);
      await trx.deleteFrom('report_lines').where('report_id', '=', reportId).execute();
      await this.insertLines(trx, reportId, converted.value.lines);
      const totals = converted.value.totals;
      await trx.updateTable('reports').set({ coe_l: totals.coeL, emissions_kg: totals.energyCo2Kg }).where('id', '=', reportId).execute();
      return this.load(trx, reportId);
    });
  }

  async submit(reportId: string, actor: string): Promise<ReportView> {
    checkActor(actor);
    return this.tx(async (trx) => {
      const report = await this.lockReport(trx, reportId);
      if (report.status !== 'draft') refuse('REPORT_NOT_DRAFT', `report ${reportId} is ${report.status}; only a draft can be submitted.`, 'reportId');
      const lines = await trx.selectFrom('report_lines').select('line_no').where('report_id', '=', reportId).limit(1).execute();
      if (lines.length === 0) refuse('EMPTY_REPORT', 'a report needs at least one line before it is submitted.', 'lines');
      await trx.updateTable('reports').set({ status: 'submitted', submitted_at: this.now() }).where('id', '=', reportId).execute();
      return this.load(trx, reportId);
    });
  }

  /** Verification by the agency assigned to the facility for the report's fiscal year, and by no other. */
  async verify(reportId: string, agencyId: string, actor: string): Promise<ReportView> {
    checkActor(actor);
    return this.tx(async (trx) => {
      const report = await this.lockReport(trx, reportId);
      if (report.status !== 'submitted') refuse('REPORT_NOT_SUBMITTED', `report ${reportId} is ${report.status}; only a submitted report can be verified.`, 'reportId');
      const assigned = await assignedAgency(trx, report.facility_id, int(report.fiscal_year));
      if (assigned !== agencyId) {
        refuse('VERIFIER_NOT_ASSIGNED', assigned === undefined ? `no verification agency is assigned to this facility for FY${report.fiscal_year}.` : `agency ${agencyId} is not the one assigned to this facility for FY${report.fiscal_year}.`, 'agencyId');
      }
      await trx.updateTable('reports').set({ status: 'verified', verified_at: this.now(), verified_by: actor, agency_id: agencyId }).where('id', '=', reportId).execute();
      return this.load(trx, reportId);
    });
  }

  /** The authority accepts a verified report; an earlier accepted version of the same year becomes superseded. */
  async accept(reportId: string, actor: string): Promise<ReportView> {
    checkActor(actor);
    return this.tx(async (trx) => {
      const report = await this.lockReport(trx, reportId);
      if (report.status !== 'verified') refuse('REPORT_NOT_VERIFIED', `report ${reportId} is ${report.status}; only a verified report can be accepted.`, 'reportId');
      await trx
        .updateTable('reports')
        .set({ status: 'superseded' })
        .where('facility_id', '=', report.facility_id)
        .where('fiscal_year', '=', report.fiscal_year)
        .where('status', '=', 'accepted')
        .execute();
      await trx.updateTable('reports').set({ status: 'accepted', accepted_at: this.now(), accepted_by: actor }).where('id', '=', reportId).execute();
      return this.load(trx, reportId);
    });
  }

  /** The authority (or the verifier) returns a submitted or verified report with the reason; the operator corrects it. */
  async returnReport(reportId: string, reason: string, actor: string): Promise<ReportView> {
    checkActor(actor);
    if (reason.trim() === '' || reason.length > FACILITY_LIMITS.reason) refuse('REASON_REQUIRED', `give the reason for returning the report (1 to ${FACILITY_LIMITS.reason} characters).`, 'reason');
    return this.tx(async (trx) => {
      const report = await this.lockReport(trx, reportId);
      if (report.status !== 'submitted' && report.status !== 'verified') refuse('REPORT_NOT_UNDER_REVIEW', `report ${reportId} is ${report.status}; only a submitted or verified report can be returned.`, 'reportId');
      await trx.updateTable('reports').set({ status: 'returned', returned_at: this.now(), returned_reason: reason }).where('id', '=', reportId).execute();
      return this.load(trx, reportId);
    });
  }

  /** A correction: a new draft version referencing the accepted or returned one; the earlier row is left as it is. */
  async correct(reportId: string, lines: readonly LineInput[], actor: string): Promise<ReportView> {
    checkActor(actor);
    try {
      return await this.tx(async (trx) => {
        const report = await this.lockReport(trx, reportId);
        if (report.status !== 'accepted' && report.status !== 'returned') refuse('REPORT_NOT_CORRECTABLE', `report ${reportId} is ${report.status}; only an accepted or returned report is corrected (a draft is updated).`, 'reportId');
        const versions = await trx.selectFrom('reports').select(['version', 'status']).where('facility_id', '=', report.facility_id).where('fiscal_year', '=', report.fiscal_year).execute();
        const latest = versions.reduce((m, v) => Math.max(m, int(v.version)), 0);
        if (int(report.version) !== latest) refuse('NOT_LATEST_VERSION', `version ${report.version} has a newer version ${latest}; correct the latest one.`, 'reportId');
        const facility = await lockFacility(this.db, trx, report.facility_id);
        const program = await programIn(trx, report.jurisdiction_id);
        const converted = convertReport(program, int(report.fiscal_year), lines);
        if (!converted.ok) refuseAll(converted.refusals);
        const id = this.newId();
        await this.insertReport(trx, { id, facility, fiscalYear: int(report.fiscal_year), version: latest + 1, lines: converted.value.lines, correctsReportId: reportId, actor });
        return this.load(trx, id);
      });
    } catch (error) {
      if (isUniqueViolation(error)) refuse('OPEN_REPORT_EXISTS', 'a correction of this report was made at the same time.', 'reportId');
      throw error;
    }
  }

  async report(reportId: string): Promise<ReportView> {
    return this.tx((trx) => this.load(trx, reportId));
  }

  // ---- base years ------------------------------------------------------------------------------------------------

  /**
   * The operator's choice of base years: consecutive fiscal years inside the program's window, each with an accepted
   * report; base emissions are their average (program rounding). A new choice supersedes the active one.
   */
  async chooseBaseYear(facilityId: string, firstFiscalYear: number, lastFiscalYear: number, actor: string): Promise<BaseYearView> {
    checkActor(actor);
    return this.tx(async (trx) => {
      const facility = await lockFacility(this.db, trx, facilityId);
      const program = await programIn(trx, facility.jurisdiction_id);
      const wrong = checkBaseYearChoice(program, firstFiscalYear, lastFiscalYear);
      if (wrong !== undefined) throw new RefusedError(wrong);
      const status = currentStatus(await statusHistory(trx, facilityId));
      if (status === undefined || !REPORTING_STATUSES.includes(status as 'designated')) {
        refuse('FACILITY_NOT_DESIGNATED', `facility ${facility.code} is ${status ?? 'not designated'}; base years are chosen by designated or specified facilities.`, 'facilityId');
      }
      const accepted = await trx
        .selectFrom('reports')
        .select(['fiscal_year', 'emissions_kg'])
        .where('facility_id', '=', facilityId)
        .where('status', '=', 'accepted')
        .where('fiscal_year', '>=', firstFiscalYear)
        .where('fiscal_year', '<=', lastFiscalYear)
        .execute();
      const years = accepted.map((r) => ({ fiscalYear: int(r.fiscal_year), emissionsKg: big(r.emissions_kg) }));
      for (let fy = firstFiscalYear; fy <= lastFiscalYear; fy++) {
        if (!years.some((y) => y.fiscalYear === fy)) refuse('MISSING_ACCEPTED_REPORT', `FY${fy} has no accepted report; base years are averaged from accepted reports.`, fy === firstFiscalYear ? 'firstFiscalYear' : 'lastFiscalYear');
      }
      const avg = averageBaseYear(program, years);
      if (!avg.ok) throw new RefusedError(avg.refusal);
      const sorted = [...years].sort((a, b) => a.fiscalYear - b.fiscalYear);
      const reason = `average of FY${firstFiscalYear}–FY${lastFiscalYear} accepted emissions (${sorted.map((y) => `FY${y.fiscalYear} ${y.emissionsKg} kg`).join(', ')})`;
      return this.insertBase(trx, { facilityId, firstFiscalYear, lastFiscalYear, baseKg: avg.value.baseKg, baseT: avg.value.baseT, reason, actor });
    });
  }

  async activeBaseYear(facilityId: string): Promise<BaseYearView | undefined> {
    return this.tx((trx) => this.activeBase(trx, facilityId));
  }

  /** Asks for recalculation after a change of floor area or use; refused unless base emissions move by the threshold or more. */
  async requestRecalculation(facilityId: string, input: RecalculationInput, actor: string): Promise<{ id: string; changePpm: bigint }> {
    checkActor(actor);
    if (input.useAfter !== undefined && (input.useAfter.trim() === '' || input.useAfter.length > 64)) refuse('TEXT_INVALID', 'useAfter is 1 to 64 characters.', 'useAfter');
    if (input.reason !== undefined && (input.reason.trim() === '' || input.reason.length > FACILITY_LIMITS.reason)) refuse('TEXT_INVALID', `reason is 1 to ${FACILITY_LIMITS.reason} characters.`, 'reason');
    return this.tx(async (trx) => {
      const facility = await lockFacility(this.db, trx, facilityId);
      const program = await programIn(trx, facility.jurisdiction_id);
      const base = await this.activeBase(trx, facilityId);
      if (base === undefined) refuse('NO_ACTIVE_BASE_YEAR', `facility ${facility.code} has no active base year to recalculate.`, 'facilityId');
      const pending = await trx.selectFrom('recalculation_requests').select('id').where('facility_id', '=', facilityId).where('status', '=', 'requested').executeTakeFirst();
      if (pending !== undefined) refuse('RECALCULATION_PENDING', `request ${pending.id} is still waiting for a decision.`, 'facilityId');
      const floorBefore = facility.floor_area_m2 === null ? undefined : big(facility.floor_area_m2);
      const check = checkRecalculation(program, {
        baseKg: base.baseKg,
        ...(floorBefore === undefined ? {} : { floorAreaBeforeM2: floorBefore }),
        ...(input.floorAreaAfterM2 === undefined ? {} : { floorAreaAfterM2: input.floorAreaAfterM2 }),
        ...(input.estimatedBaseKg === undefined ? {} : { estimatedBaseKg: input.estimatedBaseKg }),
      });
      if (!check.ok) throw new RefusedError(check.refusal);
      const id = this.newId();
      const use = input.useAfter === undefined ? '' : `; use ${facility.use_type} → ${input.useAfter}`;
      await trx
        .insertInto('recalculation_requests')
        .values({
          id,
          facility_id: facilityId,
          reason: input.reason ?? `${check.value.basis}${use}`,
          floor_area_before_m2: floorBefore ?? null,
          floor_area_after_m2: input.floorAreaAfterM2 ?? null,
          use_before: facility.use_type,
          use_after: input.useAfter ?? null,
          change_ppm: check.value.changePpm,
          status: 'requested',
          requested_at: this.now(),
          requested_by: actor,
        })
        .execute();
      return { id, changePpm: check.value.changePpm };
    });
  }

  /**
   * The authority's decision. Approval supersedes the active base year with the recalculated one — the active base
   * × (1 + change), or `baseKg` when the authority states the verified figure — and records the new floor area and use.
   */
  async decideRecalculation(requestId: string, decision: { approve: boolean; baseKg?: bigint }, actor: string): Promise<BaseYearView | undefined> {
    checkActor(actor);
    if (decision.baseKg !== undefined && decision.baseKg < 0n) refuse('NEGATIVE_QUANTITY', 'the base must not be negative.', 'baseKg');
    return this.tx(async (trx) => {
      const request = await trx.selectFrom('recalculation_requests').selectAll().where('id', '=', requestId).executeTakeFirst();
      if (request === undefined) refuse('UNKNOWN_REQUEST', `No recalculation request ${requestId}.`, 'requestId');
      const facility = await lockFacility(this.db, trx, request.facility_id);
      if (request.status !== 'requested') refuse('REQUEST_DECIDED', `request ${requestId} is already ${request.status}.`, 'requestId');
      const now = this.now();
      await trx.updateTable('recalculation_requests').set({ status: decision.approve ? 'approved' : 'rejected', decided_at: now, decided_by: actor }).where('id', '=', requestId).execute();
      if (!decision.approve) return undefined;
      const program = await programIn(trx, facility.jurisdiction_id);
      const base = await this.activeBase(trx, facility.id);
      if (base === undefined) refuse('NO_ACTIVE_BASE_YEAR', `facility ${facility.code} has no active base year to recalculate.`, 'requestId');
      const exactKg = decision.baseKg === undefined ? Rational.of(base.baseKg).mul(Rational.of(1_000_000n + big(request.change_ppm), 1_000_000n)) : Rational.of(decision.baseKg);
      const baseKg = exactKg.round(0, program.rounding.emissionsT.mode).toBigInt();
      const baseT = wholeTonnes(program, Rational.of(baseKg, 1000n));
      const facilityChange: { floor_area_m2?: bigint; use_type?: string } = {};
      if (request.floor_area_after_m2 !== null) facilityChange.floor_area_m2 = big(request.floor_area_after_m2);
      if (request.use_after !== null) facilityChange.use_type = request.use_after;
      if (Object.keys(facilityChange).length > 0) await trx.updateTable('facilities').set(facilityChange).where('id', '=', facility.id).execute();
      const how = decision.baseKg === undefined ? `change ${request.change_ppm} ppm` : `verified base ${decision.baseKg} kg`;
      return this.insertBase(trx, {
        facilityId: facility.id,
        firstFiscalYear: base.firstFiscalYear,
        lastFiscalYear: base.lastFiscalYear,
        baseKg,
        baseT,
        reason: `recalculated on request ${requestId} (${request.reason}; ${how}); was ${base.baseKg} kg`,
        actor,
      });
    });
  }

  // ---- internals -------------------------------------------------------------------------------------------------

  private now(): string {
    return this.clock().toISOString();
  }

  /**
   * A report for a fiscal year needs the facility designated or specified for that year. Years before the program
   * in its base-year window (historical reports for the base year) need the facility designated or specified now.
   */
  private async checkDesignated(trx: Trx, facility: FacilityRow, fiscalYear: number, isBaseWindowYear: (fy: number) => boolean): Promise<void> {
    const history = await statusHistory(trx, facility.id);
    const status = isBaseWindowYear(fiscalYear) ? currentStatus(history) : statusForYear(history, fiscalYear);
    if (status === undefined || !REPORTING_STATUSES.includes(status as 'designated')) {
      refuse('FACILITY_NOT_DESIGNATED', `facility ${facility.code} is ${status ?? 'not designated'} for FY${fiscalYear}; only designated or specified facilities report.`, 'facilityId');
    }
  }

  private async lockReport(trx: Trx, reportId: string) {
    const report = await trx.selectFrom('reports').selectAll().where('id', '=', reportId).executeTakeFirst();
    if (report === undefined) refuse('UNKNOWN_REPORT', `No report ${reportId}.`, 'reportId');
    // Lock through the facility: every use-case on one facility's reports takes the same row lock first.
    await lockFacility(this.db, trx, report.facility_id);
    const fresh = await trx.selectFrom('reports').selectAll().where('id', '=', reportId).executeTakeFirstOrThrow();
    return fresh;
  }

  private async insertReport(trx: Trx, r: { id: string; facility: FacilityRow; fiscalYear: number; version: number; lines: readonly ComputedLine[]; correctsReportId: string | null; actor: string }): Promise<void> {
    let coeL = 0n;
    let emissionsKg = 0n;
    for (const l of r.lines) {
      coeL += l.coeL;
      if (l.kind === 'energy') emissionsKg += l.co2Kg;
    }
    await trx
      .insertInto('reports')
      .values({
        id: r.id,
        jurisdiction_id: r.facility.jurisdiction_id,
        facility_id: r.facility.id,
        fiscal_year: r.fiscalYear,
        version: r.version,
        status: 'draft',
        coe_l: coeL,
        emissions_kg: emissionsKg,
        created_at: this.now(),
        created_by: r.actor,
        corrects_report_id: r.correctsReportId,
      })
      .execute();
    await this.insertLines(trx, r.id, r.lines);
  }

  private async insertLines(trx: Trx, reportId: string, lines: readonly ComputedLine[]): Promise<void> {
    if (lines.length === 0) return;
    await trx
      .insertInto('report_lines')
      .values(lines.map((l) => ({ report_id: reportId, line_no: l.lineNo, kind: l.kind, source: l.source, quantity: l.quantity, unit: l.unit, coe_l: l.coeL, co2_kg: l.co2Kg })))
      .execute();
  }

  private async load(trx: Trx, reportId: string): Promise<ReportView> {
    const r = await trx.selectFrom('reports').selectAll().where('id', '=', reportId).executeTakeFirst();
    if (r === undefined) refuse('UNKNOWN_REPORT', `No report ${reportId}.`, 'reportId');
    const rows = await trx.selectFrom('report_lines').selectAll().where('report_id', '=', reportId).orderBy('line_no').execute();
    const lines: ComputedLine[] = rows.map((l) => ({ lineNo: int(l.line_no), kind: l.kind as LineKind, source: l.source, quantity: l.quantity, unit: l.unit, coeL: big(l.coe_l), co2Kg: big(l.co2_kg) }));
    return {
      id: r.id,
      facilityId: r.facility_id,
      fiscalYear: int(r.fiscal_year),
      version: int(r.version),
      status: r.status,
      coeL: big(r.coe_l),
      emissionsKg: big(r.emissions_kg),
      otherGasCo2eKg: lines.filter((l) => l.kind !== 'energy').reduce((s, l) => s + l.co2Kg, 0n),
      lines,
      correctsReportId: r.corrects_report_id,
      agencyId: r.agency_id,
      returnedReason: r.returned_reason,
    };
  }

  private async activeBase(trx: Trx, facilityId: string): Promise<BaseYearView | undefined> {
    const row = await trx.selectFrom('base_years').selectAll().where('facility_id', '=', facilityId).where('status', '=', 'active').executeTakeFirst();
    return row === undefined ? undefined : baseView(row);
  }

  private async insertBase(trx: Trx, b: { facilityId: string; firstFiscalYear: number; lastFiscalYear: number; baseKg: bigint; baseT: bigint; reason: string; actor: string }): Promise<BaseYearView> {
    await trx.updateTable('base_years').set({ status: 'superseded' }).where('facility_id', '=', b.facilityId).where('status', '=', 'active').execute();
    const id = this.newId();
    const row = {
      id,
      facility_id: b.facilityId,
      first_fiscal_year: b.firstFiscalYear,
      last_fiscal_year: b.lastFiscalYear,
      base_kg: b.baseKg,
      base_t: b.baseT,
      status: 'active',
      reason: b.reason,
      chosen_at: this.now(),
      chosen_by: b.actor,
    };
    await trx.insertInto('base_years').values(row).execute();
    return baseView(row);
  }
}

function baseView(r: { id: string; facility_id: string; first_fiscal_year: number; last_fiscal_year: number; base_kg: bigint; base_t: bigint; status: string; reason: string }): BaseYearView {
  return {
    id: r.id,
    facilityId: r.facility_id,
    firstFiscalYear: int(r.first_fiscal_year),
    lastFiscalYear: int(r.last_fiscal_year),
    baseKg: big(r.base_kg),
    baseT: big(r.base_t),
    status: r.status,
    reason: r.reason,
  };
}

function checkActor(actor: string): void {
  if (actor.trim() === '' || actor.length > FACILITY_LIMITS.text) refuse('TEXT_INVALID', `actor is 1 to ${FACILITY_LIMITS.text} characters.`, 'actor');
}
