// The demo city `npm start` shows: a demo TOKYO jurisdiction with the tokyo program and ~1,200 facilities whose
// aggregate base-year emissions and annual totals reproduce Tokyo's published results (demo-city/figures.ts), with
// reports, verifications, excess-reduction credits issued and traded, periods 1 and 2 assessed, and a user for
// every role. Deterministic from the seed. docs/demo.md describes it.
//
// Everything goes through the use-cases, on a simulated clock from 2009 to 2025: registration (Facilities),
// reports of the four showcase facilities (ReportingService: authorization, audit), credits (credits.ts), transfers
// (RegistryPolicy: four eyes, trusted lists, the delay for untrusted destinations), surrender and compliance runs
// (ReportingService). Two things are written directly, each for its reason: the other facilities' accepted reports
// and base years (demo-city/bulk.ts: four transactions per report would take minutes), and the users' TOTP secrets
// (the enrolment use-case draws a random secret; the demo's must follow from the seed).
import { Auth } from './auth.js';
import { SecretBox } from './auth/secrets.js';
import { AccessControl } from './authorization.js';
import { applyForExcessCredits } from './credits.js';
import { Facilities } from './facilities.js';
import { uuidv7 } from './ids.js';
import { RegistryPolicy } from './policy.js';
import { Registry } from './registry.js';
import { ReportingService } from './reporting-service.js';
import { systemActor, type Actor } from '../domain/access/roles.js';
import { assert } from '../domain/assert.js';
import { RefusedError } from '../domain/errors.js';
import type { LineInput } from '../domain/mrv/conversion.js';
import { tokyoProgram } from '../domain/program/presets/index.js';
import type { ProgramDefinition } from '../domain/program/schema.js';
import type { Database } from '../store/db.js';
import type { BaseYearTable } from '../store/schema.js';
import { acceptedReportRows, baseYearRow, newReportId, writeAccepted, type ReportSteps } from './demo-city/bulk.js';
import { BASE_WINDOW_YEARS, planDemoCity, type CityPlan, type FacilityPlan } from './demo-city/plan.js';
import { DEMO_SEED_DEFAULT, DEMO_USERS, demoPassword, demoTotpSecret, type DemoLogin } from './demo-city/users.js';

export const DEMO_JURISDICTION = 'TOKYO';
export const DEMO_FACILITIES_DEFAULT = 1200;
/** Marks the demo jurisdiction's name, so that `demo reset` can tell demo data from real data. */
export const DEMO_NAME_EN = 'Tokyo Metropolitan Government (demo data)';
export const DEMO_NAME_JA = '東京都（デモデータ）';

/** The tokyo program as the demo adopts it: the preset as it stands (its reduction rounding reproduces §8.1). */
export function demoProgram(): ProgramDefinition {
  return tokyoProgram();
}

export interface DemoCityOptions {
  readonly seed?: number;
  readonly facilities?: number;
  /** Seals the TOTP secrets as the server will open them (default: CITYCAP_TOTP_KEY, as the server reads it). */
  readonly secretBox?: SecretBox;
  /** Called at the start of each stage, for a progress line. */
  readonly onProgress?: (stage: string) => void;
}

export interface DemoUser {
  readonly login: DemoLogin;
  readonly userId: string;
  readonly displayName: string;
  readonly role: string;
  readonly password: string;
  readonly totpSecret: string;
}

export interface DemoCitySummary {
  readonly jurisdiction: string;
  readonly seed: number;
  readonly facilities: number;
  readonly reports: number;
  readonly users: readonly DemoUser[];
  readonly periods: Readonly<Record<number, { readonly byStatus: Readonly<Record<string, number>>; readonly creditsIssuedT: bigint; readonly buyers: number; readonly sellers: number }>>;
  readonly seconds: number;
}

/** A clock the demo moves through its history. */
class SimClock {
  private t: number;
  constructor(iso: string) {
    this.t = Date.parse(iso);
  }
  readonly now = (): Date => new Date(this.t);
  set(iso: string): void {
    this.t = Math.max(this.t, Date.parse(iso));
  }
  /** A second later: every step has its own time. */
  tick(ms = 1000): Date {
    this.t += ms;
    return new Date(this.t);
  }
}

