// A facility's annual summary and its PDF, on both engines over a small demo city (40 facilities, the showcase
// facilities T-0001…T-0004 with their real workflow). What is asserted about the PDF, since pdfkit writes text as glyph
// ids: it is a PDF (header, %%EOF, one page), it embeds the Japanese font as a subset, its document info names the
// facility and year and carries the key figures of the summary (which the test holds equal to the open-data tables
// and the compliance results), its text — decoded through the font's ToUnicode map — shows those figures with the
// labels of the language asked for, and the same summary, language and date always give the same bytes.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDemoCity, type DemoCitySummary } from '../../src/app/demo-city.js';
import { FacilitySummaries, fiscalYearDates, summaryFigures, type FacilityAnnualSummary } from '../../src/app/open-data/facility-summary.js';
import { DEFAULT_OPEN_DATA_SETTINGS } from '../../src/app/open-data/settings.js';
import { japaneseFont, PdfFontMissingError, renderSummaryPdf, summaryFileName, VENDORED_FONT } from '../../src/app/open-data/summary-pdf.js';
import { allRows, openTable } from '../../src/app/open-data/tables.js';
import { systemActor, type Actor } from '../../src/domain/access/roles.js';
import { RefusedError } from '../../src/domain/errors.js';
import { testEngines, type TestDatabase } from '../support/engines.js';
import { pdfEmbeddedFonts, pdfInfo, pdfPageCount, pdfText } from './open-data-support.js';

const CREATED = new Date('2026-05-01T09:30:00.000Z');
const SYSTEM = systemActor('test');

