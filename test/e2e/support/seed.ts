// A small Tokyo for browser tests, populated through the real use-cases on an E2EServer's database, and sign-in of
// its users through the real sign-in form.
//
// seedCity(server) creates:
//   - jurisdiction TOKYO (東京都) with the tokyo program; verification agency "Tokyo Verification KK" (all categories)
//   - FACILITIES: 12 specified facilities T-0001…T-0012 (registered with declared energy, so specified from FY2015),
//     each with a verifier assigned, base years FY2002–FY2004 chosen, and reports FY2015–FY2024 submitted, verified
//     and accepted — except T-0011's FY2024 report (submitted, waiting for verification) and T-0012's FY2024 report
//     (verified, waiting for acceptance)
//   - excess-reduction credits for T-0003 in period 3 (applied for and approved), part of them transferred to the
//     trader's general holding account; compliance runs for periods 2 and 3
//   - USERS (password PASSWORD, TOTP enrolled with a known secret, so signIn() can compute codes):
//       admin      authority_admin over TOKYO
//       officer    authority_officer over TOKYO
//       operator   facility_operator for the accounts of T-0001…T-0003, representative (initiate) of them
//       verifier   verifier over TOKYO (agency: seeded.agencyId)
//       trader     trader for the general holding account, representative (initiate_and_approve) of it
//       rep-a, rep-b  authorized representatives (initiate_and_approve) of T-0001…T-0003's accounts and the trader's
//                  account: two people, for four-eyes flows
//       newcomer   facility_operator for T-0004's account, password only: TOTP NOT enrolled (enrolment tests)
// seedRegister(server, n) adds n registered facilities (bulk, for scale tests of the disclosure table).
// signIn(page, login) signs in through the form: login, password, then a TOTP code computed at the server's clock.
//   Users a test creates itself (password PASSWORD) sign in with it too once their secret is known:
//   rememberTotpSecret(server, login, secret, enrolledAt). totpCode(server, login) gives a code to type by hand.
// cityOf(server) returns what seedCity made (ids of the jurisdiction, facilities, accounts, users).
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { runCompliance } from '../../../src/app/compliance.js';
import { applyForExcessCredits, approveCreditApplication } from '../../../src/app/credits.js';
import { Facilities } from '../../../src/app/facilities.js';
import { uuidv7 } from '../../../src/app/ids.js';
import { jurisdictionForProgram } from '../../../src/app/programs.js';
import { Registry, txOrThrow } from '../../../src/app/registry.js';
import { Reporting } from '../../../src/app/reporting.js';
import { systemActor } from '../../../src/domain/access/roles.js';
import { DEFAULT_AUTH_SETTINGS } from '../../../src/domain/auth/settings.js';
import type { LineInput } from '../../../src/domain/mrv/conversion.js';
import { tokyoProgram } from '../../../src/domain/program/presets/index.js';
import type { E2EServer } from './server.js';

export const TOKYO = 'TOKYO';
/** Every seeded user's password. */
export const PASSWORD = 'plover-quartz-ledger-9137';
export const LOGINS = ['admin', 'officer', 'operator', 'verifier', 'trader', 'rep-a', 'rep-b', 'newcomer'] as const;
export type Login = (typeof LOGINS)[number];

export interface SeedFacility {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly category: string;
  readonly useType: string;
  /** Its facility_compliance account. */
  readonly accountId: string;
}

export interface SeedUser {
  readonly login: Login;
  readonly userId: string;
  readonly displayName: string;
  readonly password: string;
  /** Base32 TOTP secret; null for `newcomer` (not enrolled). */
  readonly totpSecret: string | null;
  /** Unused recovery codes (null when not enrolled). */
  readonly recoveryCodes: string[] | null;
}

export interface SeededCity {
  readonly jurisdiction: { readonly id: string; readonly code: string };
  readonly agencyId: string;
  readonly facilities: readonly SeedFacility[];
  /** The trader's general holding account. */
  readonly generalAccountId: string;
  /** The unit type of T-0003's period-3 excess-reduction credits. */
  readonly creditUnitTypeId: string;
  readonly users: Readonly<Record<Login, SeedUser>>;
}

interface Known {
  readonly server: E2EServer;
  readonly city: SeededCity;
  /** The last TOTP time step used per login (a code of a step not after it is refused as a replay). */
  readonly lastStep: Map<string, number>;
  /** TOTP secrets enrolled by tests through the browser, by login. */
  readonly enrolled: Map<string, string>;
}