/** The times of a fiscal year's report: drafted in June, submitted by the end of November, accepted in December. */
function stepTimes(fiscalYear: number, actors: { operator: string; verifier: string; officer: string }): ReportSteps {
  const y = fiscalYear < 2010 ? 2010 : fiscalYear + 1;
  return fiscalYear < 2010
    ? { createdAt: `${y}-04-20T01:00:00.000Z`, submittedAt: `${y}-05-31T01:00:00.000Z`, verifiedAt: `${y}-06-30T01:00:00.000Z`, acceptedAt: `${y}-07-30T01:00:00.000Z`, ...actors }
    : { createdAt: `${y}-06-15T01:00:00.000Z`, submittedAt: `${y}-10-01T01:00:00.000Z`, verifiedAt: `${y}-11-10T01:00:00.000Z`, acceptedAt: `${y}-12-15T01:00:00.000Z`, ...actors };
}

const BASE_CHOSEN_AT = '2010-08-31T01:00:00.000Z';
const AGENCIES = [
  { name: 'Tokyo Demo Verification KK', categories: ['I-1', 'I-2', 'II'] },
  { name: 'Marunouchi Demo Certification KK', categories: ['I-1', 'I-2'] },
  { name: 'Keihin Demo Inspection KK', categories: ['II'] },
] as const;

interface Ctx {
  readonly db: Database;
  readonly program: ProgramDefinition;
  readonly plan: CityPlan;
  readonly clock: SimClock;
  readonly registry: Registry;
  readonly access: AccessControl;
  readonly policy: RegistryPolicy;
  readonly service: ReportingService;
  readonly facilities: Facilities;
  readonly jurisdictionId: string;
  readonly users: Record<DemoLogin, DemoUser>;
  readonly actor: (login: DemoLogin) => Actor;
  readonly agencyIds: string[];
  /** Facility plan code → ids. */
  readonly ids: Map<string, { facilityId: string; accountId: string; agencyId: string }>;
  readonly traderAccountId: string;
  /** Accounts that already have demo-rep1 and demo-rep2, and those that already trust the trader. */
  readonly represented: Set<string>;
  readonly trusting: Set<string>;
  reports: number;
}

/**
 * Creates the demo city in an empty database (refused when jurisdiction TOKYO exists). About 20 s for 1,200
 * facilities on SQLite; the count only changes how the published totals are shared among facilities.
 */