for (const engine of testEngines()) {
  describe(`facility annual summary and PDF on ${engine.name}`, () => {
    let t: TestDatabase;
    let demo: DemoCitySummary;
    let summaries: FacilitySummaries;
    let t3: FacilityAnnualSummary;
    const user = (login: string): Actor => ({ kind: 'user', id: demo.users.find((u) => u.login === login)!.userId });

    before(async () => {
      t = await engine.create();
      demo = await createDemoCity(t.db, { facilities: 40 });
      summaries = new FacilitySummaries(t.db);
      t3 = await summaries.summary(SYSTEM, { jurisdictionCode: 'TOKYO', facilityCode: 'T-0003', fiscalYear: 2018 });
    });
    after(async () => t.drop());

    it('sums up the year as the open-data tables and the compliance results state it', async () => {
      const now = new Date('2026-06-01T00:00:00Z');
      const emissions = await allRows(await openTable(t.db, { jurisdictionCode: 'TOKYO', table: 'emissions', now, settings: DEFAULT_OPEN_DATA_SETTINGS }));
      const year = emissions.find((r) => r[0] === 'T-0003' && r[1] === 2018)!;
      assert.equal(t3.report.status, 'accepted');
      assert.equal(t3.report.emissionsT.toString(), year[4]);
      assert.equal(summaryFigures(t3).coeKl, year[3]);
      assert.equal(t3.report.lines.reduce((sum, l) => sum + l.co2Kg, 0n), t3.report.emissionsKg, 'the lines add up to the report');
      assert.deepEqual([t3.fiscalYearFrom, t3.fiscalYearTo], ['2018-04-01', '2019-03-31']);

      const facilities = await allRows(await openTable(t.db, { jurisdictionCode: 'TOKYO', table: 'facilities', now, settings: DEFAULT_OPEN_DATA_SETTINGS }));
      assert.equal(t3.baseYear?.baseT.toString(), facilities.find((r) => r[0] === 'T-0003')![12]);

      // Period 2 (FY2015–FY2019) was assessed: the cap is the stored one; the position counts FY2015–FY2018 only.
      assert.equal(t3.period?.number, 2);
      assert.equal(t3.terms?.capT, t3.assessment?.capT);
      const years = emissions.filter((r) => r[0] === 'T-0003' && Number(r[1]) >= 2015 && Number(r[1]) <= 2018).map((r) => BigInt(String(r[4])));
      const pos = t3.position;
      const terms = t3.terms;
      assert.ok(pos !== null && terms !== null);
      assert.deepEqual(pos.years.map((y) => y.emissionsT), years);
      assert.equal(pos.emissionsToDateT, years.reduce((a, b) => a + b, 0n));
      assert.equal(pos.positionT, terms.capT + pos.creditedT - pos.emissionsToDateT);
      assert.ok(pos.surrenderedT > 0n, 'T-0003 bought and surrendered credits in period 2');
    });

    it('shows a draft as such, and counts only accepted years in the position', async () => {
      const draft = await summaries.summary(SYSTEM, { jurisdictionCode: 'TOKYO', facilityCode: 'T-0001', fiscalYear: 2024 });
      assert.equal(draft.report.status, 'draft');
      assert.equal(draft.position?.years.at(-1)?.emissionsT, null, 'FY2024 has no accepted report yet');
      assert.equal(draft.assessment, null, 'period 3 has not been assessed');
    });

    it('is for the facility’s operator and the authority only (rule SUMMARY_READERS), and refuses what does not exist', async () => {
      const ask = (actor: Actor, facilityCode: string) => summaries.summary(actor, { jurisdictionCode: 'TOKYO', facilityCode, fiscalYear: 2018 });
      assert.equal((await ask(user('demo-operator'), 'T-0003')).facility.code, 'T-0003');
      assert.equal((await ask(user('demo-officer'), 'T-0004')).facility.code, 'T-0004');
      assert.equal((await ask(user('demo-admin'), 'T-0004')).facility.code, 'T-0004');
      const forbidden = (e: unknown): boolean => e instanceof RefusedError && e.refusal.code === 'FORBIDDEN' && /SUMMARY_READERS/.test(e.message);
      await assert.rejects(ask(user('demo-operator'), 'T-0004'), forbidden, 'another operator’s facility');
      await assert.rejects(ask(user('demo-factory'), 'T-0001'), forbidden);
      await assert.rejects(ask(user('demo-verifier'), 'T-0003'), forbidden, 'verifiers read reports but not the summary');
      await assert.rejects(ask(user('demo-trader'), 'T-0003'), forbidden);
      await assert.rejects(ask({ kind: 'anonymous', id: 'anonymous' }, 'T-0003'), (e: unknown) => e instanceof RefusedError && e.refusal.code === 'FORBIDDEN');
      const refused = (code: string, field: string) => (e: unknown) => e instanceof RefusedError && e.refusal.code === code && e.refusal.field === field;
      await assert.rejects(summaries.summary(SYSTEM, { jurisdictionCode: 'TOKYO', facilityCode: 'T-9999', fiscalYear: 2018 }), refused('UNKNOWN_FACILITY', 'facility'));
      await assert.rejects(summaries.summary(SYSTEM, { jurisdictionCode: 'NOWHERE', facilityCode: 'T-0001', fiscalYear: 2018 }), refused('UNKNOWN_JURISDICTION', 'code'));
      await assert.rejects(summaries.summary(SYSTEM, { jurisdictionCode: 'TOKYO', facilityCode: 'T-0001', fiscalYear: 2030 }), refused('NO_REPORT_FOR_YEAR', 'fiscalYear'));
    });

    it('renders a one-page PDF with the embedded Japanese font, the document info and the figures in its text', async () => {
      const pdf = await renderSummaryPdf(t3, { lang: 'both', createdAt: CREATED });
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.match(pdf.subarray(-8).toString('latin1'), /%%EOF\s*$/);
      assert.equal(pdfPageCount(pdf), 1);
      const fonts = pdfEmbeddedFonts(pdf);
      assert.equal(fonts.length, 1, 'one font, embedded');
      assert.match(fonts[0]!.name, /^[A-Z]{6}\+IPAex/, 'a subset (tagged) of IPAex Gothic');
      assert.ok(fonts[0]!.fontFileBytes > 5_000 && fonts[0]!.fontFileBytes < 500_000, `the subset, not the 6 MB font: ${fonts[0]!.fontFileBytes} bytes`);

      const info = pdfInfo(pdf);
      assert.match(info.Title!, /FY2018 — T-0003 /);
      assert.match(info.Title!, /年度排出量報告の概要/);
      assert.equal(info.Author, '東京都（デモデータ） / Tokyo Metropolitan Government (demo data)');
      assert.equal(info.CreationDate, 'D:20260501093000Z');
      assert.deepEqual(JSON.parse(info.CitycapSummary!), { ...summaryFigures(t3), lang: 'both' });

      const text = pdfText(pdf);
      const grouped = (v: bigint | undefined): string => `${(v ?? -1n).toLocaleString('en-US')} t`;
      for (const expected of [
        '基準排出量',
        'Base-year emissions',
        '排出上限量',
        t3.facility.name,
        'TOKYO-200-3',
        '2018年度 FY2018 (2018-04-01 – 2019-03-31)',
        '電気（一般送配電事業者）',
        grouped(t3.report.emissionsT),
        grouped(t3.baseYear?.baseT),
        grouped(t3.terms?.capT),
        grouped(t3.position?.emissionsToDateT),
        `+${grouped(t3.position?.positionT)}`,
        'page 1 / 1',
      ]) {
        assert.ok(text.includes(expected), `the page shows "${expected}"`);
      }
    });

    it('labels in the language asked for', async () => {
      const en = pdfText(await renderSummaryPdf(t3, { lang: 'en', createdAt: CREATED }));
      const ja = pdfText(await renderSummaryPdf(t3, { lang: 'ja', createdAt: CREATED }));
      assert.ok(en.includes('Base-year emissions') && !en.includes('基準排出量') && !en.includes('削減義務率'));
      assert.ok(ja.includes('基準排出量') && ja.includes('削減義務率') && !ja.includes('Base-year emissions') && !ja.includes('Compliance factor'));
    });

    it('gives the same bytes for the same summary, language and date, and only the date differs for another date', async () => {
      const a = await renderSummaryPdf(t3, { lang: 'both', createdAt: CREATED });
      const b = await renderSummaryPdf(await summaries.summary(SYSTEM, { jurisdictionCode: 'TOKYO', facilityCode: 'T-0003', fiscalYear: 2018 }), { lang: 'both', createdAt: CREATED });
      assert.ok(a.equals(b), 'deterministic');
      const later = await renderSummaryPdf(t3, { lang: 'both', createdAt: new Date('2027-01-01T00:00:00Z') });
      assert.ok(!a.equals(later));
      assert.equal(pdfText(later).replace(/2027-01-01 00:00/, '2026-05-01 09:30'), pdfText(a));
      assert.equal(summaryFileName(t3), 'summary-TOKYO-T-0003-FY2018.pdf');
    });

    it('refuses a font file that is not a font with a clear error, not a crash', async () => {
      const notAFont = join(tmpdir(), `citycap-not-a-font-${process.pid}.ttf`);
      writeFileSync(notAFont, 'this is not a font');
      await assert.rejects(renderSummaryPdf(t3, { lang: 'en', createdAt: CREATED, fontPath: notAFont }), (e: unknown) => e instanceof PdfFontMissingError && /could not be read/.test(e.message));
    });
  });
}