/** Seeded servers by origin, so that signIn(page, login) finds the server (and secrets) of the page. */
const seeded = new Map<string, Known>();

const FACILITY_SPECS: readonly { name: string; category: string; useType: string }[] = [
  { name: 'Marunouchi Kanda Building', category: 'I-1', useType: 'office' },
  { name: 'Shinjuku Nishi Tower', category: 'I-1', useType: 'office' },
  { name: 'Otemachi Place', category: 'I-1', useType: 'office' },
  { name: 'Ikebukuro Department Store', category: 'I-1', useType: 'commercial' },
  { name: 'Shibuya Station Hotel', category: 'I-1', useType: 'hotel' },
  { name: 'Roppongi General Hospital', category: 'I-1', useType: 'hospital' },
  { name: 'Ueno University Campus', category: 'I-1', useType: 'education' },
  { name: 'Odaiba District Heating Plant', category: 'I-2', useType: 'district_heating' },
  { name: 'Shinagawa Data Centre', category: 'I-2', useType: 'data_centre' },
  { name: 'Hachioji Electronics Factory', category: 'II', useType: 'factory' },
  { name: 'Koto Waterworks', category: 'II', useType: 'water_sewage' },
  { name: 'Ota Precision Works', category: 'II', useType: 'factory' },
];

const electricity = (mwh: number): LineInput => ({ kind: 'energy', source: 'electricity_grid', quantity: String(mwh), unit: 'MWh' });
const cityGas = (thousandNm3: number): LineInput => ({ kind: 'energy', source: 'city_gas', quantity: String(thousandNm3), unit: 'thousand_Nm3' });

/** A facility's energy in a fiscal year: base-year use cut by a share that grows over the years (more for some). */
function linesFor(n: number, fiscalYear: number): LineInput[] {
  const baseMwh = 6_000 + 1_700 * n;
  const cutPct = fiscalYear < 2015 ? 0 : fiscalYear < 2020 ? 8 + 2 * (fiscalYear - 2015) : 18 + 7 * (n % 3) + (fiscalYear - 2020);
  const lines = [electricity(Math.round((baseMwh * (100 - cutPct)) / 100))];
  if (FACILITY_SPECS[n]!.category !== 'I-1') lines.push(cityGas(Math.round(((300 + 40 * n) * (100 - cutPct)) / 100)));
  return lines;
}

const BASE_YEARS = [2002, 2003, 2004];
/** Account numbers as Registry.openAccount makes them: `TOKYO-200-<n>` for facility_compliance accounts. */
const FACILITY_ACCOUNT_PREFIX = 200;
const REPORT_YEARS = [2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024];