export async function createDemoCity(db: Database, options: DemoCityOptions = {}): Promise<DemoCitySummary> {
  const started = performance.now();
  const seed = options.seed ?? DEMO_SEED_DEFAULT;
  const count = options.facilities ?? DEMO_FACILITIES_DEFAULT;
  const progress = options.onProgress ?? (() => undefined);
  const existing = await db.kysely.selectFrom('jurisdictions').select('id').where('code', '=', DEMO_JURISDICTION).executeTakeFirst();
  if (existing !== undefined) throw new RefusedError({ code: 'DEMO_EXISTS', message: `Jurisdiction ${DEMO_JURISDICTION} exists already; the demo city is created in an empty database (citycap demo reset).`, field: 'jurisdiction' });

  progress(`planning ${count} facilities (seed ${seed})`);
  const program = demoProgram();
  const plan = planDemoCity(program, { seed, facilities: count });
  const clock = new SimClock('2009-10-01T00:00:00.000Z');
  const registry = new Registry(db, { clock: clock.now });
  const access = new AccessControl(db, { clock: clock.now });
  const policy = new RegistryPolicy(registry, access);
  const service = new ReportingService(db, { clock: clock.now, access, registry });

  progress('jurisdiction, program and users');
  const j = await registry.createJurisdiction({ code: DEMO_JURISDICTION, nameEn: DEMO_NAME_EN, nameJa: DEMO_NAME_JA, timeZone: program.jurisdiction.timeZone, fyStartMonth: program.fiscalYearStartMonth });
  const users = await createUsers(db, seed, clock, options.secretBox ?? SecretBox.fromEnv());
  const actor = (login: DemoLogin): Actor => ({ kind: 'user', id: users[login].userId });
  await access.grantRole(systemActor('demo-setup'), { userId: users['demo-admin'].userId, role: 'authority_admin', jurisdictionId: j.id });
  clock.tick();
  await service.adoptProgram(actor('demo-admin'), DEMO_JURISDICTION, program);
  for (const [login, role] of [['demo-officer', 'authority_officer'], ['demo-verifier', 'verifier']] as const) {
    clock.tick();
    await access.grantRole(actor('demo-admin'), { userId: users[login].userId, role, jurisdictionId: j.id });
  }
  const agencyIds: string[] = [];
  for (const a of AGENCIES) {
    clock.tick();
    agencyIds.push((await service.registerAgency(actor('demo-admin'), DEMO_JURISDICTION, { name: a.name, categories: a.categories })).id);
  }
  await service.addAgencyVerifier(actor('demo-admin'), DEMO_JURISDICTION, agencyIds[0]!, users['demo-verifier'].userId);
  const trader = await registry.openAccount({ jurisdictionId: j.id, type: 'general_holding', holder: 'Demo Carbon Trading KK' });

  const ctx: Ctx = {
    db,
    program,
    plan,
    clock,
    registry,
    access,
    policy,
    service,
    facilities: new Facilities(registry, { clock: clock.now }),
    jurisdictionId: j.id,
    users,
    actor,
    agencyIds,
    ids: new Map(),
    traderAccountId: trader.id,
    represented: new Set(),
    trusting: new Set(),
    reports: 0,
  };

  progress(`registering ${count} facilities`);
  await registerFacilities(ctx);
  await grantShowcaseRoles(ctx);

  progress('reports FY2002–FY2014 and base years');
  await reportYears(ctx, [...BASE_WINDOW_YEARS, 2010, 2011, 2012, 2013, 2014], true);
  progress('period 1: credits, trades, surrenders, compliance');
  const p1 = await settlePeriod(ctx, 1);
  progress('reports FY2015–FY2019');
  await reportYears(ctx, [2015, 2016, 2017, 2018, 2019], false);
  progress('period 2: credits, trades, surrenders, compliance');
  const p2 = await settlePeriod(ctx, 2);
  progress('reports FY2020–FY2023, FY2024 in progress');
  await reportYears(ctx, [2020, 2021, 2022, 2023], false);
  await reportsInProgress(ctx);

  return {
    jurisdiction: DEMO_JURISDICTION,
    seed,
    facilities: count,
    reports: ctx.reports,
    users: DEMO_USERS.map((u) => users[u.login]),
    periods: { 1: p1, 2: p2 },
    seconds: (performance.now() - started) / 1000,
  };
}

// ---------------------------------------------------------------- users

async function createUsers(db: Database, seed: number, clock: SimClock, box: SecretBox): Promise<Record<DemoLogin, DemoUser>> {
  const auth = new Auth(db, { secretBox: box });
  const out = {} as Record<DemoLogin, DemoUser>;
  for (const spec of DEMO_USERS) {
    const login: DemoLogin = spec.login;
    const password = demoPassword(seed, login);
    const at = clock.tick();
    const created = await auth.createUser({ login, email: `${login}@demo.citycap.example`, displayName: spec.displayName, password, locale: 'en' }, 'system:demo-setup', { now: at, address: null });
    if (!created.ok) throw new RefusedError(created.refusal);
    const userId = created.value.id;
    const totpSecret = demoTotpSecret(seed, login);
    // Direct: Auth.enrolTotp draws a random secret, and the demo's must follow from the seed. The row is what
    // confirmTotp leaves (an active, sealed secret); recovery codes can be made after signing in.
    await db.kysely
      .insertInto('totp_secrets')
      .values({ id: uuidv7(), user_id: userId, state: 'active', secret_sealed: box.seal(totpSecret, userId), last_used_step: null, created_at: at.toISOString(), confirmed_at: at.toISOString() })
      .execute();
    out[login] = { login, userId, displayName: spec.displayName, role: spec.role, password, totpSecret };
  }
  return out;
}

// ---------------------------------------------------------------- facilities

function agencyFor(ctx: Ctx, f: FacilityPlan): string {
  if (f.showcase !== null || f.index % 5 < 3) return ctx.agencyIds[0]!;
  return f.category === 'II' ? ctx.agencyIds[2]! : ctx.agencyIds[1]!;
}