describe('the PDF font', () => {
  it('takes CITYCAP_PDF_FONT, the repository copy or a system font, and says how to install one when there is none', () => {
    const system = '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf';
    assert.equal(japaneseFont({ CITYCAP_PDF_FONT: system }, []), system);
    assert.throws(() => japaneseFont({ CITYCAP_PDF_FONT: '/no/such/font.ttf' }), (e: unknown) => e instanceof PdfFontMissingError && /CITYCAP_PDF_FONT names \/no\/such\/font\.ttf/.test(e.message));
    if (!existsSync(VENDORED_FONT)) {
      assert.equal(japaneseFont({}, ['/no/such/a.ttf', system]), system);
      assert.throws(() => japaneseFont({}, ['/no/such/a.ttf']), (e: unknown) => e instanceof PdfFontMissingError && /apt install fonts-ipaexfont-gothic/.test(e.message) && /CITYCAP_PDF_FONT/.test(e.message));
    }
  });

  it('dates a fiscal year from the start month', () => {
    assert.deepEqual(fiscalYearDates(2024, 4), { fiscalYearFrom: '2024-04-01', fiscalYearTo: '2025-03-31' });
    assert.deepEqual(fiscalYearDates(2024, 1), { fiscalYearFrom: '2024-01-01', fiscalYearTo: '2024-12-31' });
  });
});