/** Populates `server` (see the file header) and remembers it for signIn(). */
export async function seedCity(server: E2EServer): Promise<SeededCity> {
  const db = server.db;
  const registry = new Registry(db);
  const jurisdiction = await jurisdictionForProgram(registry, tokyoProgram(), { nameJa: '東京都', now: new Date('2010-01-01T00:00:00Z') });
  const facilities = new Facilities(registry, { clock: () => new Date('2015-04-01T00:00:00Z') });
  const reporting = new Reporting(db, { clock: () => new Date('2025-07-01T00:00:00Z') });
  const agency = await facilities.registerAgency({ jurisdictionId: jurisdiction.id, name: 'Tokyo Verification KK', categories: ['I-1', 'I-2', 'II'] }, 'officer');

  const seededFacilities: SeedFacility[] = [];
  for (const [n, spec] of FACILITY_SPECS.entries()) {
    const code = `T-${String(n + 1).padStart(4, '0')}`;
    const declaredEnergy = [2012, 2013, 2014].map((fiscalYear) => ({ fiscalYear, coeKl: String(2_000 + 400 * n) }));
    const f = await facilities.registerFacility(
      { jurisdictionId: jurisdiction.id, code, name: spec.name, owner: `${spec.name.split(' ')[0]!} Holdings KK`, category: spec.category, useType: spec.useType, floorAreaM2: BigInt(20_000 + 5_000 * n), declaredEnergy, city: 'Tokyo', country: 'JP' },
      'officer',
    );
    assert.equal(f.status, 'specified', `${code} is specified`);
    await facilities.assignVerifier(f.id, agency.id, 2002, 'officer');
    seededFacilities.push({ id: f.id, code, name: spec.name, category: spec.category, useType: spec.useType, accountId: f.accountId });
    for (const fy of [...BASE_YEARS, ...REPORT_YEARS]) {
      const draft = await reporting.createDraft(f.id, fy, linesFor(n, fy), 'operator');
      await reporting.submit(draft.id, 'operator');
      const pendingVerification = code === 'T-0011' && fy === 2024;
      if (pendingVerification) continue;
      await reporting.verify(draft.id, agency.id, 'verifier');
      const pendingAcceptance = code === 'T-0012' && fy === 2024;
      if (pendingAcceptance) continue;
      await reporting.accept(draft.id, 'officer');
      if (fy === BASE_YEARS[BASE_YEARS.length - 1]) await reporting.chooseBaseYear(f.id, BASE_YEARS[0]!, fy, 'operator');
    }
  }

  const general = await registry.openAccount({ jurisdictionId: jurisdiction.id, type: 'general_holding', holder: 'Kanto Carbon Trading KK' });
  const earner = seededFacilities[2]!;
  const application = await applyForExcessCredits(db, { facilityId: earner.id, period: 3, actor: 'operator', now: new Date('2024-06-01T00:00:00Z') });
  const approved = await approveCreditApplication(db, registry, { applicationId: application.id, approver: 'officer', now: new Date('2024-06-10T00:00:00Z') });
  const soldT = application.quantityT / 4n;
  if (soldT > 0n) {
    txOrThrow(
      await registry.submit(
        jurisdiction.id,
        { type: 'transfer', fromAccountId: earner.accountId, toAccountId: general.id, unitTypeId: approved.unitTypeId, quantityT: soldT },
        { idempotencyKey: 'e2e-seed-sale', actor: 'operator', execute: true },
      ),
    );
  }
  await runCompliance(db, { jurisdictionCode: TOKYO, period: 2, now: new Date('2021-10-01T00:00:00Z') });
  await runCompliance(db, { jurisdictionCode: TOKYO, period: 3, now: new Date('2026-06-01T00:00:00Z') });

  const users = await seedUsers(server, jurisdiction.id, seededFacilities, general.id);
  const city: SeededCity = { jurisdiction, agencyId: agency.id, facilities: seededFacilities, generalAccountId: general.id, creditUnitTypeId: approved.unitTypeId, users };
  seeded.set(server.url, { server, city, lastStep: new Map(), enrolled: new Map() });
  return city;
}

const DISPLAY_NAMES: Record<Login, string> = {
  admin: 'Aoki Haruka',
  officer: 'Sato Kenji',
  operator: 'Tanaka Yumi',
  verifier: 'Suzuki Daisuke',
  trader: 'Ito Mei',
  'rep-a': 'Watanabe Sho',
  'rep-b': 'Kobayashi Rina',
  newcomer: 'Yamamoto Aya',
};