async function registerFacilities(ctx: Ctx): Promise<void> {
  ctx.clock.set('2009-11-02T00:00:00.000Z');
  const admin = ctx.actor('demo-admin');
  for (const f of ctx.plan.facilities) {
    ctx.clock.tick(30_000);
    const input = {
      code: f.code,
      name: f.name,
      owner: f.owner,
      category: f.category,
      useType: f.useType,
      ...(f.floorAreaM2 === undefined ? {} : { floorAreaM2: f.floorAreaM2 }),
      address: `${(f.index % 5) + 1}-${(f.index % 17) + 1}-${(f.index % 9) + 1} ${f.city}, Tokyo`,
      city: f.city,
      country: 'JP',
      declaredEnergy: f.declaredEnergy,
    };
    const agencyId = agencyFor(ctx, f);
    let facilityId: string;
    let accountId: string;
    if (f.showcase !== null) {
      const d = await ctx.service.registerFacility(admin, DEMO_JURISDICTION, input);
      facilityId = d.id;
      accountId = d.accountId!;
      await ctx.service.assignVerifier(admin, DEMO_JURISDICTION, f.code, agencyId, 2002);
    } else {
      const r = await ctx.facilities.registerFacility({ ...input, jurisdictionId: ctx.jurisdictionId }, admin.id);
      facilityId = r.id;
      accountId = r.accountId;
      await ctx.facilities.assignVerifier(facilityId, agencyId, 2002, admin.id);
    }
    assert(accountId !== '', 'a registered facility has its account');
    ctx.ids.set(f.code, { facilityId, accountId, agencyId });
  }
}

const SHOWCASE_OPERATOR: Record<'A' | 'B' | 'C' | 'D', DemoLogin> = { A: 'demo-operator', B: 'demo-operator', C: 'demo-operator', D: 'demo-factory' };

function operatorOf(f: FacilityPlan): DemoLogin | null {
  return f.showcase === null ? null : SHOWCASE_OPERATOR[f.showcase];
}

async function grantShowcaseRoles(ctx: Ctx): Promise<void> {
  const admin = ctx.actor('demo-admin');
  const { users } = ctx;
  for (const f of ctx.plan.facilities.filter((x) => x.showcase !== null)) {
    const accountId = ctx.ids.get(f.code)!.accountId;
    const operator = users[operatorOf(f)!].userId;
    ctx.clock.tick();
    await ctx.access.grantRole(admin, { userId: operator, role: 'facility_operator', jurisdictionId: ctx.jurisdictionId, accountId });
    await ctx.access.addRepresentative(admin, { accountId, userId: operator, rights: 'initiate' });
    await ctx.access.addRepresentative(admin, { accountId, userId: users['demo-rep1'].userId, rights: 'initiate' });
    await ctx.access.addRepresentative(admin, { accountId, userId: users['demo-rep2'].userId, rights: 'approve' });
    ctx.represented.add(accountId);
  }
  ctx.clock.tick();
  await ctx.access.grantRole(admin, { userId: users['demo-trader'].userId, role: 'trader', jurisdictionId: ctx.jurisdictionId, accountId: ctx.traderAccountId });
  await ctx.access.addRepresentative(admin, { accountId: ctx.traderAccountId, userId: users['demo-trader'].userId, rights: 'initiate' });
  await ctx.access.addRepresentative(admin, { accountId: ctx.traderAccountId, userId: users['demo-rep2'].userId, rights: 'approve' });
}

// ---------------------------------------------------------------- reports

/** A report through the whole workflow of the reporting service, as its operator, verifier and officer. */
async function reportThroughService(ctx: Ctx, f: FacilityPlan, fiscalYear: number, lines: readonly LineInput[], until: 'draft' | 'submitted' | 'verified' | 'accepted'): Promise<void> {
  const times = stepTimes(fiscalYear, { operator: '', verifier: '', officer: '' });
  const operator = ctx.actor(operatorOf(f)!);
  const code = DEMO_JURISDICTION;
  ctx.clock.set(times.createdAt);
  let report = await ctx.service.createDraft(operator, code, f.code, fiscalYear, lines);
  if (until === 'draft') return;
  ctx.clock.set(times.submittedAt);
  ctx.clock.tick();
  report = await ctx.service.submit(operator, code, report.id);
  if (until === 'submitted') return;
  ctx.clock.set(times.verifiedAt);
  ctx.clock.tick();
  report = await ctx.service.verify(ctx.actor('demo-verifier'), code, report.id, ctx.ids.get(f.code)!.agencyId);
  if (until === 'verified') return;
  ctx.clock.set(times.acceptedAt);
  ctx.clock.tick();
  await ctx.service.accept(ctx.actor('demo-officer'), code, report.id);
  ctx.reports++;
}

