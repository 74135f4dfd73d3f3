// Reading and checking import files, without a database: every malformed file of the issue is refused with a clear
// problem naming its place and rule (wrong columns, unknown units and sources, negative and non-numeric quantities,
// duplicates, formula cells, macros, a 50 MB file, non-UTF-8 CSV, too many rows, ZIP bombs …), and properties: a
// quantity is accepted exactly when the report-lines API accepts it, valid lines come out of CSV and Excel exactly
// as written, numbers read from Excel keep their value, and the UTF-8 check agrees with the fatal decoder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { REPORT_COLUMNS } from '../../src/app/data-import/formats.js';
import { FILE_BYTES_MAX, ROWS_MAX, decimalText, firstInvalidUtf8, readSpreadsheet } from '../../src/app/data-import/parse.js';
import { ImportRefusedError, ProblemList, formatProblem, type Problem } from '../../src/app/data-import/problems.js';
import { facilitiesFromFile, reportsFromFile, type ReportsFile } from '../../src/app/data-import/validate.js';
import { convertReport, parseQuantity, type LineInput } from '../../src/domain/mrv/conversion.js';
import { tokyoProgram } from '../../src/domain/program/presets/index.js';
import { SHIFT_JIS_TOKYO, csv, legacyXls, utf16, withMacros, xlsx, zipBomb, type CellInput } from '../fixtures/import/files.js';

const program = tokyoProgram();
const HEADER = REPORT_COLUMNS.map((c) => c.key);

/** Reads and checks a reports file; the problems found (an ImportRefusedError while reading counts too). */
async function check(bytes: Uint8Array): Promise<{ file: ReportsFile | undefined; problems: Problem[] }> {
  try {
    const parsed = await readSpreadsheet(bytes);
    const list = new ProblemList();
    const file = reportsFromFile(parsed, program, 'TOKYO', list);
    return { file, problems: list.items };
  } catch (error) {
    if (error instanceof ImportRefusedError) return { file: undefined, problems: [...error.problems] };
    throw error;
  }
}

/** Asserts exactly these problems (code and cell or row), in any order, and that each names its place. */
async function refused(bytes: Uint8Array, expected: readonly (readonly [code: string, where: string | null])[]): Promise<Problem[]> {
  const { problems } = await check(bytes);
  const got = problems.map((p) => [p.code, p.cell ?? (p.row === null ? null : `row ${p.row}`)] as const);
  assert.deepEqual([...got].sort(), [...expected].sort(), problems.map(formatProblem).join('\n'));
  for (const p of problems) assert.ok(p.message.length > 10 && !p.message.endsWith('.'), `a sentence without a final stop: ${p.message}`);
  return problems;
}

const row = (...cells: (string | number)[]): (string | number)[] => cells;

