// An allocation program (EU-style) with annual surrenders: statuses follow the EU codes, cumulative within the
// period — A (compliant) when surrenders cover verified emissions, B (shortfall) when they fall short, C when a
// year's verified emissions are missing — and stay "no surrender data" while no surrender is recorded at all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { complianceReport, runCompliance } from '../../src/app/compliance.js';
import { surrenderForCompliance } from '../../src/app/credits.js';
import { Facilities } from '../../src/app/facilities.js';
import { uuidv7 } from '../../src/app/ids.js';
import { jurisdictionForProgram } from '../../src/app/programs.js';
import { Registry, txOrThrow } from '../../src/app/registry.js';
import { RefusedError } from '../../src/domain/errors.js';
import { euEtsProgram } from '../../src/domain/program/presets/index.js';
import { testEngines, type TestDatabase } from '../support/engines.js';

const WINDOW = new Date('2021-04-01T00:00:00Z'); // inside phase 3's surrender window (ends 2021-04-30)

for (const engine of testEngines()) {
  describe(`allocation compliance with surrenders on ${engine.name}`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await engine.create();
    });
    after(async () => t.drop());

    it('codes each year A, B or C from cumulative surrenders and verified emissions', async () => {
      const registry = new Registry(t.db);
      const eu = await jurisdictionForProgram(registry, euEtsProgram());
      const facilities = new Facilities(registry);
      const plant = await facilities.registerFacility({ jurisdictionId: eu.id, code: 'AT_1', name: 'Wien Zement', owner: 'Zement AG', useType: 'installation' }, 'officer');
      await facilities.recordStatus(plant.id, 2013, 'specified', 'phase 3 installation', 'officer');
      const allowances = async (year: number, quantityT: bigint) => {
        const u = await registry.createUnitType({ jurisdictionId: eu.id, code: `EUA-${year}`, kind: 'allowance', issuingJurisdiction: 'EU-ETS', vintage: year });
        txOrThrow(await registry.submit(eu.id, { type: 'issuance', toAccountId: plant.accountId, unitTypeId: u.id, quantityT }, { idempotencyKey: `alloc-${year}`, actor: 'officer', execute: true }));
        return u.id;
      };
      const verified = async (year: number, tonnes: bigint) => {
        await t.db.kysely
          .insertInto('reports')
          .values({ id: uuidv7(), jurisdiction_id: eu.id, facility_id: plant.id, fiscal_year: year, version: 1, status: 'accepted', emissions_kg: tonnes * 1000n, created_at: '2014-03-01T00:00:00Z', created_by: 'verifier' })
          .execute();
      };
      const eua2013 = await allowances(2013, 1_000n);
      const eua2014 = await allowances(2014, 500n);
      await allowances(2015, 400n);
      await verified(2013, 800n);
      await verified(2014, 900n);
      // 2015: allocated, but no verified emissions.

      const statuses = async () => {
        await runCompliance(t.db, { jurisdictionCode: 'EU-ETS', period: 3, now: WINDOW });
        const rows = (await t.db.kysely.selectFrom('compliance_results').select(['fiscal_year', 'status', 'surrendered_t', 'shortfall_t', 'allocated_t', 'position_t']).where('facility_id', '=', plant.id).orderBy('fiscal_year').execute());
        return rows.map((r) => [r.fiscal_year, r.status, r.surrendered_t, r.shortfall_t]);
      };
      // Nothing surrendered anywhere yet: surrenders are unknown, not zero.
      assert.deepEqual(await statuses(), [
        [2013, 'no_surrender_data', null, null],
        [2014, 'no_surrender_data', null, null],
        [2015, 'emissions_missing', null, null],
      ]);

      await surrenderForCompliance(t.db, registry, { facilityId: plant.id, period: 3, fiscalYear: 2013, lines: [{ unitTypeId: eua2013, quantityT: 800n }], actor: 'rep', now: WINDOW });
      assert.deepEqual(await statuses(), [
        [2013, 'compliant', 800n, 0n], // A
        [2014, 'shortfall', 800n, 900n], // B: 1,700 t verified so far, 800 t surrendered
        [2015, 'emissions_missing', 800n, 900n], // C
      ]);

      await surrenderForCompliance(t.db, registry, {
        facilityId: plant.id,
        period: 3,
        fiscalYear: 2014,
        lines: [{ unitTypeId: eua2013, quantityT: 200n }, { unitTypeId: eua2014, quantityT: 500n }],
        actor: 'rep',
        now: WINDOW,
      });
      const after = await statuses();
      assert.deepEqual(after[1], [2014, 'shortfall', 1_500n, 200n]);

      const report = await complianceReport(t.db, { jurisdictionCode: 'EU-ETS', period: 3, fiscalYear: 2014 });
      assert.equal(report.rows[0]!.status, 'shortfall');
      assert.match(report.rows[0]!.note ?? '', /EU code B/);
    });

    it('refuses an allocation surrender without a year of the period, writing nothing', async () => {
      const registry = new Registry(t.db);
      const eu = await registry.jurisdictionByCode('EU-ETS');
      const plant = await t.db.kysely.selectFrom('facilities').select('id').where('jurisdiction_id', '=', eu!.id).executeTakeFirstOrThrow();
      const unit = await t.db.kysely.selectFrom('unit_types').select('id').where('code', '=', 'EUA-2015').executeTakeFirstOrThrow();
      const before = await t.db.kysely.selectFrom('transactions').select('id').execute();
      for (const fiscalYear of [undefined, 2012, 2021]) {
        await assert.rejects(
          surrenderForCompliance(t.db, registry, { facilityId: plant.id, period: 3, ...(fiscalYear === undefined ? {} : { fiscalYear }), lines: [{ unitTypeId: unit.id, quantityT: 1n }], actor: 'rep', now: WINDOW }),
          (e: unknown) => e instanceof RefusedError && e.refusal.code === 'FISCAL_YEAR_INVALID' && e.refusal.field === 'fiscalYear',
        );
      }
      assert.equal((await t.db.kysely.selectFrom('transactions').select('id').execute()).length, before.length);
    });
  });
}