/**
 * One phase of reporting: the showcase facilities year by year through the service, the others in one bulk write.
 * With `bases`, the base years are chosen after the base-window reports.
 */
async function reportYears(ctx: Ctx, years: readonly number[], bases: boolean): Promise<void> {
  const showcase = ctx.plan.facilities.filter((f) => f.showcase !== null);
  const officer = ctx.users['demo-officer'].userId;
  // The showcase story: T-0002's FY2012 report says kWh where MWh was meant; the officer returns it, the operator corrects it.
  for (const fy of years) {
    for (const f of showcase) {
      const lines = f.reports.get(fy)!;
      if (f.showcase === 'B' && fy === 2012) await returnedThenCorrected(ctx, f, fy, lines);
      else await reportThroughService(ctx, f, fy, lines, 'accepted');
    }
    if (bases && fy === BASE_WINDOW_YEARS[BASE_WINDOW_YEARS.length - 1]) {
      ctx.clock.set(BASE_CHOSEN_AT);
      for (const f of showcase) {
        ctx.clock.tick();
        await ctx.service.chooseBaseYear(ctx.actor(operatorOf(f)!), DEMO_JURISDICTION, f.code, f.baseWindow.first, f.baseWindow.last);
      }
    }
  }
  const rows: ReturnType<typeof acceptedReportRows>[] = [];
  const baseRows: BaseYearTable[] = [];
  for (const f of ctx.plan.facilities) {
    if (f.showcase !== null) continue;
    const ids = ctx.ids.get(f.code)!;
    const verifier = ids.agencyId === ctx.agencyIds[0] ? ctx.users['demo-verifier'].userId : `agency-verifier:${AGENCIES[ctx.agencyIds.indexOf(ids.agencyId)]!.name}`;
    const kgByYear = new Map<number, bigint>();
    for (const fy of years) {
      const r = acceptedReportRows(ctx.program, {
        id: newReportId(),
        jurisdictionId: ctx.jurisdictionId,
        facilityId: ids.facilityId,
        fiscalYear: fy,
        lines: f.reports.get(fy)!,
        agencyId: ids.agencyId,
        steps: stepTimes(fy, { operator: `facility-operator:${f.code}`, verifier, officer }),
      });
      kgByYear.set(fy, r.report.emissions_kg);
      rows.push(r);
    }
    if (bases) {
      const chosen = [];
      for (let fy = f.baseWindow.first; fy <= f.baseWindow.last; fy++) chosen.push({ fiscalYear: fy, emissionsKg: kgByYear.get(fy)! });
      baseRows.push(baseYearRow(ctx.program, { id: uuidv7(), facilityId: ids.facilityId, years: chosen, chosenAt: BASE_CHOSEN_AT, chosenBy: `facility-operator:${f.code}` }));
    }
  }
  await writeAccepted(ctx.db, rows, baseRows);
  ctx.reports += rows.length;
}

async function returnedThenCorrected(ctx: Ctx, f: FacilityPlan, fy: number, lines: readonly LineInput[]): Promise<void> {
  const times = stepTimes(fy, { operator: '', verifier: '', officer: '' });
  const operator = ctx.actor(operatorOf(f)!);
  const code = DEMO_JURISDICTION;
  const typo = lines.map((l) => (l.source === 'electricity_grid' ? { ...l, quantity: (Number(l.quantity) * 1000).toFixed(3) } : l));
  ctx.clock.set(times.createdAt);
  const draft = await ctx.service.createDraft(operator, code, f.code, fy, typo);
  ctx.clock.set(times.submittedAt);
  await ctx.service.submit(operator, code, draft.id);
  ctx.clock.tick(3 * 86_400_000);
  await ctx.service.returnReport(ctx.actor('demo-officer'), code, draft.id, 'Electricity is a thousand times the previous year: the meter total seems to be in kWh, the form asks for MWh. Please correct and resubmit.');
  ctx.clock.tick(2 * 86_400_000);
  const corrected = await ctx.service.correct(operator, code, draft.id, lines);
  ctx.clock.tick();
  await ctx.service.submit(operator, code, corrected.id);
  ctx.clock.set(times.verifiedAt);
  await ctx.service.verify(ctx.actor('demo-verifier'), code, corrected.id, ctx.ids.get(f.code)!.agencyId);
  ctx.clock.set(times.acceptedAt);
  await ctx.service.accept(ctx.actor('demo-officer'), code, corrected.id);
  ctx.reports++;
}