describe('import files: what is refused, and how it is named', () => {
  it('accepts a plain reports CSV (with a byte-order mark and CRLF too) and keeps each quantity exactly as written', async () => {
    for (const options of [{}, { bom: true, eol: '\r\n' }]) {
      const { file, problems } = await check(csv([HEADER, row('T-1', 2016, '', 'electricity_grid', '12345.678', 'MWh', ''), row('T-1', 2016, 'other_gas', 'CH4', '0.5', 't_CO2e', ''), row('T-2', 'FY2017', 'energy', 'city_gas', '007.10', 'thousand_Nm3', '')], options));
      assert.deepEqual(problems, []);
      assert.deepEqual(file?.reports.map((r) => [r.facilityCode, r.fiscalYear, r.lines.map((l) => l.line.quantity)]), [['T-1', 2016, ['12345.678', '0.5']], ['T-2', 2017, ['007.10']]]);
    }
  });

  it('wrong and missing columns: each header cell named, each missing column named', async () => {
    const problems = await refused(csv([['facility', 'fiscal_year', 'source', 'qty', 'unit', 'unit'], ['T-1', '2016', 'city_gas', '1', 'thousand_Nm3', 'x']]), [
      ['UNKNOWN_COLUMN', 'A1'],
      ['UNKNOWN_COLUMN', 'D1'],
      ['DUPLICATE_COLUMN', 'F1'],
      ['MISSING_COLUMN', 'row 1'],
      ['MISSING_COLUMN', 'row 1'],
    ]);
    assert.deepEqual(problems.filter((p) => p.code === 'MISSING_COLUMN').map((p) => p.column).sort(), ['facility_code', 'quantity']);
    assert.match(formatProblem(problems.find((p) => p.cell === 'A1')!), /^A1 "facility": not a column of this format \(columns: facility_code, fiscal_year, kind, source, quantity, unit, t_co2_per_unit\) \(UNKNOWN_COLUMN\)$/);
  });

  it('unknown units and sources, negative and non-numeric quantities: every one, at its cell, with the API\'s rule', async () => {
    const problems = await refused(
      csv([
        HEADER,
        row('T-1', 2016, '', 'electricity_grid', '100', 'kWh', ''),
        row('T-1', 2016, '', 'coal', '5', 't', ''),
        row('T-1', 2016, '', 'city_gas', '-5', 'thousand_Nm3', ''),
        row('T-1', 2016, '', 'kerosene', '1,000', 'kL', ''),
        row('T-1', 2016, '', 'lpg', 'abc', 't', ''),
        row('T-1', 2016, '', 'heavy_oil_a', '1e3', 'kL', ''),
        row('T-1', 2016, 'steam', 'lpg', '1', 't', ''),
        row('T-1', 2016, '', 'lpg', '', 't', ''),
        row('T-1', 2016, '', 'district_heat', '5', 'GJ', '0.05'),
      ]),
      [
        ['UNIT_MISMATCH', 'F2'],
        ['UNKNOWN_SOURCE', 'D3'],
        ['NEGATIVE_QUANTITY', 'E4'],
        ['QUANTITY_NOT_DECIMAL', 'E5'],
        ['QUANTITY_NOT_DECIMAL', 'E6'],
        ['QUANTITY_NOT_DECIMAL', 'E7'],
        ['LINE_KIND_INVALID', 'C8'],
        ['REQUIRED', 'E9'],
        ['FACTOR_NOT_ALLOWED', 'G10'],
      ],
    );
    const negative = problems.find((p) => p.cell === 'E4')!;
    assert.equal(formatProblem(negative), 'E4 "-5": the quantity must not be negative (got -5) (NEGATIVE_QUANTITY)');
    assert.equal(negative.column, 'quantity');
    assert.equal(negative.row, 4);
  });

  it('in a workbook, problems name the sheet: Reports!E2', async () => {
    const problems = await refused(await xlsx([{ name: 'Reports', rows: [HEADER, ['T-1', 2016, null, 'city_gas', -5, 'thousand_Nm3']] }]), [['NEGATIVE_QUANTITY', 'E2']]);
    assert.equal(formatProblem(problems[0]!), 'Reports!E2 "-5": the quantity must not be negative (got -5) (NEGATIVE_QUANTITY)');
  });

  it('duplicates: an identical row in a report, and a facility-year given again after other reports', async () => {
    const problems = await refused(
      csv([
        HEADER,
        row('T-1', 2016, '', 'city_gas', '10', 'thousand_Nm3', ''),
        row('T-1', 2016, '', 'city_gas', '10', 'thousand_Nm3', ''),
        row('T-2', 2016, '', 'city_gas', '10', 'thousand_Nm3', ''),
        row('T-1', 2016, '', 'lpg', '1', 't', ''),
      ]),
      [
        ['DUPLICATE_ROW', 'row 3'],
        ['DUPLICATE_REPORT', 'A5'],
      ],
    );
    assert.match(problems.find((p) => p.code === 'DUPLICATE_REPORT')!.message, /T-1 FY2016 already has lines in rows 2–3/);
  });

  it('formula cells are refused (never evaluated, the cached result not trusted), and so are error values and dates where a number belongs', async () => {
    const formula: CellInput = { formula: 'SUM(1,1)', result: 2 };
    const problems = await refused(
      await xlsx([{ name: 'Reports', rows: [HEADER, ['T-1', 2016, null, 'city_gas', formula, 'thousand_Nm3'], ['T-1', { formula: '2015+1', result: 2016 }, null, 'lpg', 1, 't'], ['T-1', new Date('2016-04-01T00:00:00Z'), null, 'kerosene', 1, 'kL']] }]),
      [
        ['FORMULA_CELL', 'E2'],
        ['FORMULA_CELL', 'B3'],
        ['WRONG_CELL_TYPE', 'B4'],
      ],
    );
    assert.equal(problems.find((p) => p.cell === 'E2')!.value, '=SUM(1,1)');
  });

  it('macro-enabled workbooks, legacy and binary workbooks, ZIP bombs and truncated files are refused before they are read', async () => {
    const valid = await xlsx([{ name: 'Reports', rows: [HEADER, ['T-1', 2016, null, 'city_gas', 1, 'thousand_Nm3']] }]);
    assert.deepEqual((await check(valid)).problems, []);
    await refused(withMacros(valid), [['MACROS_REFUSED', null]]);
    await refused(legacyXls(), [['WORKBOOK_FORMAT', null]]);
    await refused(zipBomb(valid), [['WORKBOOK_TOO_LARGE', null]]);
    await refused(valid.subarray(0, Math.floor(valid.length / 2)), [['NOT_A_WORKBOOK', null]]);
    const [macro] = (await check(withMacros(valid))).problems;
    assert.match(macro!.message, /macros are never run/);
  });

  it('a 50 MB file is refused by its size, before anything is parsed', async () => {
    const started = performance.now();
    const problems = await refused(Buffer.alloc(50 * 1024 * 1024, 0x41), [['FILE_TOO_LARGE', null]]);
    assert.match(problems[0]!.message, /the file has 50 MB; files up to 20 MB are accepted/);
    assert.ok(performance.now() - started < 1000, 'refused at once');
    assert.equal(FILE_BYTES_MAX, 20 * 1024 * 1024);
  });

  it('a CSV that is not UTF-8 is refused naming the row (Shift_JIS from Japanese Excel, UTF-16), a BOM is fine', async () => {
    const sjis = Buffer.concat([csv([HEADER, row('T-1', 2016, '', 'city_gas', '1', 'thousand_Nm3', '')]), Buffer.from('T-2,2016,,city_gas,1,thousand_Nm3,'), SHIFT_JIS_TOKYO, Buffer.from('\n')]);
    const [p] = await refused(sjis, [['NOT_UTF8', 'row 3']]);
    assert.match(p!.message, /not UTF-8.*CSV UTF-8/);
    await refused(utf16('facility_code,fiscal_year\n'), [['NOT_UTF8', null]]);
    await refused(Buffer.from('facility_code,"fiscal_year\nT-1,2016\n'), [['CSV_MALFORMED', 'row 2']]);
  });

  it('empty files, files without lines, more rows than allowed and more lines than a report has', async () => {
    await refused(Buffer.alloc(0), [['EMPTY_FILE', null]]);
    await refused(csv([HEADER]), [['NO_LINES', 'row 2']]);
    const many = Array.from({ length: 201 }, (_, i) => row('T-1', 2016, '', 'city_gas', String(i + 1), 'thousand_Nm3', ''));
    await refused(csv([HEADER, ...many]), [['TOO_MANY_LINES', 'row 202']]);
    const lines = ['facility_code,fiscal_year,source,quantity,unit'];
    for (let i = 0; i <= ROWS_MAX; i++) lines.push(`T-${i % 1000},2016,city_gas,${i},thousand_Nm3`);
    const problems = await refused(Buffer.from(`${lines.join('\n')}\n`), [['TOO_MANY_ROWS', null]]);
    assert.match(problems[0]!.message, /more than 250,000 data rows/);
  });

  it("supplier factors: required where the program uses the supplier's factor (Tokyo period 4), refused where it is fixed", async () => {
    await refused(csv([['facility_code', 'fiscal_year', 'source', 'quantity', 'unit'], ['T-1', '2025', 'electricity_grid', '100', 'MWh']]), [['SUPPLIER_FACTOR_REQUIRED', 'row 2']]);
    assert.deepEqual((await check(csv([HEADER, row('T-1', 2025, '', 'electricity_grid', '100', 'MWh', '0.42')]))).problems, []);
    await refused(csv([HEADER, row('T-1', 2009, '', 'city_gas', '1', 'thousand_Nm3', '')]), [['FISCAL_YEAR_OUTSIDE_PROGRAM', 'B2']]);
    await refused(csv([HEADER, row('T 1', '16', '', 'city_gas', '1', 'thousand_Nm3', '')]), [['CODE_INVALID', 'A2'], ['FISCAL_YEAR_INVALID', 'B2']]);
  });

  it('facilities: duplicates, unknown categories, bad numbers and declared energy, each at its cell', async () => {
    const header = ['code', 'name', 'owner', 'category', 'use_type', 'floor_area_m2', 'declared_energy', 'status', 'status_from_fiscal_year'];
    const bytes = csv([
      header,
      ['F-1', 'One', 'Owner KK', 'I-1', 'office', '1000', 'FY2007=2000;FY2008=2100;FY2009=2200', '', ''],
      ['F-1', 'Again', 'Owner KK', 'I-1', 'office', '', '', '', ''],
      ['F-2', '', 'Owner KK', 'III', 'office', '1,000', 'FY2007=2000;FY2009=1', 'active', ''],
      ['F-3', 'Three', 'Owner KK', '', 'office', '', '', '', '2010'],
    ]);
    const list = new ProblemList();
    const records = facilitiesFromFile(await readSpreadsheet(bytes), program, list, 'imported');
    const got = list.items.map((p) => [p.code, p.cell ?? `row ${p.row}`]);
    assert.deepEqual(got.sort(), [
      ['CATEGORY_REQUIRED', 'D5'],
      ['DECLARED_ENERGY_INVALID', 'G4'],
      ['DUPLICATE_FACILITY', 'A3'],
      ['NOT_WHOLE_NUMBER', 'F4'],
      ['REQUIRED', 'B4'],
      ['REQUIRED', 'H5'],
      ['STATUS_INVALID', 'H4'],
      ['REQUIRED', 'I4'],
      ['UNKNOWN_CATEGORY', 'D4'],
    ].sort());
    assert.deepEqual(records.map((r) => r.input.code), ['F-1']);
    assert.deepEqual(records[0]!.input.declaredEnergy, [{ fiscalYear: 2007, coeKl: '2000' }, { fiscalYear: 2008, coeKl: '2100' }, { fiscalYear: 2009, coeKl: '2200' }]);
  });
});

