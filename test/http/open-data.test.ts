// Open data over HTTP on both engines: each table in each format (JSON, CSV, Excel) has the same rows, and the JSON
// rows are those of the public JSON API where one lists them; downloads say how to save and cache them; the public
// transaction log hides transactions younger than the delay and shows them once the (test) clock has passed it, with
// exactly the published keys and no personal data; malformed parameters are 400 naming the field; the annual summary
// PDF is served to the facility's operator and the authority only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { OPEN_DATA_TABLES, TRANSACTIONS, tableDef } from '../../src/app/open-data/dictionary.js';
import type { Cell } from '../../src/app/open-data/tables.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { apiFixture, DEMO, TOKYO } from './support/api-fixture.js';
import { signInAs } from './support/principals.js';
import { errorOf, testClock, testServer, type TestClock } from './support/server.js';
import { asStrings, assertNoPersonalData, csvRows, jsonRows, LOG_CITY, logFixture, readWorkbook, THREE_YEARS_MS, type LogFixture } from '../app/open-data-support.js';

const API = '/api/v1';
/** Where each table has rows in the fixture. */
const WHERE: Readonly<Record<string, string>> = { transactions: LOG_CITY, units: DEMO };

interface JsonDownload {
  table: string;
  jurisdiction: string;
  generatedAt: string;
  meta: Record<string, unknown>;
  columns: string[];
  rows: Record<string, Cell>[];
}

