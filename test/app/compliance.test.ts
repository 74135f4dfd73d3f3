// Compliance runs for obligation programs on both engines: cap after reliefs, verified emissions, surrendered units,
// shortfall and status; the report; and properties of the shortfall rule.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { complianceReport, obligationOutcome, reportCsv, runCompliance } from '../../src/app/compliance.js';
import { issueCredits, surrenderForCompliance } from '../../src/app/credits.js';
import { uuidv7 } from '../../src/app/ids.js';
import { verifyLedger } from '../../src/app/ledger-audit.js';
import { jurisdictionForProgram } from '../../src/app/programs.js';
import { Registry } from '../../src/app/registry.js';
import { RefusedError } from '../../src/domain/errors.js';
import { saitamaProgram, tokyoProgram } from '../../src/domain/program/presets/index.js';
import type { Database } from '../../src/store/db.js';
import { testEngines, type TestDatabase } from '../support/engines.js';

// These tests store base years without the reports behind them, so Tokyo's restatement with period factors cannot apply.
const NOT_RESTATED = 'base not restated with period 3 factors (no convertible energy lines)';

const NOW = new Date('2026-06-01T00:00:00Z'); // inside Tokyo's P3 adjustment window (ends 2026-09-30)

interface FacilitySpec {
  readonly code: string;
  readonly category?: string | null;
  readonly baseT?: bigint;
  /** Accepted verified emissions per fiscal year, tonnes. */
  readonly emissionsT?: Readonly<Record<number, bigint>>;
  readonly reliefs?: readonly { period: number; code: string }[];
  readonly status?: string;
}

/** Facilities, base years, reliefs and accepted reports written as the reporting use-cases would store them. */
async function addFacility(db: Database, registry: Registry, jurisdictionId: string, spec: FacilitySpec): Promise<{ id: string; accountId: string }> {
  const id = uuidv7();
  const at = '2020-04-01T00:00:00.000Z';
  await db.kysely
    .insertInto('facilities')
    .values({ id, jurisdiction_id: jurisdictionId, code: spec.code, name: `Facility ${spec.code}`, owner: 'Owner KK', category: spec.category === undefined ? 'I-1' : spec.category, use_type: 'office', floor_area_m2: 50_000n, address: null, city: null, country: 'JP', status: spec.status ?? 'specified', account_id: null, created_at: at })
    .execute();
  const account = await registry.openAccount({ jurisdictionId, type: 'facility_compliance', holder: `Facility ${spec.code}`, facilityId: id });
  await db.kysely.updateTable('facilities').set({ account_id: account.id }).where('id', '=', id).execute();
  if (spec.baseT !== undefined) {
    await db.kysely
      .insertInto('base_years')
      .values({ id: uuidv7(), facility_id: id, first_fiscal_year: 2002, last_fiscal_year: 2004, base_kg: spec.baseT * 1000n, base_t: spec.baseT, status: 'active', reason: 'operator choice', chosen_at: at, chosen_by: 'operator' })
      .execute();
  }
  for (const r of spec.reliefs ?? []) {
    await db.kysely.insertInto('facility_reliefs').values({ facility_id: id, period: r.period, relief_code: r.code, granted_at: at, granted_by: 'officer' }).execute();
  }
  for (const [year, t] of Object.entries(spec.emissionsT ?? {})) {
    await db.kysely
      .insertInto('reports')
      .values({ id: uuidv7(), jurisdiction_id: jurisdictionId, facility_id: id, fiscal_year: Number(year), version: 1, status: 'accepted', coe_l: 0n, emissions_kg: t * 1000n, created_at: at, created_by: 'operator', submitted_at: at, verified_at: at, verified_by: 'verifier', agency_id: null, accepted_at: at, accepted_by: 'officer', returned_at: null, returned_reason: null, corrects_report_id: null })
      .execute();
  }
  return { id, accountId: account.id };
}

const years = (first: number, perYear: readonly bigint[]): Record<number, bigint> => Object.fromEntries(perYear.map((t, i) => [first + i, t]));