describe('import files: properties', () => {
  const sources = (program.energy?.sources ?? []).map((s) => [s.code, s.unit] as const);
  /** A plain decimal as the API takes it: up to 12 digits and 6 decimals. */
  const decimal = fc.tuple(fc.bigInt({ min: 0n, max: 999_999_999_999n }), fc.option(fc.bigInt({ min: 0n, max: 999_999n }), { nil: undefined })).map(([w, f]) => (f === undefined ? String(w) : `${w}.${String(f).padStart(6, '0')}`));
  const line: fc.Arbitrary<LineInput> = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...sources), decimal).map(([[source, unit], quantity]) => ({ kind: 'energy' as const, source, quantity, unit })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('CH4', 'N2O', 'SF6'), decimal).map(([source, quantity]) => ({ kind: 'other_gas' as const, source, quantity, unit: 't_CO2e' })) },
  );
  const reportLines = fc.uniqueArray(line, { minLength: 1, maxLength: 25, selector: (l) => `${l.kind} ${l.source} ${l.quantity}` });

  it('a quantity is accepted exactly when the report-lines API accepts it, and otherwise refused at its cell with the API\'s code', async () => {
    const text = fc.oneof(decimal, decimal.map((d) => `-${d}`), fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('1,000', '1e3', ' 12.5 ', '.5', '5.', '１２', '0x10', 'NaN', '1 000', '+3'));
    await fc.assert(
      fc.asyncProperty(text.filter((s) => !/[\uD800-\uDFFF]/.test(s) && !s.includes('\u0000')), async (q) => {
        const { file, problems } = await check(csv([HEADER, row('T-1', 2016, '', 'city_gas', q, 'thousand_Nm3', '')]));
        const trimmed = q.trim();
        const api = parseQuantity(trimmed, 'quantity');
        if (trimmed === '') assert.deepEqual(problems.map((p) => [p.code, p.cell]), [['REQUIRED', 'E2']]);
        else if (api.ok) {
          assert.deepEqual(problems, []);
          assert.equal(file?.reports[0]?.lines[0]?.line.quantity, trimmed);
        } else assert.deepEqual(problems.map((p) => [p.code, p.cell, p.value]), [[api.refusal.code, 'E2', trimmed.length > 60 ? `${trimmed.slice(0, 60)}…` : trimmed]]);
      }),
      { numRuns: 300 },
    );
  });

  it('valid lines come out of a CSV and of a workbook exactly as written, and convert as through the API', async () => {
    await fc.assert(
      fc.asyncProperty(reportLines, fc.constantFrom(2005, 2012, 2016, 2022), fc.boolean(), async (lines, year, asWorkbook) => {
        const rows = lines.map((l) => [`F-${year}`, year, l.kind, l.source, l.quantity, l.unit, ''] as const);
        const bytes = asWorkbook ? await xlsx([{ name: 'Reports', rows: [HEADER, ...rows.map((r) => [...r])] }]) : csv([HEADER, ...rows.map((r) => [...r])]);
        const { file, problems } = await check(bytes);
        assert.deepEqual(problems, []);
        const read = file!.reports[0]!.lines.map((l) => l.line);
        assert.deepEqual(read, lines);
        const direct = convertReport(program, year, lines);
        const imported = convertReport(program, year, read);
        assert.ok(direct.ok && imported.ok);
        assert.deepEqual(imported.value.totals, direct.value.totals);
      }),
      { numRuns: 60 },
    );
  });

  it('a number typed in Excel is read as the plain decimal of the same value (no exponent)', async () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e22, noNaN: true, noDefaultInfinity: true }), (n) => {
        const text = decimalText(n);
        assert.doesNotMatch(text, /e/i);
        assert.equal(Number(text), n);
      }),
      { numRuns: 2000 },
    );
    const { file } = await check(await xlsx([{ name: 'Reports', rows: [HEADER, ['T-1', 2016, null, 'city_gas', 12345.678, 'thousand_Nm3'], ['T-1', 2016, null, 'lpg', 1e-7, 't']] }]));
    assert.deepEqual(file?.reports[0]?.lines.map((l) => l.line.quantity), ['12345.678', '0.0000001']);
  });

  it('the UTF-8 check agrees with the fatal decoder on any bytes', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: 'binary' }).map((s) => new Uint8Array(Buffer.from(s, 'utf8')))), (bytes) => {
        let ok = true;
        try {
          decoder.decode(bytes);
        } catch {
          ok = false;
        }
        assert.equal(firstInvalidUtf8(bytes) === bytes.length, ok);
      }),
      { numRuns: 3000 },
    );
  });
});
