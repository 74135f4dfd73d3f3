// The data-in use-cases: the report template for a facility and year; a filled template (or a reports file) uploaded
// by the facility's operator becoming a draft report; bulk imports of reports and of facilities. Every file is
// all-or-nothing: it is read and checked completely (every problem listed with its cell), then written in ONE
// database transaction through the same use-cases the API calls (ReportingService: authorization, conversion and
// audit exactly as there) — so a refusal anywhere writes nothing.
//
// Bulk report imports come in two modes. `draft` runs each report through the operator's use-cases (create a draft,
// replace a draft's lines, or correct a returned or accepted report): the actor needs report.submit on each
// facility, as through the API. `accepted` is for an authority migrating verified history from its former system:
// the reports are stored as accepted, first versions, with the same conversion and the same rows as the reporting
// use-cases store (as the EU ETS import and the demo city do). It needs program.configure (the authority
// administrator), because it records figures as accepted without verification in citycap; every report is an audit
// event naming the import. Why not drafts: the authority may not draft operators' reports, and re-verifying years
// that were verified and accepted elsewhere would cost operators and verifiers work for nothing.
import { createHash } from 'node:crypto';
import type { Insertable } from 'kysely';
import { RefusedError, type Refusal } from '../../domain/errors.js';
import type { Actor } from '../../domain/access/roles.js';
import { convertReport, inBaseYearWindow, litresAsKl, periodOfFiscalYear } from '../../domain/mrv/conversion.js';
import { REPORTING_STATUSES, statusForYear } from '../../domain/mrv/designation.js';
import { assert } from '../../domain/assert.js';
import type { ProgramDefinition } from '../../domain/program/schema.js';
import type { Database } from '../../store/db.js';
import type { ReportLineTable, ReportTable } from '../../store/schema.js';
import { auditEventRow } from '../audit.js';
import { AccessControl, forbidden } from '../authorization.js';
import { currentStatus, int } from '../facilities.js';
import { uuidv7 } from '../ids.js';
import { programIn } from '../programs.js';
import { Registry } from '../registry.js';
import { ReportingService, type JurisdictionRef } from '../reporting-service.js';
import type { ReportView } from '../reporting.js';
import { exportFile, reportsInForce, type ExportFormat } from './export.js';
import { inOneTransaction } from './one-transaction.js';
import { checkFileSize, readSpreadsheet } from './parse.js';
import { ImportRefusedError, ProblemList, type Place } from './problems.js';
import { reportTemplate, templateFileName } from './template.js';
import { facilitiesFromFile, facilityPlace, placeOfRefusal, reportsFromFile, type FacilityRecord, type ReportBlock, type ReportsFile } from './validate.js';

export type ImportStage = 'reading' | 'checking' | 'writing';
/** Progress of a long import: `total` 0 while it is not known yet. */
export type ProgressListener = (stage: ImportStage, done: number, total: number) => void;
export type ReportImportMode = 'accepted' | 'draft';

export interface ImportOptions {
  /** Check everything and run every write, then roll back: what would happen, with nothing written. */
  readonly dryRun?: boolean;
  readonly onProgress?: ProgressListener;
}

export interface ReportOutcome {
  readonly facility: string;
  readonly fiscalYear: number;
  readonly reportId: string;
  readonly version: number;
  readonly status: string;
  /** created (a new draft), updated (a draft's lines replaced), corrected (a new version), accepted (imported). */
  readonly action: 'created' | 'updated' | 'corrected' | 'accepted';
  readonly lines: number;
  readonly coeKl: string;
  readonly emissionsKg: bigint;
}

export interface ReportsImportResult {
  readonly mode: ReportImportMode;
  readonly dryRun: boolean;
  readonly layout: ReportsFile['layout'];
  readonly reports: number;
  readonly lines: number;
  /** SHA-256 of the file, as recorded in the audit events. */
  readonly sha256: string;
  readonly items: readonly ReportOutcome[];
}

export interface FacilityOutcome {
  readonly code: string;
  readonly id: string;
  readonly status: string;
  readonly accountNumber: string | null;
}

export interface FacilitiesImportResult {
  readonly dryRun: boolean;
  readonly facilities: number;
  readonly statusDecisions: number;
  readonly sha256: string;
  readonly items: readonly FacilityOutcome[];
}

