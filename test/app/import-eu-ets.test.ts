import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAllocationCompliance } from '../../src/app/compliance-allocation.js';
import { importEuEts, type ImportSummary } from '../../src/app/import-eu-ets.js';
import { verifyLedger } from '../../src/app/ledger-audit.js';
import { Registry } from '../../src/app/registry.js';
import { RefusedError } from '../../src/domain/errors.js';
import type { Database } from '../../src/store/db.js';
import { testEngines, type TestDatabase } from '../support/engines.js';

/** Integer columns arrive as bigint from SQLite (safe integers) and as number or string from PostgreSQL. */
const int = (v: unknown): number => Number(v);
const big = (v: unknown): bigint => BigInt(v as bigint | number | string);

const SAMPLE = 'test/fixtures/eu-ets-sample';
const FULL = 'fixtures/eu-ets-phase3';
const NOW = new Date('2026-11-02T00:00:00.000Z');

interface CsvYear {
  id: string;
  year: number;
  free: bigint;
  emission: bigint | null;
}

/** compliance.csv read without the importer's parser: the file has no quoted fields, so splitting is exact. */
function csvYears(dir: string): CsvYear[] {
  const lines = readFileSync(join(dir, 'compliance.csv'), 'utf8').split(/\r?\n/).filter((l) => l !== '');
  assert.equal(lines[0], 'installation_id,year,free,emission');
  return lines.slice(1).map((l) => {
    const [id, year, free, emission] = l.split(',') as [string, string, string, string];
    return { id, year: Number(year), free: BigInt(free), emission: emission === '' ? null : BigInt(emission) };
  });
}

function sumsByYear(rows: readonly CsvYear[]): Map<number, { free: bigint; emission: bigint }> {
  const out = new Map<number, { free: bigint; emission: bigint }>();
  for (const r of rows) {
    const s = out.get(r.year) ?? { free: 0n, emission: 0n };
    out.set(r.year, { free: s.free + r.free, emission: s.emission + (r.emission ?? 0n) });
  }
  return out;
}

/** Issued allowances per vintage and accepted report emissions (t) per year, from the database. */
async function storedSums(db: Database, jurisdictionId: string): Promise<Map<number, { free: bigint; emission: bigint }>> {
  const out = new Map<number, { free: bigint; emission: bigint }>();
  const issued = await db.kysely
    .selectFrom('transactions as t')
    .innerJoin('unit_types as u', 'u.id', 't.unit_type_id')
    .select(['u.vintage', 't.quantity_t'])
    .where('t.jurisdiction_id', '=', jurisdictionId)
    .where('t.type', '=', 'issuance')
    .where('t.status', '=', 'completed')
    .execute();
  for (const r of issued) {
    const y = int(r.vintage);
    const s = out.get(y) ?? { free: 0n, emission: 0n };
    out.set(y, { ...s, free: s.free + big(r.quantity_t) });
  }
  const reports = await db.kysely.selectFrom('reports').select(['fiscal_year', 'emissions_kg']).where('jurisdiction_id', '=', jurisdictionId).where('status', '=', 'accepted').execute();
  for (const r of reports) {
    const y = int(r.fiscal_year);
    const s = out.get(y) ?? { free: 0n, emission: 0n };
    const kg = big(r.emissions_kg);
    assert.equal(kg % 1000n, 0n, 'imported emissions are whole tonnes');
    out.set(y, { ...s, emission: s.emission + kg / 1000n });
  }
  return out;
}

const TABLES = ['jurisdictions', 'accounts', 'unit_types', 'transactions', 'journal', 'unit_blocks', 'facilities', 'facility_status_history', 'reports', 'report_lines', 'programs'] as const;

async function counts(db: Database): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const { n } = await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<bigint | number | string>().as('n')).executeTakeFirstOrThrow();
    out[table] = Number(n);
  }
  return out;
}

/** A copy of the sample with one file changed by `edit` (bytes in, bytes out). */
function brokenSample(file: 'installation.csv' | 'compliance.csv', edit: (bytes: Buffer) => Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'citycap-eu-bad-'));
  for (const f of ['installation.csv', 'compliance.csv']) copyFileSync(join(SAMPLE, f), join(dir, f));
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file))));
  return dir;
}

const replaceLine = (bytes: Buffer, from: string, to: string): Buffer => {
  const text = bytes.toString('utf8');
  assert.ok(text.includes(from), `the sample contains ${from}`);
  return Buffer.from(text.replace(from, to), 'utf8');
};

