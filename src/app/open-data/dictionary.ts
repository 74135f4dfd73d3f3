// The open-data tables and their data dictionary: for every public table, its columns with type, unit and a
// description in English and Japanese. One definition serves the JSON dictionary, the CSV header, the workbook's
// "dictionary" sheet and the row builders (tables.ts), so that what is published and what is described cannot drift.
// Japanese terms follow ../shared/docs/research/glossary-ja-en.md and the web app's catalogues.

/**
 * integer: whole numbers; decimal: exact decimals (written with a dot); text; date: YYYY-MM-DD; datetime: ISO-8601 UTC.
 * In JSON, `json` says how a value is written: quantities (tonnes, kL, m²) and other big integers as decimal strings
 * (exact beyond 2^53, as everywhere in the API), small numbers (years, periods, counts, percentages) as numbers.
 */
export type ColumnType = 'integer' | 'decimal' | 'text' | 'date' | 'datetime';

export interface ColumnDef {
  readonly name: string;
  readonly type: ColumnType;
  readonly json: 'string' | 'number';
  /** t-CO2, t, kL, m², %, FY … or null for codes and names. */
  readonly unit: string | null;
  readonly nullable: boolean;
  readonly en: string;
  readonly ja: string;
}

export interface TableDef {
  /** The name in URLs and file names. */
  readonly name: string;
  readonly titleEn: string;
  readonly titleJa: string;
  readonly descriptionEn: string;
  readonly descriptionJa: string;
  /** Columns that identify a row (rows come in this order; program-periods in program order). */
  readonly key: readonly string[];
  readonly columns: readonly ColumnDef[];
}

type Opt = { readonly nullable?: boolean };
const text = (name: string, en: string, ja: string, o: Opt = {}): ColumnDef => ({ name, type: 'text', json: 'string', unit: null, nullable: o.nullable ?? false, en, ja });
/** A quantity or other integer that may exceed 2^53: a string in JSON. */
const quantity = (name: string, unit: string, en: string, ja: string, o: Opt = {}): ColumnDef => ({ name, type: 'integer', json: 'string', unit, nullable: o.nullable ?? false, en, ja });
/** A small integer (year, period, count): a number in JSON. */
const small = (name: string, unit: string | null, en: string, ja: string, o: Opt = {}): ColumnDef => ({ name, type: 'integer', json: 'number', unit, nullable: o.nullable ?? false, en, ja });
const fiscalYear = (name: string, en: string, ja: string, o: Opt = {}): ColumnDef => small(name, 'FY', en, ja, o);

const FACILITY_CODE = text('facility_code', 'Facility code, as registered (e.g. T-0001).', '事業所番号（登録時の番号、例：T-0001）。');
const CO2 = 't-CO2';

export const FACILITIES: TableDef = {
  name: 'facilities',
  titleEn: 'Facility register',
  titleJa: '事業所一覧',
  descriptionEn: 'Every facility of the jurisdiction with its category, use, designation status, compliance account and active base year.',
  descriptionJa: '管轄内のすべての事業所と、その区分、用途、指定状況、指定管理口座、基準年度・基準排出量。',
  key: ['facility_code'],
  columns: [
    FACILITY_CODE,
    text('name', 'Facility name.', '事業所の名称。'),
    text('owner', 'Owner (the business operator that carries the obligation), a company name.', '所有者（義務を負う事業者）の名称。'),
    text('category', "The program's facility category (Tokyo: I-1, I-2, II); empty in allocation programs.", '制度上の区分（東京都：区分Ⅰ-1、Ⅰ-2、Ⅱ）。割当型の制度では空欄。', { nullable: true }),
    text('use_type', 'Main use (office, commercial, factory …).', '主たる用途（事務所、商業施設、工場など）。'),
    text('status', 'Designation status: registered, designated, specified, exempted or withdrawn.', '指定状況：registered（登録）、designated（指定地球温暖化対策事業所）、specified（特定地球温暖化対策事業所）、exempted（対象外）、withdrawn（指定取消し）。'),
    quantity('floor_area_m2', 'm²', 'Total floor area.', '延床面積。', { nullable: true }),
    text('city', 'City or ward of the facility.', '所在地（市区町村）。', { nullable: true }),
    text('country', 'Country (ISO 3166 code or name as registered).', '国。', { nullable: true }),
    text('compliance_account', "Number of the facility's compliance account in the registry (as in the transaction log).", '指定管理口座の口座番号（取引記録の口座番号と同じ）。', { nullable: true }),
    fiscalYear('base_first_fiscal_year', 'First fiscal year of the active base years.', '基準年度（初年度）。', { nullable: true }),
    fiscalYear('base_last_fiscal_year', 'Last fiscal year of the active base years.', '基準年度（最終年度）。', { nullable: true }),
    quantity('base_t', CO2, 'Base-year emissions as chosen: the average of the base years (before any restatement with later emission factors).', '基準排出量（基準年度の平均。後の計画期間の排出係数による再計算前の値）。', { nullable: true }),
  ],
};