/** FY2024 under way: a draft (T-0001), a report waiting for verification (T-0002) and one waiting for acceptance (T-0003). */
async function reportsInProgress(ctx: Ctx): Promise<void> {
  const stages = { A: 'draft', B: 'submitted', C: 'verified' } as const;
  for (const f of ctx.plan.facilities) {
    if (f.showcase === null || f.showcase === 'D') continue;
    // A little below FY2023, as the trend goes.
    const lines = f.reports.get(2023)!.map((l) => ({ ...l, quantity: (Number(l.quantity) * 0.985).toFixed(3) }));
    await reportThroughService(ctx, f, 2024, lines, stages[f.showcase]);
  }
}

// ---------------------------------------------------------------- credits, trades, surrender, compliance

const PERIOD_DATES: Record<number, { positions: string; apply: string; approve: string; trust: string; sell: string; buy: string; surrender: string; run: string }> = {
  1: { positions: '2016-01-12', apply: '2016-01-15', approve: '2016-01-29', trust: '2016-02-01', sell: '2016-03-01', buy: '2016-04-04', surrender: '2016-07-01', run: '2016-10-03' },
  2: { positions: '2021-01-12', apply: '2021-01-15', approve: '2021-01-29', trust: '2021-02-01', sell: '2021-03-01', buy: '2021-04-05', surrender: '2021-07-01', run: '2021-10-04' },
};
/** Supply the sellers bring, relative to the buyers' shortfall: the rest stays with the trader (banked). */
const SUPPLY_RATIO = 1.25;
const SELLERS_MAX = 200;
const at = (day: string): string => `${day}T01:00:00.000Z`;

interface Lot {
  readonly unitTypeId: string;
  quantityT: bigint;
}

/**
 * A period's market and assessment: a first compliance run shows each facility's position; the facilities with the
 * largest margins apply for excess-reduction credits (approved by the officer), sell them to the trader (trusted, so
 * at once), the trader sells each facility short of its cap what it lacks (untrusted: held 26 hours, then completed
 * by the complete-due job), they surrender for compliance, and the final run assesses the period.
 */