/** Codes of refusals that are about who acts, not about the file: they stay what they are (403 …). */
const NOT_ABOUT_THE_FILE = new Set(['FORBIDDEN', 'UNAUTHENTICATED', 'SIGN_IN_REQUIRED', 'UNKNOWN_JURISDICTION', 'NO_PROGRAM']);
const IDS_PER_QUERY = 500;
const ROWS_PER_INSERT = 500;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface FacilityFacts {
  readonly id: string;
  readonly code: string;
  readonly history: { fiscalYear: number; seq: number; status: string; reason: string }[];
}

interface ExistingReport {
  readonly id: string;
  readonly version: number;
  readonly status: string;
}

export class DataImport {
  private readonly clock: () => Date;
  readonly access: AccessControl;
  readonly service: ReportingService;

  constructor(
    readonly db: Database,
    options: { readonly clock?: (() => Date) | undefined; readonly access?: AccessControl | undefined } = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.access = options.access ?? new AccessControl(db, { clock: this.clock });
    this.service = new ReportingService(db, { clock: this.clock, access: this.access });
  }

  /** The reporting use-cases over a transaction view; access control reads through it too, with the same settings. */
  private serviceIn(view: Database): ReportingService {
    const access = new AccessControl(view, { clock: this.clock, settings: (jurisdictionId) => this.access.settingsFor(jurisdictionId) });
    return new ReportingService(view, { clock: this.clock, access, registry: new Registry(view, { clock: this.clock }) });
  }

  private async require(actor: Actor, action: 'program.configure', j: JurisdictionRef): Promise<void> {
    const d = await this.access.authorize(actor, action, { jurisdictionId: j.id });
    if (!d.allowed) throw forbidden(d.refusal);
  }

  // ---- the template ------------------------------------------------------------------------------------------

  /** The report template for a facility and fiscal year (filled with the lines of an open draft, if there is one). */
  async template(actor: Actor, code: string, facilityCode: string, fiscalYear: number): Promise<{ fileName: string; bytes: Buffer }> {
    await this.service.gate(actor, ['report.submit'], code, { facility: facilityCode });
    const j = await this.service.jurisdiction(code);
    const facility = await this.service.facility(actor, code, facilityCode);
    const names = await this.db.kysely.selectFrom('jurisdictions').select(['name_en', 'name_ja']).where('id', '=', j.id).executeTakeFirstOrThrow();
    const program = await programIn(this.db.kysely, j.id);
    const draft = await this.db.kysely.selectFrom('reports').select('id').where('facility_id', '=', facility.id).where('fiscal_year', '=', fiscalYear).where('status', '=', 'draft').executeTakeFirst();
    const lines = draft === undefined ? [] : (await this.service.report(actor, code, draft.id)).lines.map((l) => ({ kind: l.kind, source: l.source, quantity: l.quantity, unit: l.unit }));
    const bytes = await reportTemplate({ program, jurisdiction: { code: j.code, name: `${names.name_en} / ${names.name_ja}` }, facility: { code: facility.code, name: facility.name }, fiscalYear, lines });
    return { fileName: templateFileName(j.code, facility.code, fiscalYear), bytes };
  }

  // ---- reports -----------------------------------------------------------------------------------------------

  /**
   * A filled template (or a reports file with one facility-year) uploaded for one facility: it becomes that
   * facility's draft report for the year — a new draft, the open draft's lines replaced, or a correction (a new
   * draft version) of a returned or accepted report.
   */
  async uploadReport(actor: Actor, code: string, facilityCode: string, bytes: Uint8Array, options: ImportOptions = {}): Promise<ReportsImportResult> {
    await this.service.gate(actor, ['report.submit'], code, { facility: facilityCode });
    await this.service.facility(actor, code, facilityCode); // the path's facility: 404 when there is none
    return this.reports(actor, code, bytes, 'draft', options, (file, problems) => {
      const [first, second] = file.reports;
      if (second !== undefined) problems.add(second.facilityPlace, second.facilityCode, 'MULTIPLE_REPORTS', `an upload is one facility's report for one fiscal year (this file also has ${second.facilityCode} FY${second.fiscalYear}); use the bulk import for more`);
      if (first !== undefined && first.facilityCode !== facilityCode) {
        problems.add(first.facilityPlace, first.facilityCode, 'FACILITY_MISMATCH', `the file is for facility ${first.facilityCode}, but it is uploaded for ${facilityCode}`);
      }
    });
  }