export const EMISSIONS: TableDef = {
  name: 'emissions',
  titleEn: 'Verified emissions by facility and fiscal year',
  titleJa: '事業所別・年度別の検証済み排出量',
  descriptionEn: 'For each facility and fiscal year, the accepted (verified) annual report: its energy use in crude-oil equivalent and its energy-origin CO2. The highest accepted version counts; drafts and reports not yet accepted are not published.',
  descriptionJa: '事業所・年度ごとの受理済み（検証済み）の特定温室効果ガス排出量算定報告書：原油換算エネルギー使用量とエネルギー起源CO2排出量。受理された最新版のみを掲載し、未受理の報告は掲載しません。',
  key: ['facility_code', 'fiscal_year'],
  columns: [
    FACILITY_CODE,
    fiscalYear('fiscal_year', 'Fiscal year (FY2022 runs from April 2022 to March 2023 in Tokyo).', '年度（東京都では2022年度＝2022年4月〜2023年3月）。'),
    small('report_version', null, 'Version of the accepted report (corrections are new versions).', '受理された報告書の版（訂正は新しい版）。'),
    { name: 'coe_kl', type: 'decimal', json: 'string', unit: 'kL', nullable: false, en: 'Energy use in crude-oil equivalent, kilolitres (three decimals).', ja: '原油換算エネルギー使用量（kL、小数点以下3桁）。' },
    quantity('emissions_t', CO2, "Energy-origin CO2 emissions in whole tonnes, rounded with the program's rule (as the compliance assessment counts them).", 'エネルギー起源CO2排出量（特定温室効果ガス排出量、t。制度の端数処理による整数）。'),
  ],
};

export const SUMMARY: TableDef = {
  name: 'summary',
  titleEn: 'Program totals by fiscal year',
  titleJa: '年度別の排出量合計と削減率',
  descriptionEn: "Per fiscal year of the program: the covered facilities' total verified emissions and their reduction against their base-year emissions, as the public disclosure shows it (docs/demo.md \"The disclosure summary\").",
  descriptionJa: '計画期間の年度ごとの、対象事業所の検証済み排出量の合計と基準排出量に対する削減率（公表値と同じ算定）。',
  key: ['fiscal_year'],
  columns: [
    fiscalYear('fiscal_year', 'Fiscal year.', '年度。'),
    quantity('emissions_t', CO2, 'Total verified emissions of the covered facilities that reported that year.', '当該年度に報告した対象事業所の検証済み排出量の合計。'),
    small('reporting_facilities', 'facilities', 'Covered facilities with an accepted report for that year.', '当該年度の受理済み報告がある対象事業所の数。'),
    { name: 'reduction_pct', type: 'decimal', json: 'number', unit: '%', nullable: true, en: "Reduction against the same facilities' base-year emissions (restated with the year's period factors), rounded with the program's rule; empty without a base (allocation programs).", ja: '同じ事業所の基準排出量（当該計画期間の排出係数で再計算）に対する削減率（制度の端数処理）。基準がない場合（割当型）は空欄。' },
  ],
};

export const SUMMARY_BY_CATEGORY: TableDef = {
  name: 'summary-by-category',
  titleEn: 'Program totals by fiscal year and category',
  titleJa: '年度別・区分別の排出量合計',
  descriptionEn: 'The same totals as the summary table, split by facility category.',
  descriptionJa: '年度別排出量合計を事業所の区分ごとに分けたもの。',
  key: ['fiscal_year', 'category'],
  columns: [
    fiscalYear('fiscal_year', 'Fiscal year.', '年度。'),
    text('category', 'Facility category ("none" for facilities without one).', '事業所の区分（区分がない場合は none）。'),
    quantity('emissions_t', CO2, 'Total verified emissions of the category.', '区分ごとの検証済み排出量の合計。'),
  ],
};

