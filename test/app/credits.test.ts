// Credits on both engines: excess reduction credits end to end through the ledger (T1, T2, four eyes), credits the
// authority issues with eligibility (outside, Saitama-linked), and surrender for compliance: usage limits, banking,
// the adjustment window and all-or-nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCompliance } from '../../src/app/compliance.js';
import {
  applyForExcessCredits,
  approveCreditApplication,
  issueCredits,
  rejectCreditApplication,
  surrenderForCompliance,
  type IssueCreditsInput,
} from '../../src/app/credits.js';
import { uuidv7 } from '../../src/app/ids.js';
import { verifyLedger } from '../../src/app/ledger-audit.js';
import { jurisdictionForProgram } from '../../src/app/programs.js';
import { Registry } from '../../src/app/registry.js';
import { RefusedError } from '../../src/domain/errors.js';
import { saitamaProgram, tokyoProgram } from '../../src/domain/program/presets/index.js';
import type { Database } from '../../src/store/db.js';
import { testEngines, type TestDatabase } from '../support/engines.js';

const P3_WINDOW = new Date('2026-06-01T00:00:00Z'); // FY2026, inside Tokyo's P3 adjustment window

interface FacilitySpec {
  readonly code: string;
  readonly category?: string;
  readonly baseT: bigint;
  readonly emissionsT?: Readonly<Record<number, bigint>>;
}

/** A specified facility with its compliance account, active base year and accepted reports, stored as reporting would. */
async function addFacility(db: Database, registry: Registry, jurisdictionId: string, spec: FacilitySpec): Promise<{ id: string; accountId: string }> {
  const id = uuidv7();
  const at = '2015-04-01T00:00:00.000Z';
  await db.kysely
    .insertInto('facilities')
    .values({ id, jurisdiction_id: jurisdictionId, code: spec.code, name: `Facility ${spec.code}`, owner: 'Owner KK', category: spec.category ?? 'I-1', use_type: 'office', floor_area_m2: null, address: null, city: null, country: 'JP', status: 'specified', account_id: null, created_at: at })
    .execute();
  const account = await registry.openAccount({ jurisdictionId, type: 'facility_compliance', holder: `Facility ${spec.code}`, facilityId: id });
  await db.kysely.updateTable('facilities').set({ account_id: account.id }).where('id', '=', id).execute();
  await db.kysely
    .insertInto('base_years')
    .values({ id: uuidv7(), facility_id: id, first_fiscal_year: 2002, last_fiscal_year: 2004, base_kg: spec.baseT * 1000n, base_t: spec.baseT, status: 'active', reason: 'operator choice', chosen_at: at, chosen_by: 'operator' })
    .execute();
  for (const [year, t] of Object.entries(spec.emissionsT ?? {})) await addReport(db, jurisdictionId, id, Number(year), t);
  return { id, accountId: account.id };
}

async function addReport(db: Database, jurisdictionId: string, facilityId: string, fiscalYear: number, emissionsT: bigint): Promise<void> {
  const at = '2015-04-01T00:00:00.000Z';
  await db.kysely
    .insertInto('reports')
    .values({ id: uuidv7(), jurisdiction_id: jurisdictionId, facility_id: facilityId, fiscal_year: fiscalYear, version: 1, status: 'accepted', coe_l: 0n, emissions_kg: emissionsT * 1000n, created_at: at, created_by: 'operator', submitted_at: at, verified_at: at, verified_by: 'verifier', agency_id: null, accepted_at: at, accepted_by: 'officer', returned_at: null, returned_reason: null, corrects_report_id: null })
    .execute();
}

async function refusedWith(p: Promise<unknown>, code: string, field?: string): Promise<RefusedError> {
  let caught: RefusedError | undefined;
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof RefusedError, `expected a refusal, got ${String(e)}`);
    assert.equal(e.refusal.code, code, e.message);
    if (field !== undefined) assert.equal(e.refusal.field, field);
    caught = e;
    return true;
  });
  return caught!;
}