async function settlePeriod(ctx: Ctx, period: number): Promise<DemoCitySummary['periods'][number]> {
  const dates = PERIOD_DATES[period]!;
  const code = DEMO_JURISDICTION;
  const admin = ctx.actor('demo-admin');
  const officer = ctx.actor('demo-officer');
  const rep1 = ctx.actor('demo-rep1');
  const rep2 = ctx.actor('demo-rep2');
  const byCode = new Map(ctx.plan.facilities.map((f) => [f.code, f]));

  ctx.clock.set(at(dates.positions));
  await ctx.service.runCompliance(admin, code, period);
  const positions = await ctx.db.kysely
    .selectFrom('compliance_results as r')
    .innerJoin('facilities as f', 'f.id', 'r.facility_id')
    .select(['f.code', 'r.status', 'r.shortfall_t', 'r.position_t'])
    .where('r.jurisdiction_id', '=', ctx.jurisdictionId)
    .where('r.period', '=', period)
    .orderBy('f.code')
    .execute();
  const buyers = positions.filter((p) => p.status === 'shortfall' && p.shortfall_t !== null && p.shortfall_t > 0n).map((p) => ({ code: p.code, needT: p.shortfall_t! }));
  const demandT = buyers.reduce((s, b) => s + b.needT, 0n);
  const buyerCodes = new Set(buyers.map((b) => b.code));
  const candidates = positions
    .filter((p) => p.status === 'compliant' && !buyerCodes.has(p.code) && (byCode.get(p.code)!.showcase === null || byCode.get(p.code)!.showcase === 'A'))
    .sort((a, b) => (byCode.get(a.code)!.showcase === 'A' ? -1 : byCode.get(b.code)!.showcase === 'A' ? 1 : Number((b.position_t ?? 0n) - (a.position_t ?? 0n)) || (a.code < b.code ? -1 : 1)));

  // Applications and approvals (four eyes: the officer approves what the operator applied for), until what the
  // sellers offer and the trader holds from the previous period cover the shortfall with some to spare.
  ctx.clock.set(at(dates.apply));
  const banked = await traderHoldings(ctx, period);
  const applications: { code: string; id: string }[] = [];
  let offeredT = banked.reduce((s, l) => s + l.quantityT, 0n);
  for (const c of candidates) {
    if (applications.length >= SELLERS_MAX || (applications.length > 0 && Number(offeredT) >= SUPPLY_RATIO * Number(demandT))) break;
    const f = byCode.get(c.code)!;
    ctx.clock.tick(60_000);
    try {
      const app =
        f.showcase === 'A'
          ? await ctx.service.applyForCredits(ctx.actor('demo-operator'), code, f.code, period)
          : await applyForExcessCredits(ctx.db, { facilityId: ctx.ids.get(f.code)!.facilityId, period, actor: `facility-operator:${f.code}`, now: ctx.clock.now() });
      applications.push({ code: f.code, id: app.id });
      offeredT += sold(f, app.quantityT);
    } catch (error) {
      if (error instanceof RefusedError && error.refusal.code === 'NOTHING_CREDITABLE') continue;
      throw error;
    }
  }
  assert(offeredT >= demandT, `period ${period}: the sellers' credits cover the shortfall`);
  ctx.clock.set(at(dates.approve));
  const sellers: { code: string; accountId: string; lot: Lot }[] = [];
  for (const a of applications) {
    ctx.clock.tick(60_000);
    const approved = await ctx.service.approveCredits(officer, code, a.id);
    sellers.push({ code: a.code, accountId: ctx.ids.get(a.code)!.accountId, lot: { unitTypeId: approved.unitTypeId, quantityT: approved.quantityT } });
  }

  // Representatives and trusted lists of the trading facilities.
  ctx.clock.set(at(dates.trust));
  for (const accountId of [...sellers.map((s) => s.accountId), ...buyers.map((b) => ctx.ids.get(b.code)!.accountId)]) {
    if (ctx.represented.has(accountId)) continue;
    ctx.clock.tick();
    await ctx.access.addRepresentative(admin, { accountId, userId: ctx.users['demo-rep1'].userId, rights: 'initiate' });
    await ctx.access.addRepresentative(admin, { accountId, userId: ctx.users['demo-rep2'].userId, rights: 'approve' });
    ctx.represented.add(accountId);
  }
  for (const s of sellers) {
    if (ctx.trusting.has(s.accountId)) continue;
    ctx.clock.tick();
    const proposer = byCode.get(s.code)!.showcase === 'A' ? ctx.actor('demo-operator') : rep1;
    await ctx.access.addTrustedAccount(proposer, { accountId: s.accountId, trustedAccountId: ctx.traderAccountId });
    ctx.trusting.add(s.accountId);
  }

  // Sellers → trader: trusted destination, so the approval completes the transfer.
  ctx.clock.set(at(dates.sell));
  const inventory: Lot[] = [...banked];
  for (const s of sellers) {
    const showcaseA = byCode.get(s.code)!.showcase === 'A';
    const quantityT = sold(byCode.get(s.code)!, s.lot.quantityT);
    if (quantityT <= 0n) continue;
    ctx.clock.tick(60_000);
    const proposed = await ctx.policy.proposeTransfer(showcaseA ? ctx.actor('demo-operator') : rep1, {
      jurisdictionId: ctx.jurisdictionId,
      fromAccountId: s.accountId,
      toAccountId: ctx.traderAccountId,
      unitTypeId: s.lot.unitTypeId,
      quantityT,
      idempotencyKey: `demo-p${period}-sell-${s.code}`,
    });
    ctx.clock.tick(60_000);
    const approved = await ctx.policy.approveTransaction(rep2, ctx.jurisdictionId, proposed.tx.id);
    assert(approved.tx.status === 'completed', 'a transfer to a trusted account completes on approval');
    inventory.push({ unitTypeId: s.lot.unitTypeId, quantityT });
  }

  // Trader → buyers: each gets what it lacks, older vintages first; held for the untrusted-destination delay.
  ctx.clock.set(at(dates.buy));
  const bought = new Map<string, Lot[]>();
  for (const b of buyers) {
    let need = b.needT;
    const lots: Lot[] = [];
    for (const lot of inventory) {
      if (need === 0n) break;
      const q = lot.quantityT < need ? lot.quantityT : need;
      if (q === 0n) continue;
      lot.quantityT -= q;
      need -= q;
      lots.push({ unitTypeId: lot.unitTypeId, quantityT: q });
    }
    assert(need === 0n, `the trader can cover ${b.code}`);
    const accountId = ctx.ids.get(b.code)!.accountId;
    for (const [i, lot] of lots.entries()) {
      ctx.clock.tick(60_000);
      const proposed = await ctx.policy.proposeTransfer(ctx.actor('demo-trader'), {
        jurisdictionId: ctx.jurisdictionId,
        fromAccountId: ctx.traderAccountId,
        toAccountId: accountId,
        unitTypeId: lot.unitTypeId,
        quantityT: lot.quantityT,
        idempotencyKey: `demo-p${period}-buy-${b.code}-${i}`,
      });
      ctx.clock.tick(60_000);
      await ctx.policy.approveTransaction(rep2, ctx.jurisdictionId, proposed.tx.id);
    }
    bought.set(b.code, lots);
  }
  ctx.clock.tick(27 * 3_600_000);
  for (;;) {
    const due = await ctx.policy.completeDue(ctx.clock.now());
    assert(due.rejected.length === 0, 'held demo transfers complete');
    if (due.completed.length + due.closed.length === 0) break;
  }

  // Surrender for compliance, then the assessment.
  ctx.clock.set(at(dates.surrender));
  for (const b of buyers) {
    const f = byCode.get(b.code)!;
    const lots = mergeLots(bought.get(b.code)!);
    assert(lots.length <= 20, 'a surrender has at most 20 lines');
    ctx.clock.tick(60_000);
    await ctx.service.surrender(f.showcase === null ? rep1 : ctx.actor(operatorOf(f)!), code, b.code, { period, lines: lots, idempotencyKey: `demo-p${period}-surrender-${b.code}` });
  }
  ctx.clock.set(at(dates.run));
  const run = await ctx.service.runCompliance(admin, code, period);
  return { byStatus: run.byStatus, creditsIssuedT: sellers.reduce((s, x) => s + x.lot.quantityT, 0n), buyers: buyers.length, sellers: sellers.length };
}