export const COMPLIANCE: TableDef = {
  name: 'compliance',
  titleEn: 'Compliance results by period',
  titleJa: '計画期間ごとの義務履行状況',
  descriptionEn: 'The stored compliance assessment of every facility and period (obligation programs: one row per facility and period; allocation programs: one row per facility and fiscal year, cumulative within the period).',
  descriptionJa: '事業所・計画期間ごとの義務履行の算定結果（総量削減義務型：事業所・計画期間ごとに1行。割当型：事業所・年度ごとに1行、計画期間内の累計）。',
  key: ['facility_code', 'period', 'fiscal_year'],
  columns: [
    FACILITY_CODE,
    small('period', null, 'Compliance period number.', '計画期間。'),
    fiscalYear('fiscal_year', 'Obligation programs: the last fiscal year of the period; allocation programs: the year assessed.', '総量削減義務型：計画期間の最終年度。割当型：算定対象の年度。'),
    quantity('emissions_t', CO2, 'Verified emissions counted (the sum over the period).', '算定に用いた検証済み排出量（計画期間の合計）。', { nullable: true }),
    quantity('cap_t', CO2, 'Obligation programs: the emission cap of the period.', '排出上限量（総量削減義務型）。', { nullable: true }),
    quantity('obligation_t', CO2, 'Obligation programs: the reduction obligation (base × factor × years).', '削減義務量（基準排出量×削減義務率×年数）。', { nullable: true }),
    quantity('allocated_t', 't', 'Allocation programs: allowances allocated.', '割当量（割当型）。', { nullable: true }),
    quantity('surrendered_t', 't', 'Units surrendered for the period.', '義務充当量。', { nullable: true }),
    quantity('shortfall_t', CO2, 'Shortfall: emissions not covered by the cap and the credits surrendered.', '削減不足量。', { nullable: true }),
    quantity('position_t', CO2, 'Position: cap (or allocation) + credits counted − emissions; negative by the shortfall.', '排出上限量（または割当量）＋充当量−排出量。不足の場合は負。', { nullable: true }),
    text('status', 'compliant, shortfall, emissions_missing or cap_missing (allocation programs: A, B, C …).', '状況：compliant（義務履行）、shortfall（削減不足）、emissions_missing（排出量未確定）、cap_missing（上限未設定）。割当型は A、B、C など。'),
    text('note', "The assessment's note, e.g. why a base was not restated.", '算定上の注記。', { nullable: true }),
  ],
};

export const TRANSACTIONS: TableDef = {
  name: 'transactions',
  titleEn: 'Public transaction log',
  titleJa: '取引記録（公開）',
  descriptionEn:
    'Completed registry transactions (issuances, transfers, surrenders, retirements, cancellations and reversals), published in the manner of the EU Transaction Log only once the delay of the program has passed since completion. Account numbers, types and holder names are public; the people who acted (representatives, user ids), idempotency keys, network addresses and free-text reasons are never published.',
  descriptionJa:
    '完了した口座簿の取引（発行、振替、義務充当、償却、無効化、取消し）。EU取引記録（EUTL）と同様に、完了から制度の公表猶予期間が経過したものだけを掲載します。口座番号・口座種別・口座名義人は公開し、操作した個人（代表者、利用者ID）、冪等キー、IPアドレス、理由の記述は掲載しません。',
  key: ['journal_seq'],
  columns: [
    quantity('journal_seq', 'seq', "Sequence number of the transaction in the jurisdiction's hash-chained journal (verifiable at /ledger/verification).", 'ハッシュ連鎖された取引記録簿における通し番号（/ledger/verification で検証可能）。'),
    text('transaction_id', 'Transaction identifier.', '取引番号。'),
    text('type', 'issuance, transfer, surrender, retirement, cancellation or reversal.', '取引の種類：issuance（発行）、transfer（振替）、surrender（義務充当）、retirement（償却）、cancellation（無効化）、reversal（取消し）。'),
    { name: 'completed_at', type: 'datetime', json: 'string', unit: 'UTC', nullable: false, en: 'When the transaction completed (ISO-8601, UTC).', ja: '取引の完了日時（ISO-8601、協定世界時）。' },
    text('unit_type', 'Unit type code (e.g. a credit type and its vintage).', '単位の種類のコード。'),
    text('unit_kind', 'Kind of unit: allowance, excess_reduction_credit, …', '単位の区分：allowance（排出枠）、excess_reduction_credit（超過削減量）など。'),
    small('vintage', 'period', 'Vintage: the compliance period the units belong to, when they have one.', '単位の発行対象の計画期間。', { nullable: true }),
    quantity('quantity_t', 't', 'Units moved, in tonnes.', '移転量（t）。'),
    text('from_account', 'Number of the transferring account; empty for issuances.', '移転元の口座番号（発行では空欄）。', { nullable: true }),
    text('from_account_type', 'Type of the transferring account.', '移転元の口座種別。', { nullable: true }),
    text('from_account_holder', 'Holder of the transferring account (a company or the authority); empty when the program does not publish holder names.', '移転元の口座名義人（事業者または行政）。名義を公表しない設定では空欄。', { nullable: true }),
    text('to_account', 'Number of the acquiring account (for surrenders, retirements and cancellations: the terminal account).', '移転先の口座番号（義務充当・償却・無効化では最終口座）。', { nullable: true }),
    text('to_account_type', 'Type of the acquiring account.', '移転先の口座種別。', { nullable: true }),
    text('to_account_holder', 'Holder of the acquiring account; empty when the program does not publish holder names.', '移転先の口座名義人。名義を公表しない設定では空欄。', { nullable: true }),
    text('reverses_transaction_id', 'For a reversal: the transaction it reverses.', '取消しの場合、取り消した取引の番号。', { nullable: true }),
  ],
};