  /** A bulk import of reports (many facilities and years): as accepted history, or as drafts (see the file header). */
  async importReports(actor: Actor, code: string, bytes: Uint8Array, mode: ReportImportMode, options: ImportOptions = {}): Promise<ReportsImportResult> {
    if (mode === 'accepted') await this.require(actor, 'program.configure', await this.service.jurisdiction(code));
    else await this.service.gate(actor, ['report.submit'], code);
    return this.reports(actor, code, bytes, mode, options);
  }

  private async reports(actor: Actor, code: string, bytes: Uint8Array, mode: ReportImportMode, options: ImportOptions, extraChecks?: (file: ReportsFile, problems: ProblemList) => void): Promise<ReportsImportResult> {
    const progress = options.onProgress ?? ((): void => undefined);
    const j = await this.service.jurisdiction(code);
    checkFileSize(bytes.byteLength);
    const digest = sha256(bytes);
    progress('reading', 0, 0);
    const parsed = await readSpreadsheet(bytes, { onRows: (n) => { progress('reading', n, 0); } });
    const program = await programIn(this.db.kysely, j.id);
    const problems = new ProblemList();
    const file = reportsFromFile(parsed, program, j.code, problems);
    extraChecks?.(file, problems);

    // The database's checks run on every report the file names, even when the file has problems of its own, so
    // that one refusal lists them all.
    const items = await inOneTransaction(
      this.db,
      async (view) => {
        progress('checking', 0, file.reports.length);
        const facts = await this.facilityFacts(view, j, file.reports.map((r) => r.facilityCode));
        const existing = await this.existingReports(view, [...facts.values()].map((f) => f.id));
        for (const r of file.reports) this.checkAgainstDatabase(r, program, mode, facts, existing, problems);
        problems.throwIfAny();
        progress('checking', file.reports.length, file.reports.length);
        return mode === 'accepted'
          ? this.writeAccepted(view, actor, j, program, file.reports, facts, digest, progress)
          : this.writeDrafts(view, actor, j, file.reports, facts, existing, progress);
      },
      { dryRun: options.dryRun === true },
    );
    return { mode, dryRun: options.dryRun === true, layout: file.layout, reports: file.reports.length, lines: file.lineCount, sha256: digest, items };
  }

  /** The facilities the reports name (by code), with their status history. */
  private async facilityFacts(view: Database, j: JurisdictionRef, codes: readonly string[]): Promise<Map<string, FacilityFacts>> {
    const out = new Map<string, FacilityFacts>();
    for (const part of chunked([...new Set(codes)], IDS_PER_QUERY)) {
      const rows = await view.kysely.selectFrom('facilities').select(['id', 'code']).where('jurisdiction_id', '=', j.id).where('code', 'in', part).execute();
      for (const r of rows) out.set(r.code, { id: r.id, code: r.code, history: [] });
    }
    const byId = new Map([...out.values()].map((f) => [f.id, f]));
    for (const part of chunked([...byId.keys()], IDS_PER_QUERY)) {
      const rows = await view.kysely.selectFrom('facility_status_history').select(['facility_id', 'fiscal_year', 'seq', 'status', 'reason']).where('facility_id', 'in', part).execute();
      for (const r of rows) byId.get(r.facility_id)?.history.push({ fiscalYear: int(r.fiscal_year), seq: int(r.seq), status: r.status, reason: r.reason });
    }
    return out;
  }

  /** Every report of these facilities, latest version first per facility-year: `facilityId fiscalYear` → versions. */
  private async existingReports(view: Database, facilityIds: readonly string[]): Promise<Map<string, ExistingReport[]>> {
    const out = new Map<string, ExistingReport[]>();
    for (const part of chunked(facilityIds, IDS_PER_QUERY)) {
      const rows = await view.kysely.selectFrom('reports').select(['id', 'facility_id', 'fiscal_year', 'version', 'status']).where('facility_id', 'in', part).orderBy('version', 'desc').execute();
      for (const r of rows) {
        const key = `${r.facility_id} ${int(r.fiscal_year)}`;
        const list = out.get(key) ?? [];
        list.push({ id: r.id, version: int(r.version), status: r.status });
        out.set(key, list);
      }
    }
    return out;
  }