/** What a seller sells of its credits: everything, except T-0001, which keeps 40 % (banked for the next period). */
function sold(f: FacilityPlan, issuedT: bigint): bigint {
  return f.showcase === 'A' ? (issuedT * 6n) / 10n : issuedT;
}

function mergeLots(lots: readonly Lot[]): Lot[] {
  const byType = new Map<string, bigint>();
  for (const l of lots) byType.set(l.unitTypeId, (byType.get(l.unitTypeId) ?? 0n) + l.quantityT);
  return [...byType].map(([unitTypeId, quantityT]) => ({ unitTypeId, quantityT }));
}

/** What the trader holds that a period may use (banking: the previous period's credits too), oldest vintage first. */
async function traderHoldings(ctx: Ctx, period: number): Promise<Lot[]> {
  const rows = await ctx.db.kysely
    .selectFrom('balances as b')
    .innerJoin('unit_types as u', 'u.id', 'b.unit_type_id')
    .select(['b.unit_type_id', 'b.quantity_t', 'u.vintage', 'u.code'])
    .where('b.account_id', '=', ctx.traderAccountId)
    .where('b.quantity_t', '>', 0n)
    .execute();
  return rows
    .filter((r) => r.vintage !== null && r.vintage >= period - 1 && r.vintage <= period)
    .sort((a, b) => (a.vintage ?? 0) - (b.vintage ?? 0) || (a.code < b.code ? -1 : 1))
    .map((r) => ({ unitTypeId: r.unit_type_id, quantityT: r.quantity_t }));
}