export const UNITS: TableDef = {
  name: 'units',
  titleEn: 'Units issued and where they are',
  titleJa: '発行量と保有状況',
  descriptionEn: 'Per unit type: tonnes issued and how many are held, in transit, surrendered, retired or cancelled (issued = the sum of the five).',
  descriptionJa: '単位の種類ごとの発行量と、保有・移転中・義務充当・償却・無効化の内訳（発行量＝5つの合計）。',
  key: ['unit_type'],
  columns: [
    text('unit_type', 'Unit type code.', '単位の種類のコード。'),
    text('unit_kind', 'Kind of unit.', '単位の区分。'),
    quantity('issued_t', 't', 'Tonnes issued.', '発行量。'),
    quantity('held_t', 't', 'Held in holding accounts.', '保有量。'),
    quantity('in_transit_t', 't', 'In transit to a linked registry.', '連携口座簿への移転中の量。'),
    quantity('surrendered_t', 't', 'Surrendered for compliance.', '義務充当された量。'),
    quantity('retired_t', 't', 'Retired (voluntary cancellation).', '償却された量。'),
    quantity('cancelled_t', 't', 'Cancelled.', '無効化された量。'),
  ],
};

export const PROGRAM_PERIODS: TableDef = {
  name: 'program-periods',
  titleEn: 'Program summary: compliance periods and factors',
  titleJa: '制度の概要：計画期間と削減義務率',
  descriptionEn: "The program in force: its compliance periods and, for each facility category, the compliance factor of the period (before reliefs). Allocation programs have one row per period without a category.",
  descriptionJa: '現行の制度の計画期間と、区分ごとの削減義務率（軽減措置の前）。割当型の制度では区分なしで計画期間ごとに1行。',
  key: ['period', 'category'],
  columns: [
    small('period', null, 'Compliance period number.', '計画期間。'),
    fiscalYear('first_fiscal_year', 'First fiscal year of the period.', '計画期間の初年度。'),
    fiscalYear('last_fiscal_year', 'Last fiscal year of the period.', '計画期間の最終年度。'),
    { name: 'adjustment_window_end', type: 'date', json: 'string', unit: null, nullable: false, en: 'Last day units may be surrendered for the period (Tokyo: end of the adjustment period).', ja: '義務充当の期限（東京都：整理期間の末日）。' },
    text('category', 'Facility category.', '事業所の区分。', { nullable: true }),
    text('category_name', "The category's name in the program.", '区分の名称。', { nullable: true }),
    { name: 'compliance_factor_pct', type: 'decimal', json: 'number', unit: '%', nullable: true, en: 'Compliance factor of the category for the period, before reliefs.', ja: '当該計画期間の削減義務率（軽減措置の前）。' },
  ],
};

/** Every open-data table, in catalogue order. */
export const OPEN_DATA_TABLES: readonly TableDef[] = [FACILITIES, EMISSIONS, SUMMARY, SUMMARY_BY_CATEGORY, COMPLIANCE, TRANSACTIONS, UNITS, PROGRAM_PERIODS];
export const TABLE_NAMES = OPEN_DATA_TABLES.map((t) => t.name) as readonly string[];
export type TableName = (typeof TABLE_NAMES)[number];

export function tableDef(name: string): TableDef | undefined {
  return OPEN_DATA_TABLES.find((t) => t.name === name);
}

export const FORMATS = ['json', 'csv', 'xlsx'] as const;
export type Format = (typeof FORMATS)[number];