const sampleLines = (file: string): string[] => readFileSync(join(SAMPLE, file), 'utf8').split('\r\n');

/** Line number (header = 1) of the first line starting with prefix. */
function lineOf(file: string, prefix: string): number {
  return sampleLines(file).findIndex((l) => l.startsWith(prefix)) + 1;
}

function lineText(file: string, prefix: string): string {
  return sampleLines(file)[lineOf(file, prefix) - 1]!;
}

for (const engine of testEngines()) {
  describe(`EU ETS import on ${engine.name}`, () => {
    let t: TestDatabase;
    let registry: Registry;
    let first: ImportSummary;
    const csv = csvYears(SAMPLE);
    before(async () => {
      t = await engine.create();
      registry = new Registry(t.db);
      first = await importEuEts(registry, { dir: SAMPLE, now: NOW });
    });
    after(async () => t.drop());

    it('issues per year exactly the free allocation of the CSV and reports exactly its emissions', async () => {
      const expected = sumsByYear(csv);
      const stored = await storedSums(t.db, first.jurisdictionId);
      assert.deepEqual([...stored.keys()].sort(), [...expected.keys()].sort());
      for (const [year, e] of expected) assert.deepEqual(stored.get(year), e, `year ${year}`);
      assert.equal(first.allocationsIssued, csv.filter((r) => r.free > 0n).length);
      assert.equal(first.reportsCreated, csv.filter((r) => r.emission !== null).length);
      assert.equal(first.installations, 200);
    });

    it('keeps UTF-8 names, quoted commas and empty names as given', async () => {
      const byCode = async (code: string) =>
        t.db.kysely
          .selectFrom('facilities as f')
          .innerJoin('accounts as a', 'a.id', 'f.account_id')
          .select(['f.name', 'f.address', 'f.city', 'f.country', 'f.status', 'a.holder', 'a.number', 'a.type'])
          .where('f.jurisdiction_id', '=', first.jurisdictionId)
          .where('f.code', '=', code)
          .executeTakeFirstOrThrow();
      const laufen = await byCode('CZ_261');
      assert.equal(laufen.name, 'LAUFEN CZ s.r.o., provozovna Bechyně');
      assert.equal(laufen.holder, 'LAUFEN CZ s.r.o., provozovna Bechyně');
      assert.equal(laufen.city, 'Bechyně');
      assert.equal(laufen.type, 'facility_compliance');
      assert.match(laufen.number, /^EU-ETS-200-\d+$/);
      assert.equal(laufen.status, 'specified');
      const alcora = await byCode('ES_203653');
      assert.equal(alcora.name, ')');
      assert.equal(alcora.address, 'Partida Saleretes, S/N');
      assert.equal(alcora.holder, 'Installation ES_203653');
      const nameless = await byCode('FR_203403');
      assert.equal(nameless.name, '');
      assert.equal(nameless.address, null);
      assert.equal(nameless.holder, 'Installation FR_203403');
      assert.equal((await byCode('DE_202378')).name, 'DH-Vergüterei');
    });

    it('stores verified emissions as accepted version-1 reports with one verified_total line', async () => {
      const r = await t.db.kysely
        .selectFrom('reports as r')
        .innerJoin('facilities as f', 'f.id', 'r.facility_id')
        .innerJoin('report_lines as l', 'l.report_id', 'r.id')
        .select(['r.version', 'r.status', 'r.emissions_kg', 'l.kind', 'l.quantity', 'l.unit', 'l.co2_kg', 'l.line_no'])
        .where('f.code', '=', 'CZ_261')
        .where('r.fiscal_year', '=', 2013)
        .executeTakeFirstOrThrow();
      const row = csv.find((y) => y.id === 'CZ_261' && y.year === 2013)!;
      assert.deepEqual(
        { version: int(r.version), status: r.status, kg: big(r.emissions_kg), kind: r.kind, quantity: r.quantity, unit: r.unit, co2: big(r.co2_kg), line: int(r.line_no) },
        { version: 1, status: 'accepted', kg: row.emission! * 1000n, kind: 'verified_total', quantity: String(row.emission), unit: 't', co2: row.emission! * 1000n, line: 1 },
      );
      const missing = await t.db.kysely
        .selectFrom('reports as r')
        .innerJoin('facilities as f', 'f.id', 'r.facility_id')
        .select('r.id')
        .where('f.code', '=', 'AT_205581')
        .where('r.fiscal_year', '=', 2016)
        .execute();
      assert.equal(missing.length, 0, 'an empty emission makes no report');
    });

    it('changes nothing when run again, and the ledger verifies', async () => {
      const before = await counts(t.db);
      const headBefore = await verifyLedger(t.db, { jurisdictionCode: 'EU-ETS' });
      assert.ok(headBefore.ok);
      const again = await importEuEts(new Registry(t.db), { dir: SAMPLE, now: new Date('2027-01-01T00:00:00Z') });
      assert.equal(again.changed, false);
      assert.equal(again.allocationsIssued + again.reportsCreated + again.facilitiesCreated + again.unitTypesCreated, 0);
      assert.deepEqual(await counts(t.db), before);
      const headAfter = await verifyLedger(t.db, { jurisdictionCode: 'EU-ETS' });
      assert.ok(headAfter.ok);
      assert.equal(headAfter.jurisdictions[0]!.head, headBefore.jurisdictions[0]!.head);
      assert.equal(headAfter.jurisdictions[0]!.entries, BigInt(csv.filter((r) => r.free > 0n).length));
    });

    it('refuses a re-import whose figures differ from what is stored, writing nothing', async () => {
      const dir = brokenSample('compliance.csv', (b) => replaceLine(b, 'CZ_261,2013,', 'CZ_261,2013,1'));
      try {
        const before = await counts(t.db);
        await assert.rejects(importEuEts(registry, { dir }), (e: unknown) => e instanceof RefusedError && e.refusal.code === 'IMPORT_CONFLICT' && /compliance\.csv line \d+, column free/.test(e.refusal.field ?? ''));
        assert.deepEqual(await counts(t.db), before);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('computes one allocation compliance row per installation-year, cumulative within the period', async () => {
      const r1 = await runAllocationCompliance(t.db, { jurisdictionId: first.jurisdictionId, period: 3, now: NOW });
      assert.equal(r1.rows, csv.length);
      const r2 = await runAllocationCompliance(t.db, { jurisdictionId: first.jurisdictionId, period: 3, now: NOW });
      assert.equal(r2.rows, csv.length, 'a second run replaces the first');
      const stored = await t.db.kysely
        .selectFrom('compliance_results as r')
        .innerJoin('facilities as f', 'f.id', 'r.facility_id')
        .select(['f.code', 'r.fiscal_year', 'r.allocated_t', 'r.emissions_t', 'r.position_t', 'r.surrendered_t', 'r.shortfall_t', 'r.status', 'r.note', 'r.period'])
        .where('r.jurisdiction_id', '=', first.jurisdictionId)
        .execute();
      assert.equal(stored.length, csv.length);
      const byKey = new Map(stored.map((r) => [`${r.code} ${int(r.fiscal_year)}`, r]));
      const cumulative = new Map<string, { free: bigint; emission: bigint }>();
      for (const y of [...csv].sort((a, b) => a.year - b.year)) {
        const c = cumulative.get(y.id) ?? { free: 0n, emission: 0n };
        const next = { free: c.free + y.free, emission: c.emission + (y.emission ?? 0n) };
        cumulative.set(y.id, next);
        const row = byKey.get(`${y.id} ${y.year}`);
        assert.ok(row !== undefined, `a row for ${y.id} ${y.year}`);
        assert.equal(int(row.period), 3);
        assert.equal(big(row.allocated_t!), next.free, `${y.id} ${y.year} allocated`);
        assert.equal(big(row.emissions_t!), next.emission, `${y.id} ${y.year} emissions`);
        assert.equal(big(row.position_t!), next.free - next.emission, `${y.id} ${y.year} position`);
        assert.equal(row.surrendered_t, null);
        assert.equal(row.shortfall_t, null);
        assert.equal(row.status, y.emission === null ? 'emissions_missing' : 'no_surrender_data');
        assert.match(row.note ?? '', /No surrender data was imported/);
      }
      assert.equal(byKey.get('AT_205581 2016')!.status, 'emissions_missing');
      assert.equal(byKey.get('AT_205581 2017')!.status, 'no_surrender_data', 'year_only: a missing year does not taint the next');
    });

    describe('refuses a malformed file, naming line and column, and writes nothing', () => {
      let empty: TestDatabase;
      before(async () => {
        empty = await engine.create();
      });
      after(async () => empty.drop());

      const cases: { name: string; file: 'installation.csv' | 'compliance.csv'; edit: (b: Buffer) => Buffer; code: string; field: RegExp }[] = [
        {
          name: 'a wrong header',
          file: 'compliance.csv',
          edit: (b) => replaceLine(b, 'installation_id,year,free,emission', 'installation_id,year,free,emissions'),
          code: 'CSV_HEADER',
          field: /^compliance\.csv line 1, column emission$/,
        },
        {
          name: 'a negative emission',
          file: 'compliance.csv',
          edit: (b) => replaceLine(b, lineText('compliance.csv', 'CZ_261,2014,'), 'CZ_261,2014,100,-5'),
          code: 'QUANTITY_INVALID',
          field: new RegExp(`^compliance\\.csv line ${lineOf('compliance.csv', 'CZ_261,2014,')}, column emission$`),
        },
        {
          name: 'a non-numeric year',
          file: 'compliance.csv',
          edit: (b) => replaceLine(b, lineText('compliance.csv', 'CZ_261,2015,'), lineText('compliance.csv', 'CZ_261,2015,').replace('2015', '20x5')),
          code: 'YEAR_INVALID',
          field: new RegExp(`^compliance\\.csv line ${lineOf('compliance.csv', 'CZ_261,2015,')}, column year$`),
        },
        {
          name: 'an installation that installation.csv does not list',
          file: 'compliance.csv',
          edit: (b) => Buffer.concat([b, Buffer.from('ZZ_99999,2014,5,5\r\n')]),
          code: 'UNKNOWN_INSTALLATION',
          field: new RegExp(`^compliance\\.csv line ${csvYears(SAMPLE).length + 2}, column installation_id$`),
        },
        {
          name: 'bytes that are not UTF-8',
          file: 'installation.csv',
          edit: (b) => {
            const at = b.indexOf(Buffer.from('Vergüterei', 'utf8'));
            assert.ok(at > 0);
            // ü in Latin-1 is the single byte 0xFC, invalid on its own in UTF-8.
            return Buffer.concat([b.subarray(0, at), Buffer.from('Verg\xfcterei', 'latin1'), b.subarray(at + Buffer.byteLength('Vergüterei'))]);
          },
          code: 'CSV_ENCODING',
          field: new RegExp(`^installation\\.csv line ${lineOf('installation.csv', 'DE_202378,')}, column name$`),
        },
      ];
      for (const c of cases) {
        it(`refuses ${c.name}`, async () => {
          const dir = brokenSample(c.file, c.edit);
          try {
            await assert.rejects(importEuEts(new Registry(empty.db), { dir }), (e: unknown) => {
              assert.ok(e instanceof RefusedError, String(e));
              assert.equal(e.refusal.code, c.code, e.message);
              assert.match(e.refusal.field ?? '', c.field, e.message);
              assert.match(e.message, /Nothing was imported/);
              return true;
            });
            const n = await counts(empty.db);
            assert.deepEqual(Object.values(n).filter((x) => x !== 0), [], `nothing written: ${JSON.stringify(n)}`);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        });
      }
    });
  });
}

describe('EU ETS full import on sqlite', () => {
  it('issues and reports the per-year totals documented in the data README', { timeout: 300_000 }, async () => {
    const readme = readFileSync(join(FULL, 'README.md'), 'utf8');
    const documented = new Map<number, { free: bigint; emission: bigint }>();
    for (const m of readme.matchAll(/^\| (20\d\d) \| [\d,]+ \| ([\d,]+) \| [\d,]+ \| ([\d,]+) \|$/gm)) {
      documented.set(Number(m[1]), { free: BigInt(m[2]!.replaceAll(',', '')), emission: BigInt(m[3]!.replaceAll(',', '')) });
    }
    assert.equal(documented.size, 8, 'the README documents 8 years');
    const engine = testEngines().find((e) => e.name === 'sqlite')!;
    const t = await engine.create();
    try {
      const summary = await importEuEts(new Registry(t.db), { dir: FULL });
      assert.equal(summary.installations, 17_644);
      assert.equal(summary.reportsCreated, 89_831);
      assert.equal(summary.allocationsIssued, 77_383);
      const stored = await storedSums(t.db, summary.jurisdictionId);
      for (const [year, d] of documented) assert.deepEqual(stored.get(year), d, `year ${year}`);
      const compliance = await runAllocationCompliance(t.db, { jurisdictionId: summary.jurisdictionId, period: 3, now: NOW });
      assert.equal(compliance.rows, 89_831);
      assert.ok((await verifyLedger(t.db, { jurisdictionCode: 'EU-ETS' })).ok);
    } finally {
      await t.drop();
    }
  });
});