async function refusedWith(p: Promise<unknown>, code: string, field?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof RefusedError, `expected a refusal, got ${String(e)}`);
    assert.equal(e.refusal.code, code, e.message);
    if (field !== undefined) assert.equal(e.refusal.field, field);
    return true;
  });
}

for (const engine of testEngines()) {
  describe(`compliance run (obligation) on ${engine.name}`, () => {
    let t: TestDatabase;
    let registry: Registry;
    let tokyo: { id: string; code: string };
    const f: Record<string, { id: string; accountId: string }> = {};

    before(async () => {
      t = await engine.create();
      registry = new Registry(t.db);
      tokyo = await jurisdictionForProgram(registry, tokyoProgram(), { now: new Date('2020-01-01T00:00:00Z') });
      const base = { category: 'I-1', baseT: 10_000n };
      // P3 I-1: factor 27 %, cap 10,000 × 0.73 × 5 = 36,500 t, obligation 13,500 t.
      f.ok = await addFacility(t.db, registry, tokyo.id, { ...base, code: 'T-001', emissionsT: years(2020, [7_000n, 7_000n, 7_000n, 7_000n, 7_000n]) });
      f.short = await addFacility(t.db, registry, tokyo.id, { ...base, code: 'T-002', emissionsT: years(2020, [8_000n, 8_000n, 8_000n, 8_000n, 8_000n]) });
      f.missing = await addFacility(t.db, registry, tokyo.id, { ...base, code: 'T-003', emissionsT: years(2020, [7_000n, 7_000n, 7_000n, 7_000n]) });
      // Top-level relief: 27 % × 1/2 = 13.5 %, cap 43,250 t — 40,000 t emitted is within it.
      f.relief = await addFacility(t.db, registry, tokyo.id, { ...base, code: 'T-004', reliefs: [{ period: 3, code: 'top_level' }], emissionsT: years(2020, [8_000n, 8_000n, 8_000n, 8_000n, 8_000n]) });
      f.nobase = await addFacility(t.db, registry, tokyo.id, { code: 'T-005', emissionsT: years(2020, [1n, 1n, 1n, 1n, 1n]) });
      f.designated = await addFacility(t.db, registry, tokyo.id, { ...base, code: 'T-006', status: 'designated', emissionsT: years(2020, [1n, 1n, 1n, 1n, 1n]) });
    });
    after(async () => t.drop());

    const report = async () => {
      const r = await complianceReport(t.db, { jurisdictionCode: 'TOKYO', period: 3 });
      return new Map(r.rows.map((row) => [row.facility_id, row]));
    };

    it('computes one row per specified facility: cap after reliefs, emissions, shortfall and status', async () => {
      const summary = await runCompliance(t.db, { jurisdictionCode: 'TOKYO', period: 3, now: NOW });
      assert.equal(summary.kind, 'obligation');
      assert.equal(summary.rows, 5); // the designated facility has no cap
      assert.deepEqual(summary.byStatus, { compliant: 2, shortfall: 1, emissions_missing: 1, cap_missing: 1 });
      const rows = await report();
      assert.equal(rows.has('T-006'), false);
      assert.deepEqual(
        { ...rows.get('T-001') },
        { facility_id: 'T-001', period: '3', fiscal_year: '2024', emissions_t: '35000', cap_t: '36500', obligation_t: '13500', surrendered_t: '0', shortfall_t: '0', position_t: '1500', status: 'compliant', note: NOT_RESTATED },
      );
      const short = rows.get('T-002')!;
      assert.equal(short.status, 'shortfall');
      assert.equal(short.emissions_t, '40000');
      assert.equal(short.shortfall_t, '3500');
      assert.equal(short.position_t, '-3500');
    });

    it('marks a facility whose reports are incomplete as emissions_missing, naming the year', async () => {
      const row = (await report()).get('T-003')!;
      assert.equal(row.status, 'emissions_missing');
      assert.equal(row.emissions_t, null);
      assert.equal(row.shortfall_t, null);
      assert.equal(row.cap_t, '36500');
      assert.match(row.note ?? '', /FY2024/);
    });

    it('lowers the factor with the facility\'s reliefs for the period', async () => {
      const row = (await report()).get('T-004')!;
      assert.equal(row.cap_t, '43250');
      assert.equal(row.obligation_t, '6750');
      assert.equal(row.status, 'compliant');
      assert.match(row.note ?? '', /top_level: factor 13\.5 %/);
    });

    it('says why a specified facility without a base year has no cap', async () => {
      const row = (await report()).get('T-005')!;
      assert.equal(row.status, 'cap_missing');
      assert.equal(row.cap_t, null);
      assert.match(row.note ?? '', /no active base year/);
    });

    it('covers a shortfall with credits surrendered in the adjustment window; a re-run replaces the results', async () => {
      const issued = await issueCredits(t.db, registry, {
        jurisdictionCode: 'TOKYO',
        creditCode: 'small_mid',
        vintagePeriod: 3,
        quantityT: 3_500n,
        toAccountId: f.short!.accountId,
        origin: { jurisdictionCode: 'TOKYO', facilityRef: 'CRR-88', verifiedBy: 'Agency 12' },
        actor: 'officer-a',
        idempotencyKey: 'smc-short',
      });
      await surrenderForCompliance(t.db, registry, { facilityId: f.short!.id, period: 3, lines: [{ unitTypeId: issued.unitTypeId, quantityT: 3_499n }], actor: 'rep-t2', now: NOW });
      await runCompliance(t.db, { jurisdictionCode: 'TOKYO', period: 3, now: NOW });
      let row = (await report()).get('T-002')!;
      assert.equal(row.status, 'shortfall');
      assert.equal(row.shortfall_t, '1');
      await surrenderForCompliance(t.db, registry, { facilityId: f.short!.id, period: 3, lines: [{ unitTypeId: issued.unitTypeId, quantityT: 1n }], actor: 'rep-t2', now: NOW });
      const summary = await runCompliance(t.db, { jurisdictionCode: 'TOKYO', period: 3, now: NOW });
      assert.equal(summary.rows, 5);
      row = (await report()).get('T-002')!;
      assert.equal(row.status, 'compliant');
      assert.equal(row.surrendered_t, '3500');
      assert.equal(row.shortfall_t, '0');
      const stored = await t.db.kysely.selectFrom('compliance_results').select(['surrendered_by_kind', 'fiscal_year']).where('facility_id', '=', f.short!.id).execute();
      assert.equal(stored.length, 1);
      assert.deepEqual(JSON.parse(stored[0]!.surrendered_by_kind!), { small_mid_facility_credit: '3500' });
      assert.equal((await verifyLedger(t.db)).ok, true);
    });

    it('writes CSV with a header and JSON-ready strings', async () => {
      const r = await complianceReport(t.db, { jurisdictionCode: 'TOKYO', period: 3 });
      const csv = reportCsv(r).split('\r\n');
      assert.equal(csv[0], 'facility_id,period,fiscal_year,emissions_t,cap_t,obligation_t,surrendered_t,shortfall_t,position_t,status,note');
      assert.equal(csv[1], `T-001,3,2024,35000,36500,13500,0,0,1500,compliant,${NOT_RESTATED}`);
      assert.ok(csv.some((l) => l.startsWith('T-005,3,2024,5,,,0,,,cap_missing,cap cannot be computed: no active base year')));
      assert.equal(r.rows.length, 5);
    });

    it('refuses an unknown jurisdiction or period, naming the field', async () => {
      await refusedWith(runCompliance(t.db, { jurisdictionCode: 'NOPE', period: 3, now: NOW }), 'UNKNOWN_JURISDICTION', 'jurisdiction');
      await refusedWith(runCompliance(t.db, { jurisdictionCode: 'TOKYO', period: 9, now: NOW }), 'UNKNOWN_PERIOD', 'period');
      await refusedWith(complianceReport(t.db, { jurisdictionCode: 'TOKYO', period: 9 }), 'UNKNOWN_PERIOD', 'period');
    });

    it('runs Saitama with its 4-year first period (T13: cap = B × 0.92 × 4)', async () => {
      const saitama = await jurisdictionForProgram(registry, saitamaProgram(), { now: new Date('2020-01-01T00:00:00Z') });
      await addFacility(t.db, registry, saitama.id, { code: 'S-001', category: 'office', baseT: 10_000n, emissionsT: years(2011, [9_000n, 9_000n, 9_000n, 9_000n]) });
      await runCompliance(t.db, { jurisdictionCode: 'SAITAMA', period: 1, now: NOW });
      const r = await complianceReport(t.db, { jurisdictionCode: 'SAITAMA', period: 1 });
      assert.deepEqual(r.rows.map((x) => [x.facility_id, x.fiscal_year, x.cap_t, x.emissions_t, x.status]), [['S-001', '2014', '36800', '36000', 'compliant']]);
    });
  });
}