async function seedUsers(server: E2EServer, jurisdictionId: string, facilities: readonly SeedFacility[], generalAccountId: string): Promise<Record<Login, SeedUser>> {
  const { auth, access } = server.auth;
  const setup = systemActor('e2e-seed');
  const operated = facilities.slice(0, 3).map((f) => f.accountId);
  const users = {} as Record<Login, SeedUser>;
  for (const login of LOGINS) {
    // Enrolled a few minutes "ago" at the server's clock, so that the browser's first code is of a later time step.
    const ctx = { now: new Date(server.clock.now().getTime() - 3 * 60_000), address: null };
    const created = await auth.createUser({ login, email: `${login}@example.test`, displayName: DISPLAY_NAMES[login], password: PASSWORD, locale: 'en' }, 'system:e2e-seed', ctx);
    if (!created.ok) throw new Error(`seed: cannot create ${login}: ${created.refusal.code} ${created.refusal.message}`);
    const userId = created.value.id;
    switch (login) {
      case 'admin':
        await access.grantRole(setup, { userId, role: 'authority_admin', jurisdictionId });
        break;
      case 'officer':
        await access.grantRole(setup, { userId, role: 'authority_officer', jurisdictionId });
        break;
      case 'verifier':
        await access.grantRole(setup, { userId, role: 'verifier', jurisdictionId });
        break;
      case 'operator':
        for (const accountId of operated) {
          await access.grantRole(setup, { userId, role: 'facility_operator', jurisdictionId, accountId });
          await access.addRepresentative(setup, { accountId, userId, rights: 'initiate' });
        }
        break;
      case 'trader':
        await access.grantRole(setup, { userId, role: 'trader', jurisdictionId, accountId: generalAccountId });
        await access.addRepresentative(setup, { accountId: generalAccountId, userId, rights: 'initiate_and_approve' });
        break;
      case 'rep-a':
      case 'rep-b':
        for (const accountId of [...operated, generalAccountId]) await access.addRepresentative(setup, { accountId, userId, rights: 'initiate_and_approve' });
        break;
      case 'newcomer':
        await access.grantRole(setup, { userId, role: 'facility_operator', jurisdictionId, accountId: facilities[3]!.accountId });
        break;
    }
    if (login === 'newcomer') {
      users[login] = { login, userId, displayName: DISPLAY_NAMES[login], password: PASSWORD, totpSecret: null, recoveryCodes: null };
      continue;
    }
    const first = await auth.signIn({ login, password: PASSWORD }, ctx);
    if (!first.ok) throw new Error(`seed: sign-in of ${login}: ${first.refusal.code}`);
    const enrol = await auth.enrolTotp(first.value.session.id, ctx);
    if (!enrol.ok) throw new Error(`seed: TOTP enrolment of ${login}: ${enrol.refusal.code}`);
    const code = await generate({ secret: enrol.value.secret, epoch: Math.floor(ctx.now.getTime() / 1000) });
    const confirmed = await auth.confirmTotp(first.value.session.id, code, ctx);
    if (!confirmed.ok) throw new Error(`seed: TOTP confirmation of ${login}: ${confirmed.refusal.code}`);
    if (confirmed.value.rotated !== null) await auth.signOut(confirmed.value.rotated.session.id, ctx);
    users[login] = { login, userId, displayName: DISPLAY_NAMES[login], password: PASSWORD, totpSecret: enrol.value.secret, recoveryCodes: [...confirmed.value.recoveryCodes] };
  }
  return users;
}

/**
 * Adds `count` registered facilities R-00001… to TOKYO in one transaction (rows as registerFacility writes them,
 * each with its facility_compliance account), for scale tests: a use-case call each would take minutes.
 */
export async function seedRegister(server: E2EServer, count: number): Promise<void> {
  assert.ok(count >= 1 && count <= 50_000, 'a register of 1 to 50,000 facilities');
  const uses = ['office', 'commercial', 'hotel', 'factory', 'education', 'hospital'];
  await server.db.kysely.transaction().execute(async (trx) => {
    const j = await trx.selectFrom('jurisdictions').select('id').where('code', '=', TOKYO).executeTakeFirstOrThrow();
    const at = '2021-04-01T00:00:00.000Z';
    const counted = await trx.selectFrom('accounts').select(sql<string>`count(*)`.as('n')).where('jurisdiction_id', '=', j.id).where('type', '=', 'facility_compliance').executeTakeFirstOrThrow();
    let accountNo = Number(counted.n);
    const CHUNK = 200;
    for (let from = 1; from <= count; from += CHUNK) {
      const accounts = [];
      const rows = [];
      for (let i = from; i < Math.min(from + CHUNK, count + 1); i++) {
        const id = uuidv7();
        const accountId = uuidv7();
        accountNo += 1;
        const code = `R-${String(i).padStart(5, '0')}`;
        const useType = uses[i % uses.length]!;
        accounts.push({ id: accountId, jurisdiction_id: j.id, number: `${TOKYO}-${FACILITY_ACCOUNT_PREFIX}-${String(accountNo)}`, type: 'facility_compliance', holder: `Holder ${code}`, facility_id: id, created_at: at });
        rows.push({ id, jurisdiction_id: j.id, code, name: `${useType === 'factory' ? 'Works' : 'Building'} ${code}`, owner: `Holder ${code}`, category: useType === 'factory' ? 'II' : 'I-1', use_type: useType, floor_area_m2: BigInt(10_000 + i), address: null, city: 'Tokyo', country: 'JP', status: 'registered', account_id: accountId, created_at: at });
      }
      await trx.insertInto('accounts').values(accounts).execute();
      await trx.insertInto('facilities').values(rows).execute();
    }
  });
}

/** The seeded city of `server` (after seedCity). */
export function cityOf(server: { readonly url: string }): SeededCity {
  const known = seeded.get(server.url);
  if (known === undefined) throw new Error(`no seeded city on ${server.url} (call seedCity first)`);
  return known.city;
}

