// The open-data tables on both engines: every table's rows have the dictionary's types and equal the use-cases the
// public API reads (register, disclosure summary, compliance report, ledger stats); reads are bounded batches; the
// transaction log publishes a transaction exactly when the delay has passed since it completed, never a refused one
// and never a personal field; the settings and the format helpers refuse or defuse what they must.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { uuidv7 } from '../../src/app/ids.js';
import { complianceReport } from '../../src/app/compliance.js';
import { disclosureSummary } from '../../src/app/disclosure-summary.js';
import { jurisdictionIdByCode, listFacilities } from '../../src/app/disclosure.js';
import { ledgerStats } from '../../src/app/ledger-audit.js';
import { OPEN_DATA_TABLES, TRANSACTIONS, tableDef } from '../../src/app/open-data/dictionary.js';
import { csvField, xlsxValue } from '../../src/app/open-data/formats.js';
import { DEFAULT_OPEN_DATA_SETTINGS, openDataSettings, openDataSettingsFromEnv, openDataSettingsProblems } from '../../src/app/open-data/settings.js';
import { allRows, BATCH_ROWS, openTable, type OpenTable, type Row } from '../../src/app/open-data/tables.js';
import { logRowObject, transactionLogPage } from '../../src/app/open-data/transaction-log.js';
import { UNIT_STATUSES } from '../../src/domain/registry/model.js';
import { RefusedError } from '../../src/domain/errors.js';
import { apiFixture, DEMO, TOKYO } from '../http/support/api-fixture.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { assertNoPersonalData, LOG_CITY, logFixture, THREE_YEARS_MS, type LogFixture } from './open-data-support.js';

const NOW = new Date('2026-06-01T00:00:00.000Z');
const settings = DEFAULT_OPEN_DATA_SETTINGS;

async function table(db: TestDatabase['db'], jurisdictionCode: string, name: string, now = NOW): Promise<OpenTable> {
  return openTable(db, { jurisdictionCode, table: name, now, settings });
}

async function refusedWith(promise: Promise<unknown>, code: string, field: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof RefusedError, String(e));
    assert.equal(e.refusal.code, code);
    assert.equal(e.refusal.field, field);
    return true;
  });
}

/** Rows as objects keyed by column name. */
function objects(t: OpenTable, rows: readonly Row[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(t.def.columns.map((c, i) => [c.name, r[i]])));
}