  /** What the reporting use-cases would refuse about the facility and the year, checked for every report at once. */
  private checkAgainstDatabase(r: ReportBlock, program: ProgramDefinition, mode: ReportImportMode, facts: ReadonlyMap<string, FacilityFacts>, existing: ReadonlyMap<string, ExistingReport[]>, problems: ProblemList): void {
    const f = facts.get(r.facilityCode);
    if (f === undefined) {
      problems.add(r.facilityPlace, r.facilityCode, 'UNKNOWN_FACILITY', `no facility ${r.facilityCode} is registered in this jurisdiction`);
      return;
    }
    const versions = existing.get(`${f.id} ${r.fiscalYear}`) ?? [];
    const latest = versions[0];
    const fy = `FY${r.fiscalYear}`;
    if (mode === 'accepted' && latest !== undefined) {
      const open = versions.some((v) => ['draft', 'submitted', 'verified'].includes(v.status));
      problems.add(r.yearPlace, String(r.fiscalYear), open ? 'OPEN_REPORT_EXISTS' : 'REPORT_EXISTS', `${r.facilityCode} already has a ${latest.status} report for ${fy} (version ${latest.version}); an import adds history only where there is none`);
      return;
    }
    if (mode === 'draft' && latest !== undefined && (latest.status === 'submitted' || latest.status === 'verified')) {
      problems.add(r.yearPlace, String(r.fiscalYear), 'OPEN_REPORT_EXISTS', `${r.facilityCode}'s ${fy} report is ${latest.status}; it can be replaced once it is returned (or corrected once accepted)`);
      return;
    }
    if (latest !== undefined) return; // an update or a correction: the year was accepted for reporting before
    const baseWindowYear = periodOfFiscalYear(program, r.fiscalYear) === undefined && inBaseYearWindow(program, r.fiscalYear);
    const status = baseWindowYear ? currentStatus(f.history) : statusForYear(f.history, r.fiscalYear);
    if (status === undefined || !(REPORTING_STATUSES as readonly string[]).includes(status)) {
      problems.add(r.facilityPlace, r.facilityCode, 'FACILITY_NOT_DESIGNATED', `facility ${r.facilityCode} is ${status ?? 'not designated'} for ${fy}; only designated or specified facilities report`);
    }
  }

  /** Drafts through the operator's use-cases, one report at a time, inside the import's transaction. */
  private async writeDrafts(view: Database, actor: Actor, j: JurisdictionRef, reports: readonly ReportBlock[], facts: ReadonlyMap<string, FacilityFacts>, existing: ReadonlyMap<string, ExistingReport[]>, progress: ProgressListener): Promise<ReportOutcome[]> {
    const svc = this.serviceIn(view);
    const out: ReportOutcome[] = [];
    for (const [n, r] of reports.entries()) {
      const f = facts.get(r.facilityCode)!;
      const latest = existing.get(`${f.id} ${r.fiscalYear}`)?.[0];
      const lines = r.lines.map((l) => l.line);
      const run = async (): Promise<{ view: ReportView; action: ReportOutcome['action'] }> => {
        if (latest === undefined) return { view: await svc.createDraft(actor, j.code, r.facilityCode, r.fiscalYear, lines), action: 'created' };
        if (latest.status === 'draft') return { view: await svc.updateDraft(actor, j.code, latest.id, lines), action: 'updated' };
        return { view: await svc.correct(actor, j.code, latest.id, lines), action: 'corrected' };
      };
      const done = await refusedAsProblem(r, run);
      out.push(outcomeOf(r, done.view, done.action));
      progress('writing', n + 1, reports.length);
    }
    return out;
  }