function knownFor(page: Page, server?: { readonly url: string }): Known {
  if (server !== undefined) {
    const k = seeded.get(server.url);
    if (k !== undefined) return k;
  }
  const origin = page.url().startsWith('http') ? new URL(page.url()).origin : undefined;
  const byOrigin = origin === undefined ? undefined : seeded.get(origin);
  if (byOrigin !== undefined) return byOrigin;
  if (seeded.size === 1) return [...seeded.values()][0]!;
  throw new Error('signIn: open the page on a seeded server first, or pass { server }');
}

/**
 * A TOTP code of `login` the server will accept now: of the current time step at the server's clock, or — when that
 * step was used already (two sign-ins within 30 s) — of the next step, which the tolerance accepts; waits otherwise.
 */
export async function totpCode(server: { readonly url: string }, login: string): Promise<string> {
  const known = seeded.get(server.url);
  if (known === undefined) throw new Error(`no seeded city on ${server.url}`);
  return codeFor(known, login);
}

/** A seeded user by login, or undefined (users a test created itself). */
function userOf(city: SeededCity, login: string): SeedUser | undefined {
  return (city.users as Partial<Record<string, SeedUser>>)[login];
}

async function codeFor(known: Known, login: string): Promise<string> {
  const secret = known.enrolled.get(login) ?? userOf(known.city, login)?.totpSecret;
  if (secret === undefined || secret === null) throw new Error(`signIn: ${login} has no TOTP secret (not enrolled)`);
  const periodS = DEFAULT_AUTH_SETTINGS.totpPeriodS;
  for (;;) {
    const nowS = Math.floor(known.server.clock.now().getTime() / 1000);
    const step = Math.floor(nowS / periodS);
    const last = known.lastStep.get(login) ?? -1;
    const use = step > last ? step : last + 1 <= step + DEFAULT_AUTH_SETTINGS.totpToleranceSteps ? last + 1 : undefined;
    if (use !== undefined) {
      known.lastStep.set(login, use);
      return generate({ secret, epoch: use * periodS });
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Remembers a TOTP secret a test enrolled through the browser (enrolment tests), so signIn() works for that user later. */
export function rememberTotpSecret(server: { readonly url: string }, login: string, secret: string, usedAt: Date): void {
  const known = seeded.get(server.url);
  if (known === undefined) throw new Error(`no seeded city on ${server.url}`);
  known.enrolled.set(login, secret);
  known.lastStep.set(login, Math.floor(usedAt.getTime() / 1000 / DEFAULT_AUTH_SETTINGS.totpPeriodS) + DEFAULT_AUTH_SETTINGS.totpToleranceSteps);
}

export interface SignInOptions {
  /** The seeded server (default: the one the page is on, or the only seeded one). */
  readonly server?: { readonly url: string };
  /** The hash path to land on after sign-in (default: the home page). */
  readonly next?: string;
}

/**
 * Signs `login` in through the real sign-in page (#/sign-in): login and password, then the TOTP code the
 * authenticator app would show, computed at the server's clock. Resolves once the header shows the signed-in user.
 * The page may be anywhere (or about:blank with options.server); it ends on `next` (default the home page).
 */
export async function signIn(page: Page, login: string, options: SignInOptions = {}): Promise<void> {
  const known = knownFor(page, options.server);
  const password = userOf(known.city, login)?.password ?? PASSWORD;
  const next = options.next === undefined ? '' : `?next=${encodeURIComponent(options.next)}`;
  await page.goto(`${known.server.url}/#/sign-in${next}`);
  const form = page.locator('form[data-form="sign-in"]');
  await form.locator('input[name="login"]').fill(login);
  await form.locator('input[name="password"]').fill(password);
  await form.locator('button[type="submit"]').click();
  const second = page.locator('form[data-form="second-factor"]');
  await second.locator('input[name="code"]').waitFor();
  await second.locator('input[name="code"]').fill(await codeFor(known, login));
  await second.locator('button[type="submit"]').click();
  await page.locator('.app-header .who').waitFor();
}

/** Signs out through the header's button and waits for the sign-in link to come back. */
export async function signOut(page: Page): Promise<void> {
  await page.locator('.app-header .who button').click();
  await page.locator('.app-header a[href="#/sign-in"]').waitFor();
}