for (const engine of testEngines()) {
  describe(`open-data tables on ${engine.name}`, () => {
    let t: TestDatabase;
    let log: LogFixture;
    before(async () => {
      t = await engine.create();
      await apiFixture(t.db);
      log = await logFixture(t.db);
    });
    after(async () => t.drop());

    it('gives every table of TOKYO rows of the dictionary: one cell per column, JSON type and nullability as declared', async () => {
      for (const def of OPEN_DATA_TABLES) {
        const code = def.name === 'transactions' || def.name === 'units' ? LOG_CITY : TOKYO;
        const rows = await allRows(await table(t.db, code, def.name));
        assert.ok(rows.length > 0, `${def.name} has rows in the fixture`);
        for (const row of rows) {
          assert.equal(row.length, def.columns.length, `${def.name}: one cell per column`);
          def.columns.forEach((c, i) => {
            const v = row[i];
            if (v === null) assert.ok(c.nullable, `${def.name}.${c.name} is not nullable`);
            else assert.equal(typeof v, c.json, `${def.name}.${c.name}: JSON ${c.json}`);
            if (typeof v === 'string' && c.type === 'integer') assert.match(v, /^-?\d+$/, `${def.name}.${c.name} is an integer`);
            if (typeof v === 'string' && c.type === 'datetime') assert.match(v, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
          });
        }
        const key = def.key.map((k) => def.columns.findIndex((c) => c.name === k));
        const keys = rows.map((r) => JSON.stringify(key.map((i) => r[i])));
        assert.equal(new Set(keys).size, keys.length, `${def.name}: the key ${def.key.join(', ')} identifies a row`);
      }
    });

    it('has the register of the public facilities route, with accounts and active base years', async () => {
      const tab = await table(t.db, TOKYO, 'facilities');
      const rows = objects(tab, await allRows(tab));
      const listed = await listFacilities(t.db, (await jurisdictionIdByCode(t.db, TOKYO))!, { limit: 1000 });
      assert.deepEqual(
        rows.map((r) => ({ code: r.facility_code, name: r.name, category: r.category, useType: r.use_type, status: r.status })),
        listed,
      );
      const t101 = rows.find((r) => r.facility_code === 'T-101')!;
      assert.deepEqual([t101.base_first_fiscal_year, t101.base_last_fiscal_year, t101.base_t, t101.floor_area_m2], [2002, 2004, '10000', '50000']);
      assert.match(String(t101.compliance_account), /^TOKYO-200-\d+$/);
      assert.equal(rows.find((r) => r.facility_code === 'R-001')!.base_t, null);
    });

    it('has the disclosure summary and its categories, the compliance report of each period and the ledger stats', async () => {
      const summary = await disclosureSummary(t.db, TOKYO);
      const s = await table(t.db, TOKYO, 'summary');
      assert.deepEqual(await allRows(s), summary.years.map((y) => [y.fiscalYear, y.emissionsT.toString(), y.reportingFacilities, y.reductionPct]));
      const byCategory = await allRows(await table(t.db, TOKYO, 'summary-by-category'));
      assert.deepEqual(byCategory, summary.years.flatMap((y) => Object.entries(y.byCategory).map(([c, v]) => [y.fiscalYear, c, v.toString()])));

      const compliance = await table(t.db, TOKYO, 'compliance');
      const rows = objects(compliance, await allRows(compliance));
      const report = await complianceReport(t.db, { jurisdictionCode: TOKYO, period: 3 });
      assert.equal(report.rows.length, 3);
      assert.deepEqual(
        rows.filter((r) => r.period === 3).map((r) => report.columns.map((c) => (c === 'facility_id' ? r.facility_code : r[c] === null ? null : String(r[c] as string | number)))),
        report.rows.map((r) => report.columns.map((c) => r[c] ?? null)),
      );

      const units = await table(t.db, DEMO, 'units');
      const stats = await ledgerStats(t.db, DEMO);
      assert.deepEqual(await allRows(units), stats.unitTypes.map((u) => [u.unitType, u.kind, u.issuedT.toString(), ...UNIT_STATUSES.map((st) => u.byStatusT[st].toString())]));
    });

    it('lists the program periods with each category’s compliance factor in percent', async () => {
      const rows = objects(await table(t.db, TOKYO, 'program-periods'), await allRows(await table(t.db, TOKYO, 'program-periods')));
      const p3 = rows.filter((r) => r.period === 3);
      assert.deepEqual(p3.map((r) => [r.category, r.compliance_factor_pct, r.first_fiscal_year, r.last_fiscal_year]), [['I-1', 27, 2020, 2024], ['I-2', 25, 2020, 2024], ['II', 25, 2020, 2024]]);
    });

    it('refuses an unknown jurisdiction (code), an unknown table (table), and program tables of a jurisdiction without a program', async () => {
      await refusedWith(table(t.db, 'NOWHERE', 'facilities'), 'UNKNOWN_JURISDICTION', 'code');
      await refusedWith(table(t.db, TOKYO, 'secrets'), 'UNKNOWN_TABLE', 'table');
      await assert.rejects(table(t.db, DEMO, 'summary'), (e: unknown) => e instanceof RefusedError && e.refusal.code === 'NO_PROGRAM');
      assert.deepEqual(await allRows(await table(t.db, DEMO, 'facilities')), []);
    });

    it('reads a large register in batches of at most BATCH_ROWS, in code order, without gaps', async () => {
      const registry = await t.db.kysely.selectFrom('jurisdictions').select('id').where('code', '=', DEMO).executeTakeFirstOrThrow();
      const n = 2 * BATCH_ROWS + 345;
      const at = '2021-01-01T00:00:00.000Z';
      for (let i = 0; i < n; i += 500) {
        await t.db.kysely
          .insertInto('facilities')
          .values(Array.from({ length: Math.min(500, n - i) }, (_, k) => ({ id: uuidv7(), jurisdiction_id: registry.id, code: `B-${String(i + k).padStart(5, '0')}`, name: `Bulk ${i + k}`, owner: 'Bulk KK', category: null, use_type: 'office', floor_area_m2: null, address: null, city: null, country: null, status: 'registered', account_id: null, created_at: at })))
          .execute();
      }
      const sizes: number[] = [];
      const codes: string[] = [];
      for await (const batch of (await table(t.db, DEMO, 'facilities')).batches()) {
        sizes.push(batch.length);
        codes.push(...batch.map((r) => String(r[0])));
      }
      assert.deepEqual(sizes, [BATCH_ROWS, BATCH_ROWS, 345]);
      assert.deepEqual(codes, Array.from({ length: n }, (_, i) => `B-${String(i).padStart(5, '0')}`));
    });

    describe('the transaction log', () => {
      it('publishes a completed transaction exactly when the delay has passed since its completion, never a rejected one', async () => {
        const published = async (now: Date): Promise<number> => (await transactionLogPage(t.db, log.jurisdictionId, { limit: 100, now, settings })).rows.length;
        const [issued, transferred, surrendered, retired] = log.completedAt.map((d) => d.getTime());
        assert.equal(await published(new Date(issued! + THREE_YEARS_MS - 1)), 0);
        assert.equal(await published(new Date(issued! + THREE_YEARS_MS)), 1);
        assert.equal(await published(new Date(transferred! + THREE_YEARS_MS - 1)), 1);
        assert.equal(await published(new Date(transferred! + THREE_YEARS_MS)), 2);
        assert.equal(await published(new Date(surrendered! + THREE_YEARS_MS)), 3);
        assert.equal(await published(new Date(retired! + THREE_YEARS_MS)), 4);
        // Years later still four: the rejected transfer never completed, so it is never published.
        const page = await transactionLogPage(t.db, log.jurisdictionId, { limit: 100, now: new Date('2040-01-01T00:00:00Z'), settings });
        assert.equal(page.rows.length, 4);
        assert.ok(!page.rows.some((r) => r[1] === log.rejectedTxId));
      });

      it('carries exactly the dictionary’s columns — account numbers, types and holders — and no personal data', async () => {
        const page = await transactionLogPage(t.db, log.jurisdictionId, { limit: 100, now: new Date('2040-01-01T00:00:00Z'), settings });
        const items = page.rows.map(logRowObject);
        for (const item of items) assert.deepEqual(Object.keys(item), TRANSACTIONS.columns.map((c) => c.name));
        assert.deepEqual(
          items.map((i) => [i.type, i.quantity_t, i.from_account, i.to_account, i.from_account_holder, i.to_account_holder]),
          [
            ['issuance', '1000', null, log.accounts.a, null, 'Kaede Demo Manufacturing KK'],
            ['transfer', '200', log.accounts.a, log.accounts.b, 'Kaede Demo Manufacturing KK', 'Demo Carbon Trading KK'],
            ['surrender', '100', log.accounts.a, items[2]!.to_account, 'Kaede Demo Manufacturing KK', items[2]!.to_account_holder],
            ['retirement', '10', log.accounts.b, items[3]!.to_account, 'Demo Carbon Trading KK', items[3]!.to_account_holder],
          ],
        );
        assert.deepEqual(items.map((i) => i.completed_at), log.completedAt.map((d) => d.toISOString()));
        assert.deepEqual(items.map((i) => i.to_account_type), ['facility_compliance', 'general_holding', 'surrender', 'retirement']);
        assertNoPersonalData(page.rows.flat());

        const anonymous = await transactionLogPage(t.db, log.jurisdictionId, { limit: 100, now: new Date('2040-01-01T00:00:00Z'), settings: openDataSettings({ transactionLogHolderNames: false }) });
        assert.ok(anonymous.rows.every((r) => r[10] === null && r[13] === null), 'holder columns empty when names are not published');
        assert.ok(anonymous.rows.every((r, i) => r[8] === page.rows[i]![8] && r[11] === page.rows[i]![11]), 'account numbers stay');
      });

      it('pages by journal sequence with a bounded page size, and the download has the same rows', async () => {
        const now = new Date('2040-01-01T00:00:00Z');
        const all = await transactionLogPage(t.db, log.jurisdictionId, { limit: 100, now, settings });
        const walked: unknown[] = [];
        let after: bigint | undefined;
        for (let pages = 0; pages < 10; pages++) {
          const page = await transactionLogPage(t.db, log.jurisdictionId, { afterSeq: after, limit: 3, now, settings });
          walked.push(...page.rows);
          if (page.nextAfterSeq === null) break;
          after = page.nextAfterSeq;
        }
        assert.deepEqual(walked, all.rows);
        await assert.rejects(transactionLogPage(t.db, log.jurisdictionId, { limit: 1001, now, settings }), /page size/);
        assert.deepEqual(await allRows(await table(t.db, LOG_CITY, 'transactions', now)), all.rows);
        const meta = (await table(t.db, LOG_CITY, 'transactions', now)).meta;
        assert.equal(meta.publishedUntil, new Date(now.getTime() - THREE_YEARS_MS).toISOString());
      });
    });
  });
}

describe('open-data settings and format helpers', () => {
  it('defaults to the EUTL practice: 3 × 365 days, holder names published', () => {
    assert.equal(DEFAULT_OPEN_DATA_SETTINGS.transactionLogDelayMs, THREE_YEARS_MS);
    assert.equal(DEFAULT_OPEN_DATA_SETTINGS.transactionLogHolderNames, true);
  });

  it('refuses a delay out of range and a non-boolean, naming the field; reads the environment naming the variable', () => {
    assert.deepEqual(openDataSettingsProblems({ transactionLogDelayMs: -1, transactionLogHolderNames: true }).map((p) => p.field), ['transactionLogDelayMs']);
    assert.deepEqual(openDataSettingsProblems({ transactionLogDelayMs: 1.5, transactionLogHolderNames: 'yes' as unknown as boolean }).map((p) => p.field), ['transactionLogDelayMs', 'transactionLogHolderNames']);
    assert.throws(() => openDataSettings({ transactionLogDelayMs: 11 * 366 * 86_400_000 }), /transactionLogDelayMs/);
    assert.equal(openDataSettingsFromEnv({ CITYCAP_TRANSACTION_LOG_DELAY_DAYS: '0' }).transactionLogDelayMs, 0);
    assert.equal(openDataSettingsFromEnv({ CITYCAP_TRANSACTION_LOG_DELAY_DAYS: '30', CITYCAP_TRANSACTION_LOG_HOLDER_NAMES: 'false' }).transactionLogHolderNames, false);
    assert.throws(() => openDataSettingsFromEnv({ CITYCAP_TRANSACTION_LOG_DELAY_DAYS: '3y' }), /CITYCAP_TRANSACTION_LOG_DELAY_DAYS/);
    assert.throws(() => openDataSettingsFromEnv({ CITYCAP_TRANSACTION_LOG_HOLDER_NAMES: 'maybe' }), /CITYCAP_TRANSACTION_LOG_HOLDER_NAMES/);
  });

  it('defuses text a spreadsheet would run, never numbers; writes Excel numbers only where a double is exact', () => {
    const facilities = tableDef('facilities')!;
    const name = facilities.columns.find((c) => c.name === 'name')!;
    const baseT = facilities.columns.find((c) => c.name === 'base_t')!;
    assert.equal(csvField(name, '=HYPERLINK("http://x")'), `'=HYPERLINK("http://x")`);
    assert.equal(csvField(name, '@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField(name, 'Shinjuku Tower'), 'Shinjuku Tower');
    assert.equal(csvField(baseT, '-7946'), '-7946');
    assert.equal(csvField(baseT, null), '');
    assert.equal(xlsxValue(baseT, '12345'), 12345);
    assert.equal(xlsxValue(baseT, '123456789012345678901'), '123456789012345678901');
    assert.equal(xlsxValue(name, '=1+1'), '=1+1');
  });
});