for (const engine of testEngines()) {
  describe(`open data over HTTP on ${engine.name}`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let clock: TestClock;
    let log: LogFixture;

    const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: `${API}${url}`, headers });
    const download = async (code: string, table: string, format: string) => {
      const res = await get(`/jurisdictions/${code}/open-data/${table}?format=${format}`);
      assert.equal(res.statusCode, 200, `${table}.${format}: ${res.body.slice(0, 200)}`);
      return res;
    };
    const badRequest = async (url: string, field: string, headers: Record<string, string> = {}) => {
      const res = await get(url, headers);
      assert.equal(res.statusCode, 400, `${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      const e = errorOf(res);
      assert.equal(e.code, 'INVALID_REQUEST');
      assert.equal(e.field, field, `${url}: ${e.message}`);
      assert.ok(e.message.includes(field), `the message names ${field}: ${e.message}`);
    };

    before(async () => {
      t = await engine.create();
      await apiFixture(t.db);
      log = await logFixture(t.db);
      // After the first three completions' delay, before the retirement's (2023-07-01 + 3 × 365 days).
      clock = testClock(new Date('2026-01-01T00:00:00.000Z'));
      app = await testServer(t.db, { clock: clock.now });
    });
    after(async () => {
      await app.close();
      await t.drop();
    });

    it('serves the data dictionary: every table, every column with type, unit and English and Japanese descriptions', async () => {
      const res = await get('/open-data/dictionary');
      assert.equal(res.statusCode, 200);
      const dict = res.json<{ tables: { name: string; columns: { name: string; type: string; unit: string | null; descriptionEn: string; descriptionJa: string }[] }[]; formats: Record<string, string> }>();
      assert.deepEqual(dict.tables.map((x) => x.name), OPEN_DATA_TABLES.map((x) => x.name));
      for (const table of dict.tables) {
        assert.deepEqual(table.columns.map((c) => c.name), tableDef(table.name)!.columns.map((c) => c.name));
        for (const c of table.columns) {
          assert.ok(c.descriptionEn.length > 5 && /[\u3040-\u30ff\u4e00-\u9fff]/.test(c.descriptionJa), `${table.name}.${c.name} is described in both languages`);
        }
      }
      assert.match(dict.formats.csv!, /byte-order mark/);
    });

    it('lists every table of a jurisdiction with its download links and the transaction log rule', async () => {
      const res = await get(`/jurisdictions/${TOKYO}/open-data`);
      assert.equal(res.statusCode, 200);
      const body = res.json<{ tables: { name: string; downloads: Record<string, string> }[]; transactionLog: { delayMs: number; delayDays: number; publishedUntil: string; url: string } }>();
      assert.deepEqual(body.tables.map((x) => x.name), OPEN_DATA_TABLES.map((x) => x.name));
      for (const x of body.tables) for (const url of Object.values(x.downloads)) assert.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url);
      assert.equal(body.transactionLog.delayMs, THREE_YEARS_MS);
      assert.equal(body.transactionLog.delayDays, 1095);
      assert.equal(body.transactionLog.publishedUntil, new Date(clock.now().getTime() - THREE_YEARS_MS).toISOString());
    });

    it('gives every table the same rows as JSON, as CSV (UTF-8 with BOM) and as Excel (numbers as numeric cells, with the dictionary)', async () => {
      for (const def of OPEN_DATA_TABLES) {
        const code = WHERE[def.name] ?? TOKYO;
        const json = await download(code, def.name, 'json');
        assert.match(String(json.headers['content-type']), /^application\/json/);
        assert.equal(json.headers['content-disposition'], `attachment; filename="${code}-${def.name}.json"`);
        const body = json.json<JsonDownload>();
        assert.deepEqual([body.table, body.jurisdiction, body.generatedAt], [def.name, code, clock.now().toISOString()]);
        const rows = jsonRows(def, body);
        assert.ok(rows.length > 0, `${def.name} has rows`);
        const expected = asStrings(rows);

        const csv = await download(code, def.name, 'csv');
        assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
        assert.deepEqual(csvRows(def, csv.rawPayload), expected, `${def.name}.csv`);

        const xlsx = await download(code, def.name, 'xlsx');
        assert.equal(xlsx.headers['content-disposition'], `attachment; filename="${code}-${def.name}.xlsx"`);
        const wb = await readWorkbook(xlsx.rawPayload);
        assert.deepEqual(wb.sheets, [def.name, 'dictionary', 'about']);
        assert.deepEqual(wb.header, def.columns.map((c) => c.name));
        assert.deepEqual(wb.rows.map((r) => r.map((c) => c.value)), expected, `${def.name}.xlsx`);
        wb.rows.forEach((r) => {
          r.forEach((c, i) => {
            const column = def.columns[i]!;
            if (c.value !== '') assert.equal(c.numeric, column.type === 'integer' || column.type === 'decimal', `${def.name}.${column.name} "${c.value}" numeric as typed`);
          });
        });
        assert.deepEqual(wb.dictionary.slice(1).map((r) => r[0]), def.columns.map((c) => c.name));
        assert.ok(wb.dictionary.slice(1).every((r) => r[4] !== '' && r[5] !== ''), 'the dictionary sheet describes each column in English and Japanese');
        assert.ok(wb.about.some((r) => r[0] === 'generated at (UTC)' && r[1] === clock.now().toISOString()));
      }
    });

    it('has in its JSON the rows of the public JSON API: register, compliance results, ledger stats', async () => {
      const table = async (code: string, name: string) => jsonRows(tableDef(name)!, (await download(code, name, 'json')).json<JsonDownload>());
      const register = (await get(`/jurisdictions/${TOKYO}/facilities?limit=200`)).json<{ items: { code: string; name: string; category: string | null; useType: string; status: string }[]; nextCursor: string | null }>();
      assert.equal(register.nextCursor, null);
      assert.deepEqual((await table(TOKYO, 'facilities')).map((r) => ({ code: r[0], name: r[1], category: r[3], useType: r[4], status: r[5] })), register.items);

      const period3 = (await get(`/jurisdictions/${TOKYO}/compliance/3`)).json<{ columns: string[]; rows: Record<string, string | null>[] }>();
      const compliance = tableDef('compliance')!;
      const rows = (await table(TOKYO, 'compliance')).filter((r) => r[1] === 3);
      assert.deepEqual(
        rows.map((r) => period3.columns.map((c) => { const v = r[compliance.columns.findIndex((x) => x.name === (c === 'facility_id' ? 'facility_code' : c))]; return v === null || v === undefined ? null : String(v); })),
        period3.rows.map((r) => period3.columns.map((c) => r[c] ?? null)),
      );

      const stats = (await get(`/ledger/stats?jurisdiction=${DEMO}`)).json<{ unitTypes: { unitType: string; kind: string; issuedT: string; byStatusT: Record<string, string> }[] }>();
      assert.deepEqual(
        await table(DEMO, 'units'),
        stats.unitTypes.map((u) => [u.unitType, u.kind, u.issuedT, u.byStatusT.held, u.byStatusT.in_transit, u.byStatusT.surrendered, u.byStatusT.retired, u.byStatusT.cancelled]),
      );
    });

    describe('the public transaction log', () => {
      type Page = { items: Record<string, Cell>[]; nextCursor: string | null; publishedUntil: string; delayDays: number };
      const page = async (query = ''): Promise<Page> => {
        const res = await get(`/jurisdictions/${LOG_CITY}/transaction-log${query}`);
        assert.equal(res.statusCode, 200, res.body.slice(0, 200));
        return res.json<Page>();
      };
      const completed = (p: Page) => p.items.map((i) => i.completed_at);

      it('hides transactions younger than the delay and shows each once the clock has passed it', async () => {
        const at = log.completedAt.map((d) => d.getTime());
        try {
          clock.set(new Date(at[0]! + THREE_YEARS_MS - 1));
          assert.deepEqual((await page()).items, []);
          clock.set(new Date(at[0]! + THREE_YEARS_MS));
          assert.deepEqual(completed(await page()), [log.completedAt[0]!.toISOString()]);
          clock.set(new Date(at[3]! + THREE_YEARS_MS - 1));
          assert.deepEqual(completed(await page()), log.completedAt.slice(0, 3).map((d) => d.toISOString()));
          assert.equal((await download(LOG_CITY, 'transactions', 'json')).json<JsonDownload>().rows.length, 3, 'the download follows the same rule');
          clock.advance(1);
          const all = await page();
          assert.deepEqual(completed(all), log.completedAt.map((d) => d.toISOString()));
          assert.equal(all.publishedUntil, log.completedAt[3]!.toISOString());
          assert.equal(all.delayDays, 1095);
        } finally {
          clock.set(new Date('2026-01-01T00:00:00.000Z'));
        }
      });

      it('carries exactly the published keys, and no user ids, idempotency keys, reasons or addresses', async () => {
        clock.set(new Date('2040-01-01T00:00:00.000Z'));
        try {
          const res = await get(`/jurisdictions/${LOG_CITY}/transaction-log`);
          const body = res.json<Page & Record<string, unknown>>();
          assert.deepEqual(Object.keys(body).sort(), ['delayDays', 'delayMs', 'holderNames', 'items', 'jurisdiction', 'nextCursor', 'publishedUntil']);
          const keys = ['journal_seq', 'transaction_id', 'type', 'completed_at', 'unit_type', 'unit_kind', 'vintage', 'quantity_t', 'from_account', 'from_account_type', 'from_account_holder', 'to_account', 'to_account_type', 'to_account_holder', 'reverses_transaction_id'];
          assert.deepEqual(TRANSACTIONS.columns.map((c) => c.name), keys);
          assert.equal(body.items.length, 4);
          for (const item of body.items) assert.deepEqual(Object.keys(item), keys);
          assertNoPersonalData([res.body]);
          assert.ok(!res.body.includes(log.rejectedTxId), 'a rejected transfer is not published');
          const csv = await download(LOG_CITY, 'transactions', 'csv');
          const xlsx = await download(LOG_CITY, 'transactions', 'xlsx');
          assertNoPersonalData([csv.rawPayload.toString('utf8'), ...(await readWorkbook(xlsx.rawPayload)).rows.flat().map((c) => c.value)]);
        } finally {
          clock.set(new Date('2026-01-01T00:00:00.000Z'));
        }
      });

      it('pages oldest first with a cursor; the pages together are the whole log', async () => {
        clock.set(new Date('2040-01-01T00:00:00.000Z'));
        try {
          const whole = await page('?limit=1000');
          const walked: Record<string, Cell>[] = [];
          let cursor: string | null = null;
          do {
            const p: Page = await page(`?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`);
            assert.ok(p.items.length <= 1);
            walked.push(...p.items);
            cursor = p.nextCursor;
          } while (cursor !== null);
          assert.deepEqual(walked, whole.items);
          assert.deepEqual(walked.map((i) => Number(i.journal_seq)), [...walked.map((i) => Number(i.journal_seq))].sort((a, b) => a - b));
        } finally {
          clock.set(new Date('2026-01-01T00:00:00.000Z'));
        }
      });
    });

    it('answers malformed parameters with 400 naming the field, and unknown things with 404', async () => {
      await badRequest(`/jurisdictions/${TOKYO}/open-data/facilities?format=pdf`, 'format');
      await badRequest(`/jurisdictions/${TOKYO}/open-data/secrets`, 'table');
      await badRequest('/jurisdictions/tokyo/open-data/facilities', 'code');
      await badRequest('/jurisdictions/tokyo/open-data', 'code');
      await badRequest(`/jurisdictions/${LOG_CITY}/transaction-log?limit=0`, 'limit');
      await badRequest(`/jurisdictions/${LOG_CITY}/transaction-log?limit=1001`, 'limit');
      await badRequest(`/jurisdictions/${LOG_CITY}/transaction-log?limit=ten`, 'limit');
      await badRequest(`/jurisdictions/${LOG_CITY}/transaction-log?cursor=not-a-cursor`, 'cursor');
      // A well-formed cursor of another list (a facility code key) is not a transaction-log cursor either.
      await badRequest(`/jurisdictions/${LOG_CITY}/transaction-log?cursor=${Buffer.from(JSON.stringify({ v: 1, k: ['T-101'] })).toString('base64url')}`, 'cursor');
      // A hand-made cursor beyond the databases' 64-bit integers is refused, not a database error.
      await badRequest(`/jurisdictions/${LOG_CITY}/transaction-log?cursor=${Buffer.from(JSON.stringify({ v: 1, k: ['9'.repeat(25)] })).toString('base64url')}`, 'cursor');
      const operator = await signInAs(app, 'facility_operator');
      await badRequest(`/jurisdictions/${TOKYO}/facilities/T-101/annual-summary`, 'fiscalYear', operator);
      await badRequest(`/jurisdictions/${TOKYO}/facilities/T-101/annual-summary?fiscalYear=twenty`, 'fiscalYear', operator);
      await badRequest(`/jurisdictions/${TOKYO}/facilities/T-101/annual-summary?fiscalYear=1700`, 'fiscalYear', operator);
      await badRequest(`/jurisdictions/${TOKYO}/facilities/T-101/annual-summary?fiscalYear=2022&lang=fr`, 'lang', operator);

      for (const url of ['/jurisdictions/NOWHERE/open-data', '/jurisdictions/NOWHERE/open-data/facilities?format=csv', '/jurisdictions/NOWHERE/transaction-log']) {
        const res = await get(url);
        assert.equal(res.statusCode, 404, url);
        assert.deepEqual([errorOf(res).code, errorOf(res).field], ['UNKNOWN_JURISDICTION', 'code']);
      }
      const noProgram = await get(`/jurisdictions/${DEMO}/open-data/summary?format=xlsx`);
      assert.equal(noProgram.statusCode, 404);
      assert.equal(errorOf(noProgram).code, 'NO_PROGRAM');
    });

    it('serves the annual summary PDF to the facility’s operator and the authority, and to no one else', async () => {
      const url = `/jurisdictions/${TOKYO}/facilities/T-101/annual-summary?fiscalYear=2022&lang=ja`;
      for (const principal of ['facility_operator', 'authority_admin', 'authority_officer'] as const) {
        const res = await get(url, await signInAs(app, principal));
        assert.equal(res.statusCode, 200, `${principal}: ${res.body.slice(0, 200)}`);
        assert.equal(res.headers['content-type'], 'application/pdf');
        assert.equal(res.headers['content-disposition'], 'attachment; filename="summary-TOKYO-T-101-FY2022.pdf"');
        assert.equal(res.headers['cache-control'], 'no-store');
        assert.equal(res.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
      }
      for (const principal of ['verifier', 'trader', 'authorized_representative'] as const) {
        const res = await get(url, await signInAs(app, principal));
        assert.equal(res.statusCode, 403, principal);
        assert.match(errorOf(res).message, /SUMMARY_READERS/);
      }
      assert.equal((await get(url)).statusCode, 401);
      const admin = await signInAs(app, 'authority_admin');
      const none = await get(`/jurisdictions/${TOKYO}/facilities/T-101/annual-summary?fiscalYear=2019`, admin);
      assert.deepEqual([none.statusCode, errorOf(none).code, errorOf(none).field], [422, 'NO_REPORT_FOR_YEAR', 'fiscalYear']);
      const unknown = await get(`/jurisdictions/${TOKYO}/facilities/T-999/annual-summary?fiscalYear=2022`, admin);
      assert.deepEqual([unknown.statusCode, errorOf(unknown).code], [404, 'UNKNOWN_FACILITY']);
    });
  });
}

describe('open data caching headers', () => {
  let t: TestDatabase;
  let app: FastifyInstance;
  before(async () => {
    t = await testEngines()[0]!.create();
    await apiFixture(t.db);
    app = await testServer(t.db, { publicCacheMs: 60_000 });
  });
  after(async () => {
    await app.close();
    await t.drop();
  });

  it('caches the dictionary, catalogue and log pages like the other public reads, and marks downloads cacheable', async () => {
    for (const url of [`${API}/open-data/dictionary`, `${API}/jurisdictions/${TOKYO}/open-data`, `${API}/jurisdictions/${DEMO}/transaction-log`]) {
      const first = await app.inject({ method: 'GET', url });
      const second = await app.inject({ method: 'GET', url });
      assert.deepEqual([first.headers['x-cache'], second.headers['x-cache']], ['miss', 'hit'], url);
      assert.equal(second.headers['cache-control'], 'public, max-age=60');
      assert.equal(second.body, first.body);
    }
    for (const format of ['json', 'csv', 'xlsx']) {
      const res = await app.inject({ method: 'GET', url: `${API}/jurisdictions/${TOKYO}/open-data/facilities?format=${format}` });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'public, max-age=60', format);
    }
  });

  it('never caches the signed-in PDF', async () => {
    const headers = (await signInAs(app, 'authority_admin')) ?? {};
    const res = await app.inject({ method: 'GET', url: `${API}/jurisdictions/${TOKYO}/facilities/T-101/annual-summary?fiscalYear=2022`, headers });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-cache'], undefined);
  });
});