  /** Accepted first versions, written as the reporting use-cases store them, with one audit event per report. */
  private async writeAccepted(view: Database, actor: Actor, j: JurisdictionRef, program: ProgramDefinition, reports: readonly ReportBlock[], facts: ReadonlyMap<string, FacilityFacts>, digest: string, progress: ProgressListener): Promise<ReportOutcome[]> {
    const now = this.clock().toISOString();
    const out: ReportOutcome[] = [];
    let written = 0;
    for (const part of chunked(reports, ROWS_PER_INSERT)) {
      const reportRows: Insertable<ReportTable>[] = [];
      const lineRows: ReportLineTable[] = [];
      const audit = [];
      for (const r of part) {
        const converted = convertReport(program, r.fiscalYear, r.lines.map((l) => l.line));
        assert(converted.ok, 'imported lines were checked with the same conversion');
        const id = uuidv7();
        const totals = converted.value.totals;
        reportRows.push({
          id,
          jurisdiction_id: j.id,
          facility_id: facts.get(r.facilityCode)!.id,
          fiscal_year: r.fiscalYear,
          version: 1,
          status: 'accepted',
          coe_l: totals.coeL,
          emissions_kg: totals.energyCo2Kg,
          created_at: now,
          created_by: actor.id,
          submitted_at: now,
          verified_at: null,
          verified_by: null,
          agency_id: null,
          accepted_at: now,
          accepted_by: actor.id,
          returned_at: null,
          returned_reason: null,
          corrects_report_id: null,
        });
        for (const l of converted.value.lines) lineRows.push({ report_id: id, line_no: l.lineNo, kind: l.kind, source: l.source, quantity: l.quantity, unit: l.unit, coe_l: l.coeL, co2_kg: l.co2Kg });
        const summary = { facility: r.facilityCode, fiscalYear: r.fiscalYear, version: 1, status: 'accepted', coeL: totals.coeL, emissionsKg: totals.energyCo2Kg, fileSha256: digest };
        audit.push(auditEventRow(actor, { jurisdictionId: j.id, action: 'report.import', objectType: 'report', objectId: id, after: summary }, new Date(now)));
        out.push({ facility: r.facilityCode, fiscalYear: r.fiscalYear, reportId: id, version: 1, status: 'accepted', action: 'accepted', lines: r.lines.length, coeKl: litresAsKl(totals.coeL), emissionsKg: totals.energyCo2Kg });
      }
      await view.kysely.insertInto('reports').values(reportRows).execute();
      for (const lines of chunked(lineRows, ROWS_PER_INSERT * 2)) await view.kysely.insertInto('report_lines').values(lines).execute();
      await view.kysely.insertInto('audit_events').values(audit).execute();
      written += part.length;
      progress('writing', written, reports.length);
    }
    return out;
  }

  // ---- facilities ------------------------------------------------------------------------------------------

  /**
   * A bulk import of facilities: each registered through the facilities use-case (which opens its compliance
   * account and, with declared energy use, records the first designation), and the authority's status decision
   * recorded where the file gives one. The actor needs facility.register (and facility.designate for statuses).
   */
  async importFacilities(actor: Actor, code: string, bytes: Uint8Array, options: ImportOptions = {}): Promise<FacilitiesImportResult> {
    await this.service.gate(actor, ['facility.register'], code);
    const progress = options.onProgress ?? ((): void => undefined);
    const j = await this.service.jurisdiction(code);
    checkFileSize(bytes.byteLength);
    const digest = sha256(bytes);
    progress('reading', 0, 0);
    const parsed = await readSpreadsheet(bytes, { onRows: (n) => { progress('reading', n, 0); } });
    const program = await programIn(this.db.kysely, j.id);
    const problems = new ProblemList();
    const records = facilitiesFromFile(parsed, program, problems, `recorded by bulk import (file ${digest.slice(0, 12)})`);

    const items = await inOneTransaction(
      this.db,
      async (view) => {
        progress('checking', 0, records.length);
        for (const part of chunked(records, IDS_PER_QUERY)) {
          const taken = await view.kysely.selectFrom('facilities').select('code').where('jurisdiction_id', '=', j.id).where('code', 'in', part.map((r) => r.input.code)).execute();
          const codes = new Set(taken.map((t) => t.code));
          for (const r of part) if (codes.has(r.input.code)) problems.add(facilityPlace(r, 'code'), r.input.code, 'FACILITY_CODE_TAKEN', `facility ${r.input.code} is already registered`);
        }
        problems.throwIfAny();
        progress('checking', records.length, records.length);
        const svc = this.serviceIn(view);
        const out: FacilityOutcome[] = [];
        for (const [n, r] of records.entries()) {
          const created = await facilityRefusedAsProblem(r, () => svc.registerFacility(actor, j.code, r.input));
          let status = created.status;
          if (r.status !== undefined) {
            const s = r.status;
            await facilityRefusedAsProblem(r, () => svc.decideDesignation(actor, j.code, r.input.code, s));
            status = (await svc.facility(actor, j.code, r.input.code)).status;
          }
          out.push({ code: r.input.code, id: created.id, status, accountNumber: created.accountNumber });
          progress('writing', n + 1, records.length);
        }
        return out;
      },
      { dryRun: options.dryRun === true },
    );
    return { dryRun: options.dryRun === true, facilities: items.length, statusDecisions: records.filter((r) => r.status !== undefined).length, sha256: digest, items };
  }

