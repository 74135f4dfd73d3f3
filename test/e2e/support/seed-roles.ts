// What the role pages' browser tests need on top of seedCity (seed.ts), made through the real use-cases:
//   - the verifier user works for the seeded agency (agency_verifiers), so that they may verify its reports;
//   - FY2025 reports of T-0005 and T-0006, submitted and waiting for verification (period 4: grid electricity with the
//     supplier's factor), for the verifier's flow in the second language and the authority's return;
//   - T-0003's FY2025 report, submitted and returned by the officer with a comment, for the operator's correction;
//   - excess-reduction credit applications for period 3 by the operator, for T-0006 and T-0009, waiting for the
//     authority's decision.
import assert from 'node:assert/strict';
import { applyForExcessCredits } from '../../../src/app/credits.js';
import { ReportingService } from '../../../src/app/reporting-service.js';
import { Reporting } from '../../../src/app/reporting.js';
import { systemActor } from '../../../src/domain/access/roles.js';
import type { LineInput } from '../../../src/domain/mrv/conversion.js';
import type { Browser } from 'playwright-core';
import type { Engine } from '../../../src/store/db.js';
import { launchBrowser, type AppPage } from './browser.js';
import { cityOf, seedCity, TOKYO, type SeededCity } from './seed.js';
import { startServer, type E2EServer } from './server.js';

export interface RolesSeed {
  readonly city: SeededCity;
  /** Submitted FY2025 reports waiting for verification, by facility code. */
  readonly submitted: Readonly<Record<'T-0005' | 'T-0006', string>>;
  /** T-0003's FY2025 report, returned with a comment. */
  readonly returned: string;
  /** Credit applications waiting for a decision, by facility code. */
  readonly applications: Readonly<Record<'T-0006' | 'T-0009', string>>;
}

/** FY2025 (period 4): grid electricity with the supplier's published factor, and city gas. */
const FY2025_LINES: readonly LineInput[] = [
  { kind: 'energy', source: 'electricity_grid', quantity: '14000', unit: 'MWh', tCo2PerUnit: '0.441' },
  { kind: 'energy', source: 'city_gas', quantity: '120', unit: 'thousand_Nm3' },
];

/** The officer's comment on the returned report. */
export const RETURN_REASON = 'City gas: the March invoice is missing; the quantity looks one month short.';

/** Adds the role pages' data to a server seeded with seedCity. */
export async function seedRoles(server: E2EServer): Promise<RolesSeed> {
  const city = cityOf(server);
  const setup = systemActor('e2e-seed-roles');
  await new ReportingService(server.db).addAgencyVerifier(setup, TOKYO, city.agencyId, city.users.verifier.userId);

  const reporting = new Reporting(server.db, { clock: server.clock.now });
  const facility = (code: string): string => {
    const f = city.facilities.find((x) => x.code === code);
    assert.ok(f !== undefined, `seeded facility ${code}`);
    return f.id;
  };
  const submitted = {} as Record<'T-0005' | 'T-0006', string>;
  for (const code of ['T-0005', 'T-0006'] as const) {
    const draft = await reporting.createDraft(facility(code), 2025, FY2025_LINES, city.users.operator.userId);
    await reporting.submit(draft.id, city.users.operator.userId);
    submitted[code] = draft.id;
  }

  const toCorrect = await reporting.createDraft(facility('T-0003'), 2025, FY2025_LINES, city.users.operator.userId);
  await reporting.submit(toCorrect.id, city.users.operator.userId);
  await reporting.returnReport(toCorrect.id, RETURN_REASON, city.users.officer.userId);

  const applications = {} as Record<'T-0006' | 'T-0009', string>;
  for (const code of ['T-0006', 'T-0009'] as const) {
    const app = await applyForExcessCredits(server.db, { facilityId: facility(code), period: 3, actor: city.users.operator.userId, now: server.clock.now() });
    assert.ok(app.quantityT > 0n, `${code} earned excess reductions in period 3`);
    applications[code] = app.id;
  }
  return { city, submitted, returned: toCorrect.id, applications };
}

/** What every role-page test file starts from: a real server on `engine` seeded with seedCity and seedRoles, and a browser. */
export interface RolesRun {
  readonly server: E2EServer;
  readonly seed: RolesSeed;
  readonly browser: Browser;
  /** Saves a screenshot on SQLite only (the pictures are the same on both engines). */
  readonly shot: (app: AppPage, name: string, fullPage?: boolean) => Promise<void>;
  readonly close: () => Promise<void>;
}

export async function startRolesRun(engine: Engine): Promise<RolesRun> {
  const server = await startServer(engine);
  await seedCity(server);
  const seed = await seedRoles(server);
  const browser = await launchBrowser();
  return {
    server,
    seed,
    browser,
    shot: async (app, name, fullPage = true) => {
      if (engine === 'sqlite') await app.screenshot(name, { fullPage });
    },
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