for (const engine of testEngines()) {
  describe(`credits on ${engine.name}`, () => {
    let t: TestDatabase;
    let registry: Registry;
    let tokyo: { id: string; code: string };

    before(async () => {
      t = await engine.create();
      registry = new Registry(t.db);
      tokyo = await jurisdictionForProgram(registry, tokyoProgram(), { now: new Date('2015-01-01T00:00:00Z') });
    });
    after(async () => t.drop());

    const balance = async (accountId: string, unitTypeId: string): Promise<bigint> => {
      const row = await t.db.kysely.selectFrom('balances').select('quantity_t').where('account_id', '=', accountId).where('unit_type_id', '=', unitTypeId).executeTakeFirst();
      return row?.quantity_t ?? 0n;
    };
    const surrenderRows = async (facilityId: string): Promise<number> =>
      (await t.db.kysely.selectFrom('compliance_surrenders').select('tx_id').where('facility_id', '=', facilityId).execute()).length;
    const issue = (over: Partial<IssueCreditsInput> & Pick<IssueCreditsInput, 'creditCode' | 'toAccountId' | 'quantityT'>): Promise<Awaited<ReturnType<typeof issueCredits>>> =>
      issueCredits(t.db, registry, {
        jurisdictionCode: 'TOKYO',
        vintagePeriod: 3,
        origin: { jurisdictionCode: 'TOKYO', facilityRef: 'REF-1', verifiedBy: 'Agency 7' },
        actor: 'officer-a',
        idempotencyKey: uuidv7(),
        ...over,
      });

    it('T1/T2: excess credits are applied for, refused while nothing is creditable, and issued through the ledger on a second person\'s approval', async () => {
      // Tokyo P2 (FY2015–FY2019), I-1 17 %, base 10,000 t.
      const fac = await addFacility(t.db, registry, tokyo.id, { code: 'EX-1', baseT: 10_000n, emissionsT: { 2015: 8_500n } });
      await refusedWith(applyForExcessCredits(t.db, { facilityId: fac.id, period: 2, actor: 'operator', now: new Date('2015-10-01T00:00:00Z') }), 'APPLICATION_TOO_EARLY', 'period');
      // T1: reduction 1,500 < R₁ 1,700 — nothing sellable after year 1.
      const t1 = await refusedWith(applyForExcessCredits(t.db, { facilityId: fac.id, period: 2, actor: 'operator', now: new Date('2016-10-01T00:00:00Z') }), 'NOTHING_CREDITABLE', 'period');
      assert.match(t1.message, /1500 t against a pro-rated obligation of 1700 t/);
      // T2: cumulative reduction 4,000 > R₂ 3,400 — 600 t creditable.
      await addReport(t.db, tokyo.id, fac.id, 2016, 7_500n);
      const app = await applyForExcessCredits(t.db, { facilityId: fac.id, period: 2, actor: 'operator', now: new Date('2017-06-01T00:00:00Z') });
      assert.equal(app.quantityT, 600n);
      assert.equal(app.status, 'applied');
      assert.equal(app.creditType, 'excess');
      const stored = await t.db.kysely.selectFrom('credit_applications').select('evidence').where('id', '=', app.id).executeTakeFirstOrThrow();
      const evidence = JSON.parse(stored.evidence) as { creditable_t: string; years: { pro_rated_obligation_t: string }[] };
      assert.equal(evidence.creditable_t, '600');
      assert.deepEqual(evidence.years.map((y) => y.pro_rated_obligation_t), ['1700', '3400']);
      // Nothing more while this one is pending or issued.
      await refusedWith(applyForExcessCredits(t.db, { facilityId: fac.id, period: 2, actor: 'operator', now: new Date('2017-06-02T00:00:00Z') }), 'NOTHING_CREDITABLE');

      await refusedWith(approveCreditApplication(t.db, registry, { applicationId: app.id, approver: 'operator', now: new Date('2017-06-10T00:00:00Z') }), 'FOUR_EYES', 'approver');
      assert.equal((await t.db.kysely.selectFrom('transactions').select('id').where('idempotency_key', '=', `credit-application:${app.id}`).execute()).length, 0);
      const issued = await approveCreditApplication(t.db, registry, { applicationId: app.id, approver: 'officer-b', now: new Date('2017-06-10T00:00:00Z') });
      assert.equal(issued.status, 'issued');
      assert.notEqual(issued.txId, null);
      assert.equal(await balance(fac.accountId, issued.unitTypeId), 600n);
      const unitType = await t.db.kysely.selectFrom('unit_types').selectAll().where('id', '=', issued.unitTypeId).executeTakeFirstOrThrow();
      assert.equal(unitType.code, 'ERC-P2-EX-1');
      assert.equal(unitType.kind, 'excess_reduction_credit');
      assert.equal(Number(unitType.vintage), 2);
      assert.equal(unitType.originating_facility_id, fac.id);
      const again = await approveCreditApplication(t.db, registry, { applicationId: app.id, approver: 'officer-b', now: new Date('2017-06-11T00:00:00Z') });
      assert.equal(again.txId, issued.txId);
      assert.equal(await balance(fac.accountId, issued.unitTypeId), 600n);

      // A further year adds to what can be claimed: only the increase is applied for.
      await addReport(t.db, tokyo.id, fac.id, 2017, 8_000n);
      const next = await applyForExcessCredits(t.db, { facilityId: fac.id, period: 2, actor: 'operator', now: new Date('2018-06-01T00:00:00Z') });
      assert.equal(next.quantityT, 300n); // cumulative 6,000 − R₃ 5,100 = 900 creditable, 600 already issued
      await refusedWith(rejectCreditApplication(t.db, { applicationId: next.id, actor: 'operator', reason: 'withdrawn', now: new Date('2018-06-02T00:00:00Z') }), 'FOUR_EYES', 'actor');
      await refusedWith(rejectCreditApplication(t.db, { applicationId: next.id, actor: 'officer-b', reason: ' ', now: new Date('2018-06-02T00:00:00Z') }), 'REASON_INVALID', 'reason');
      const rejected = await rejectCreditApplication(t.db, { applicationId: next.id, actor: 'officer-b', reason: 'FY2017 report under review', now: new Date('2018-06-02T00:00:00Z') });
      assert.equal(rejected.status, 'rejected');
      await refusedWith(approveCreditApplication(t.db, registry, { applicationId: next.id, approver: 'officer-c', now: new Date('2018-06-03T00:00:00Z') }), 'INVALID_STATE');
      assert.equal((await verifyLedger(t.db)).ok, true);
    });

    it('refuses outside credits beyond 1/3 of the obligation at surrender, writing nothing, and counts earlier surrenders', async () => {
      // P3 I-1 27 %, base 10,000 t: obligation 13,500 t, outside credits ≤ 4,500 t.
      const fac = await addFacility(t.db, registry, tokyo.id, { code: 'OUT-1', baseT: 10_000n });
      const outside = await issue({ creditCode: 'outside', toAccountId: fac.accountId, quantityT: 6_000n, origin: { jurisdictionCode: 'OSAKA', facilityRef: 'PLANT-9', baseT: 90_000n } });
      const smc = await issue({ creditCode: 'small_mid', toAccountId: fac.accountId, quantityT: 100n });
      const e = await refusedWith(
        surrenderForCompliance(t.db, registry, { facilityId: fac.id, period: 3, lines: [{ unitTypeId: smc.unitTypeId, quantityT: 100n }, { unitTypeId: outside.unitTypeId, quantityT: 4_501n }], actor: 'rep', now: P3_WINDOW }),
        'CREDIT_USAGE_LIMIT',
        'lines[1].quantityT',
      );
      assert.match(e.message, /4501 t of "outside" exceeds its limit of 4500 t/);
      assert.equal(await surrenderRows(fac.id), 0);
      assert.equal(await balance(fac.accountId, smc.unitTypeId), 100n);
      assert.equal(await balance(fac.accountId, outside.unitTypeId), 6_000n);
      assert.equal((await t.db.kysely.selectFrom('transactions').select('id').where('type', '=', 'surrender').where('from_account_id', '=', fac.accountId).execute()).length, 0);

      await surrenderForCompliance(t.db, registry, { facilityId: fac.id, period: 3, lines: [{ unitTypeId: outside.unitTypeId, quantityT: 3_000n }], actor: 'rep', now: P3_WINDOW });
      const later = await refusedWith(
        surrenderForCompliance(t.db, registry, { facilityId: fac.id, period: 3, lines: [{ unitTypeId: outside.unitTypeId, quantityT: 1_501n }], actor: 'rep', now: P3_WINDOW }),
        'CREDIT_USAGE_LIMIT',
        'lines[0].quantityT',
      );
      assert.match(later.message, /including 3000 t surrendered earlier/);
      await surrenderForCompliance(t.db, registry, { facilityId: fac.id, period: 3, lines: [{ unitTypeId: outside.unitTypeId, quantityT: 1_500n }], actor: 'rep', now: P3_WINDOW });
      assert.equal(await balance(fac.accountId, outside.unitTypeId), 1_500n);
      assert.equal(await surrenderRows(fac.id), 2);
    });

    it('refuses units two periods old (banking to the next period only) and accepts last period\'s', async () => {
      const fac = await addFacility(t.db, registry, tokyo.id, { code: 'BANK-1', baseT: 10_000n });
      const p1 = await issue({ creditCode: 'small_mid', vintagePeriod: 1, toAccountId: fac.accountId, quantityT: 50n, origin: { jurisdictionCode: 'TOKYO', facilityRef: 'OLD', verifiedBy: 'Agency 7' } });
      const p2 = await issue({ creditCode: 'small_mid', vintagePeriod: 2, toAccountId: fac.accountId, quantityT: 50n, origin: { jurisdictionCode: 'TOKYO', facilityRef: 'LAST', verifiedBy: 'Agency 7' } });
      const e = await refusedWith(
        surrenderForCompliance(t.db, registry, { facilityId: fac.id, period: 3, lines: [{ unitTypeId: p2.unitTypeId, quantityT: 10n }, { unitTypeId: p1.unitTypeId, quantityT: 10n }], actor: 'rep', now: P3_WINDOW }),
        'BANKING_NOT_ALLOWED',
        'lines[1].unitTypeId',
      );
      assert.match(e.message, /period 1 to 2, not period 3/);
      assert.equal(await balance(fac.accountId, p2.unitTypeId), 50n);
      const ok = await surrenderForCompliance(t.db, registry, { facilityId: fac.id, period: 3, lines: [{ unitTypeId: p2.unitTypeId, quantityT: 10n }], actor: 'rep', now: P3_WINDOW, idempotencyKey: 'bank-ok' });
      assert.equal(ok.surrenderedT, 10n);
      const replay = await surrenderForCompliance(t.db, registry, { facilityId: fac.id, period: 3, lines: [{ unitTypeId: p2.unitTypeId, quantityT: 10n }], actor: 'rep', now: P3_WINDOW, idempotencyKey: 'bank-ok' });
      assert.equal(replay.replayed, true);
      assert.deepEqual(replay.txIds, ok.txIds);
      assert.equal(await balance(fac.accountId, p2.unitTypeId), 40n);
      await refusedWith(
        surrenderForCompliance(t.db, registry, { facilityId: fac.id, period: 3, lines: [{ unitTypeId: p2.unitTypeId, quantityT: 10n }], actor: 'rep', now: new Date('2026-10-01T00:00:00Z') }),
        'SURRENDER_WINDOW_CLOSED',
        'period',
      );
      await refusedWith(
        surrenderForCompliance(t.db, registry, { facilityId: fac.id, period: 3, lines: [{ unitTypeId: p2.unitTypeId, quantityT: 41n }], actor: 'rep', now: P3_WINDOW }),
        'INSUFFICIENT_UNITS',
        'lines[0].quantityT',
      );
    });

    it('is all or nothing when the ledger refuses a line after the checks: no line is surrendered', async () => {
      const fac = await addFacility(t.db, registry, tokyo.id, { code: 'RACE-1', baseT: 10_000n });
      const trader = await registry.openAccount({ jurisdictionId: tokyo.id, type: 'general_holding', holder: 'Broker' });
      const a = await issue({ creditCode: 'small_mid', toAccountId: fac.accountId, quantityT: 20n, origin: { jurisdictionCode: 'TOKYO', facilityRef: 'RACE-A', verifiedBy: 'Agency 7' } });
      const b = await issue({ creditCode: 'renewable', toAccountId: fac.accountId, quantityT: 20n, origin: { jurisdictionCode: 'TOKYO', facilityRef: 'RACE-B' } });
      // Fault injection: another representative moves line 2's units away just as the surrender reaches the ledger
      // (queued in the same tick, so it lands first in the same batch).
      const runAtomically = registry.runAtomically.bind(registry);
      let drained = false;
      registry.runAtomically = (jurisdictionId, commands) => {
        if (!drained) {
          drained = true;
          void registry.submit(jurisdictionId, { type: 'transfer', fromAccountId: fac.accountId, toAccountId: trader.id, unitTypeId: b.unitTypeId, quantityT: 20n }, { idempotencyKey: 'drain', actor: 'other-rep', execute: true });
        }
        return runAtomically(jurisdictionId, commands);
      };
      try {
        await refusedWith(
          surrenderForCompliance(t.db, registry, { facilityId: fac.id, period: 3, lines: [{ unitTypeId: a.unitTypeId, quantityT: 20n }, { unitTypeId: b.unitTypeId, quantityT: 20n }], actor: 'rep', now: P3_WINDOW, idempotencyKey: 'race' }),
          'INSUFFICIENT_UNITS',
          'lines[1].quantityT',
        );
      } finally {
        registry.runAtomically = runAtomically;
      }
      assert.equal(drained, true);
      assert.equal(await balance(fac.accountId, a.unitTypeId), 20n);
      assert.equal(await surrenderRows(fac.id), 0);
      // Line 1 never happened: no surrender, and no reversal to undo one.
      const written = await t.db.kysely.selectFrom('transactions').select('id').where('idempotency_key', 'like', 'surrender:race:%').execute();
      assert.deepEqual(written, []);
      assert.equal((await verifyLedger(t.db)).ok, true);
    });

    it('issues Saitama-linked credits only from eligible origins: base ≤ 150,000 t and the origin complied', async () => {
      const fac = await addFacility(t.db, registry, tokyo.id, { code: 'LINK-1', baseT: 10_000n });
      const linked = (origin: IssueCreditsInput['origin']) => issue({ creditCode: 'saitama_linked', vintagePeriod: 2, toAccountId: fac.accountId, quantityT: 100n, origin });
      await refusedWith(linked({ jurisdictionCode: 'SAITAMA', facilityRef: 'BIG', baseT: 150_001n, complied: true }), 'ORIGIN_NOT_ELIGIBLE', 'origin.baseT');
      await refusedWith(linked({ jurisdictionCode: 'SAITAMA', facilityRef: 'LATE', baseT: 20_000n, complied: false }), 'ORIGIN_NOT_COMPLIED', 'origin.complied');
      await refusedWith(linked({ jurisdictionCode: 'SAITAMA', facilityRef: 'NOBASE', complied: true }), 'ORIGIN_BASE_REQUIRED', 'origin.baseT');
      const declared = await linked({ jurisdictionCode: 'SAITAMA', facilityRef: 'GOOD', baseT: 150_000n, complied: true });
      assert.equal(declared.eligibility.source, 'declared');
      // An origin in this database is judged on its own records: its base and its compliance result.
      const saitama = await jurisdictionForProgram(registry, saitamaProgram(), { now: new Date('2015-01-01T00:00:00Z') });
      const origin = await addFacility(t.db, registry, saitama.id, { code: 'S-7', category: 'office', baseT: 20_000n, emissionsT: { 2015: 15_000n, 2016: 15_000n, 2017: 15_000n, 2018: 15_000n, 2019: 15_000n } });
      await refusedWith(linked({ jurisdictionCode: 'SAITAMA', facilityRef: 'S-7', complied: true }), 'ORIGIN_NOT_COMPLIED');
      await runCompliance(t.db, { jurisdictionCode: 'SAITAMA', period: 2, now: new Date('2021-10-01T00:00:00Z') });
      const fromDb = await linked({ jurisdictionCode: 'SAITAMA', facilityRef: 'S-7' });
      assert.deepEqual(fromDb.eligibility, { originBaseT: '20000', originComplied: true, source: 'database' });
      const unitType = await t.db.kysely.selectFrom('unit_types').selectAll().where('id', '=', fromDb.unitTypeId).executeTakeFirstOrThrow();
      assert.equal(unitType.kind, 'linked_credit');
      assert.equal(unitType.issuing_jurisdiction, 'SAITAMA');
      assert.equal(unitType.originating_facility_id, origin.id);
      await refusedWith(issue({ creditCode: 'small_mid', toAccountId: fac.accountId, quantityT: 5n, origin: { jurisdictionCode: 'TOKYO', facilityRef: 'X' } }), 'VERIFICATION_REQUIRED', 'origin.verifiedBy');
      await refusedWith(issue({ creditCode: 'excess', toAccountId: fac.accountId, quantityT: 5n }), 'ISSUED_ON_APPLICATION', 'creditCode');
      await refusedWith(issue({ creditCode: 'nope', toAccountId: fac.accountId, quantityT: 5n }), 'UNKNOWN_CREDIT_TYPE', 'creditType');
    });
  });
}