  // ---- export ----------------------------------------------------------------------------------------------

  /**
   * The reports in force, as a reports file: of one facility (report.read on it), or of the whole jurisdiction
   * (report.review: the authority).
   */
  async exportReports(actor: Actor, code: string, options: { facility?: string; format: ExportFormat }): Promise<{ fileName: string; bytes: Buffer; contentType: string; reports: number }> {
    const j = await this.service.jurisdiction(code);
    let facilityId: string | undefined;
    if (options.facility === undefined) {
      const d = await this.access.authorize(actor, 'report.review', { jurisdictionId: j.id });
      if (!d.allowed) throw forbidden(d.refusal);
    } else {
      await this.service.gate(actor, ['report.read'], code, { facility: options.facility });
      facilityId = (await this.service.facility(actor, code, options.facility)).id;
    }
    const reports = await reportsInForce(this.db, j.id, facilityId);
    const file = await exportFile(reports, options.format);
    const name = `reports-${j.code}${options.facility === undefined ? '' : `-${options.facility}`}.${options.format}`;
    return { fileName: name, bytes: file.bytes, contentType: file.contentType, reports: reports.length };
  }
}

function outcomeOf(r: ReportBlock, v: ReportView, action: ReportOutcome['action']): ReportOutcome {
  return { facility: r.facilityCode, fiscalYear: v.fiscalYear, reportId: v.id, version: v.version, status: v.status, action, lines: v.lines.length, coeKl: litresAsKl(v.coeL), emissionsKg: v.emissionsKg };
}

/** A use-case refusal while writing becomes a problem of the file, at the cell it names (who acts stays who acts). */
async function refusedAsProblem<T>(r: ReportBlock, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof RefusedError) || error instanceof ImportRefusedError || NOT_ABOUT_THE_FILE.has(error.refusal.code)) throw error;
    const { place, value } = placeOfRefusal(r, error.refusal);
    throw problemError(place, value, error.refusal);
  }
}

const FACILITY_FIELDS: Readonly<Record<string, string>> = {
  code: 'code',
  name: 'name',
  owner: 'owner',
  category: 'category',
  useType: 'use_type',
  floorAreaM2: 'floor_area_m2',
  address: 'address',
  city: 'city',
  country: 'country',
  declaredEnergy: 'declared_energy',
  fiscalYear: 'status_from_fiscal_year',
  status: 'status',
  reason: 'status_reason',
};

async function facilityRefusedAsProblem<T>(f: FacilityRecord, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof RefusedError) || error instanceof ImportRefusedError || NOT_ABOUT_THE_FILE.has(error.refusal.code)) throw error;
    const head = (error.refusal.field ?? 'code').split(/[.[]/)[0] ?? 'code';
    throw problemError(facilityPlace(f, FACILITY_FIELDS[head] ?? 'code'), null, error.refusal);
  }
}

function problemError(place: Place, value: string | null, r: Refusal): ImportRefusedError {
  const list = new ProblemList();
  list.add(place, value, r.code, r.message.replace(/\.$/, ''));
  return new ImportRefusedError(list.items);
}