describe('the shortfall rule (properties)', () => {
  const program = tokyoProgram();
  const tonnes = fc.bigInt({ min: 0n, max: 10_000_000n });
  const kinds = fc.constantFrom('excess_reduction_credit', 'small_mid_facility_credit', 'renewable_energy_credit', 'outside_credit', 'linked_credit');
  const units = fc.array(fc.record({ kind: kinds, vintage: fc.constantFrom(2, 3), quantityT: tonnes }), { maxLength: 6 });
  const emissions = fc.array(tonnes, { minLength: 5, maxLength: 5 });

  it('surrendering more never increases the shortfall', () => {
    fc.assert(
      fc.property(tonnes, tonnes, emissions, units, units, (capT, obligationT, e, before, more) => {
        const a = obligationOutcome(program, 3, { capT, obligationT, emissionsByYearT: e, surrendered: before });
        const b = obligationOutcome(program, 3, { capT, obligationT, emissionsByYearT: e, surrendered: [...before, ...more] });
        assert.ok(b.shortfallT! <= a.shortfallT!);
      }),
    );
  });

  it('more emissions never reduce the shortfall', () => {
    fc.assert(
      fc.property(tonnes, tonnes, emissions, fc.nat({ max: 4 }), tonnes, units, (capT, obligationT, e, year, extra, surrendered) => {
        const more = e.map((x, i) => (i === year ? x + extra : x));
        const a = obligationOutcome(program, 3, { capT, obligationT, emissionsByYearT: e, surrendered: surrendered });
        const b = obligationOutcome(program, 3, { capT, obligationT, emissionsByYearT: more, surrendered: surrendered });
        assert.ok(b.shortfallT! >= a.shortfallT!);
      }),
    );
  });

  it('is zero exactly when emissions are within the cap plus what the surrenders count for, outside credits at most 1/3 of the obligation', () => {
    fc.assert(
      fc.property(tonnes, tonnes, emissions, units, (capT, obligationT, e, surrendered) => {
        const o = obligationOutcome(program, 3, { capT, obligationT, emissionsByYearT: e, surrendered: surrendered });
        const total = e.reduce((s, x) => s + x, 0n);
        assert.equal(o.shortfallT === 0n, total <= capT + o.creditedT);
        const outside = surrendered.filter((s) => s.kind === 'outside_credit').reduce((s, x) => s + x.quantityT, 0n);
        const others = surrendered.filter((s) => s.kind !== 'outside_credit').reduce((s, x) => s + x.quantityT, 0n);
        assert.ok(o.creditedT <= others + (outside < obligationT / 3n ? outside : obligationT / 3n));
      }),
    );
  });

  it('any missing year makes the status emissions_missing, whatever was surrendered', () => {
    fc.assert(
      fc.property(tonnes, emissions, fc.nat({ max: 4 }), units, (capT, e, year, surrendered) => {
        const withGap = e.map((x, i) => (i === year ? null : x));
        const o = obligationOutcome(program, 3, { capT, obligationT: capT, emissionsByYearT: withGap, surrendered: surrendered });
        assert.equal(o.status, 'emissions_missing');
        assert.equal(o.shortfallT, null);
      }),
    );
  });
});
