// A facility's annual summary (facility-summary.ts) as an A4 PDF in English, Japanese or both, for the operator to
// print or file. Text is set in a Japanese TrueType font (IPAex Gothic by default, which also covers Latin), embedded
// as a subset. The font is not vendored (6 MB, as large as the whole repository); japaneseFont() finds it, and its
// absence is a clear PdfFontMissingError, never a crash (docs/open-data.md "The annual summary PDF").
// Given the same summary, language and creation date, the bytes are the same (pdfkit derives the file id from the
// document info, and nothing else in the file depends on the clock).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { litresAsKl } from '../../domain/mrv/conversion.js';
import { Rational } from '../../domain/compliance/rational.js';
import { summaryFigures, type FacilityAnnualSummary } from './facility-summary.js';

export const SUMMARY_LANGS = ['en', 'ja', 'both'] as const;
export type SummaryLang = (typeof SUMMARY_LANGS)[number];

export const PDF_FONT_ENV = 'CITYCAP_PDF_FONT';
/** A copy in the repository takes precedence over the system's (see docs/open-data.md to vendor it). */
export const VENDORED_FONT = fileURLToPath(new URL('../../../fonts/ipaexg.ttf', import.meta.url));
/** Where common systems keep a Japanese TrueType/OpenType font (single fonts; collections .ttc are not tried). */
export const SYSTEM_FONTS: readonly string[] = [
  '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf', // Debian/Ubuntu fonts-ipaexfont-gothic (CI installs it)
  '/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf',
  '/usr/share/fonts/ipa-ex-gothic/ipaexg.ttf', // Fedora ipa-ex-gothic-fonts
  '/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf', // fonts-ipafont-gothic
  '/usr/share/fonts/truetype/fonts-japanese-gothic.ttf', // Debian's alternatives link
  '/Library/Fonts/ipaexg.ttf',
  '/opt/homebrew/share/fonts/ipaexg.ttf',
];

export class PdfFontMissingError extends Error {
  override name = 'PdfFontMissingError';
  readonly code = 'PDF_FONT_MISSING';
}

/**
 * The font file to set the PDF in: $CITYCAP_PDF_FONT when set (it must exist), else fonts/ipaexg.ttf in the
 * repository, else the first of `systemFonts` that exists.
 */
export function japaneseFont(env: Readonly<Record<string, string | undefined>> = process.env, systemFonts: readonly string[] = SYSTEM_FONTS): string {
  const chosen = env[PDF_FONT_ENV];
  if (chosen !== undefined && chosen !== '') {
    if (!existsSync(chosen)) throw new PdfFontMissingError(`${PDF_FONT_ENV} names ${chosen}, which does not exist. Point it at a TrueType or OpenType font with Japanese glyphs (e.g. ipaexg.ttf).`);
    return chosen;
  }
  const found = [VENDORED_FONT, ...systemFonts].find((p) => existsSync(p));
  if (found === undefined) {
    throw new PdfFontMissingError(
      `No Japanese font for the PDF: install IPAex Gothic (Debian/Ubuntu: apt install fonts-ipaexfont-gothic; or download ipaexg.ttf from https://moji.or.jp/ipafont/ and copy it to fonts/ipaexg.ttf), or set ${PDF_FONT_ENV} to a TrueType/OpenType font with Japanese glyphs.`,
    );
  }
  return found;
}

type Pair = readonly [en: string, ja: string];

const L = {
  title: ['Annual emissions summary', '年度排出量報告の概要'],
  facility: ['Facility', '事業所'],
  code: ['Facility code', '事業所番号'],
  name: ['Name', '名称'],
  owner: ['Owner', '所有者'],
  category: ['Category', '区分'],
  use: ['Main use', '主たる用途'],
  status: ['Designation status', '指定状況'],
  floorArea: ['Floor area', '延床面積'],
  account: ['Compliance account', '指定管理口座'],
  fiscalYear: ['Fiscal year', '年度'],
  report: ['Annual report', '特定温室効果ガス排出量算定報告書'],
  version: ['Version and status', '版・状況'],
  acceptedAt: ['Accepted on', '受理日'],
  energy: ['Energy use and CO2', 'エネルギー使用量とCO2排出量'],
  source: ['Energy source', '燃料等'],
  quantity: ['Quantity', '使用量'],
  unit: ['Unit', '単位'],
  coe: ['Crude-oil eq. (kL)', '原油換算 (kL)'],
  co2: ['CO2 (t)', 'CO2 (t)'],
  total: ['Total', '合計'],
  coeTotal: ['Energy use, crude-oil equivalent', '原油換算エネルギー使用量'],
  emissions: ['Energy-origin CO2 emissions', '特定温室効果ガス排出量'],
  otherGases: ['Other gases (reported, not capped)', 'その他ガス（報告のみ）'],
  baseYear: ['Base-year emissions', '基準排出量'],
  baseYears: ['Base years', '基準年度'],
  baseRestated: ["Base restated with the period's factors", '当該計画期間の排出係数による基準排出量'],
  period: ['Compliance period', '計画期間'],
  factor: ['Compliance factor', '削減義務率'],
  cap: ['Emission cap for the period', '排出上限量（計画期間）'],
  obligation: ['Reduction obligation', '削減義務量'],
  yearEmissions: ['Verified emissions by year', '年度別の検証済み排出量'],
  notAccepted: ['no accepted report', '受理済みの報告なし'],
  notFinal: ['This report is not accepted yet: its figures may still change.', 'この報告書は受理されていないため、数値は変更される可能性があります。'],
  emissionsToDate: ['Emissions so far in the period', '計画期間の排出量（当年度まで）'],
  surrendered: ['Units surrendered (counted)', '義務充当量（算入量）'],
  position: ['Position so far: cap + credits − emissions', '現時点の状況：排出上限量＋充当量−排出量'],
  assessment: ['Latest assessment', '直近の義務履行の算定'],
  noTerms: ['No cap for this year', 'この年度の排出上限量はありません'],
  emissionsWord: ['emissions', '排出量'],
  capWord: ['cap', '排出上限量'],
  allocatedWord: ['allocated', '割当量'],
  shortfallWord: ['shortfall', '削減不足量'],
  generated: ['Generated by citycap', 'citycap により作成'],
  page: ['page', 'ページ'],
  note: [
    "Figures in tonnes of CO2 (t-CO2) unless stated. Emissions are counted in whole tonnes with the program's rounding, as the compliance assessment counts them.",
    '単位は特に記載のない限り t-CO2。排出量は義務履行の算定と同じく制度の端数処理による整数（t）。',
  ],
} satisfies Record<string, Pair>;

const VALUES_JA: Readonly<Record<string, string>> = {
  registered: '登録',
  designated: '指定地球温暖化対策事業所',
  specified: '特定地球温暖化対策事業所',
  exempted: '対象外',
  withdrawn: '指定取消し',
  draft: '作成中',
  submitted: '提出済み',
  verified: '検証済み',
  accepted: '受理済み',
  returned: '差戻し',
  superseded: '訂正済み',
  compliant: '義務履行',
  shortfall: '削減不足',
  emissions_missing: '排出量未確定',
  cap_missing: '上限未設定',
  office: '事務所',
  commercial: '商業施設',
  hotel: '宿泊施設',
  hospital: '医療施設',
  university: '大学',
  education: '教育施設',
  district_heating: '地域冷暖房施設',
  dhc_plant: '地域冷暖房施設',
  factory: '工場',
  water_works: '上水道施設',
  water_sewage: '上下水道施設',
  electricity_grid: '電気（一般送配電事業者）',
  city_gas: '都市ガス（13A）',
  heavy_oil_a: 'A重油',
  kerosene: '灯油',
  lpg: '液化石油ガス（LPG）',
  district_heat: '熱（蒸気・温水・冷水）',
  FACILITY_NOT_SPECIFIED: '特定地球温暖化対策事業所ではありません',
  NO_BASE_YEAR: '基準排出量がありません',
  NO_CATEGORY: '区分がありません',
};

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 48;
const CONTENT_WIDTH = A4.width - 2 * MARGIN;
const LABEL_WIDTH = 200;
const GREY = '#555555';
const RULE = '#999999';

const thousands = (v: bigint): string => v.toLocaleString('en-US');
const tonnes = (v: bigint): string => `${thousands(v)} t`;
/** kg as tonnes with three decimals, grouped: 1234567 → "1,234.567". */
function kgAsT(kg: bigint): string {
  const [int = '0', frac] = Rational.of(kg, 1000n).toDecimal(3).split('.');
  const sign = int.startsWith('-') ? '-' : '';
  return `${sign}${thousands(BigInt(int.replace('-', '')))}.${(frac ?? '').padEnd(3, '0')}`;
}
/** A decimal quantity as metered, grouped: "284303.417" → "284,303.417". */
function grouped(decimal: string): string {
  const [int = '0', frac] = decimal.split('.');
  return frac === undefined ? thousands(BigInt(int)) : `${thousands(BigInt(int))}.${frac}`;
}
const UNITS: Readonly<Record<string, Pair>> = { thousand_Nm3: ['thousand Nm³', '千Nm³'], t_CO2e: ['t-CO2e', 't-CO2e'] };
function kl(coeL: bigint): string {
  const [int = '0', frac] = litresAsKl(coeL).split('.');
  return `${thousands(BigInt(int))}.${(frac ?? '').padEnd(3, '0')}`;
}

export interface SummaryPdfOptions {
  readonly lang: SummaryLang;
  /** The document's creation date (its info and footer); the same date gives the same bytes. */
  readonly createdAt: Date;
  /** The font file; default japaneseFont(). */
  readonly fontPath?: string;
}

/** The PDF's file name: summary-TOKYO-T-0001-FY2022.pdf */
export function summaryFileName(s: FacilityAnnualSummary): string {
  return `summary-${s.jurisdiction.code}-${s.facility.code}-FY${s.fiscalYear}.pdf`;
}

export async function renderSummaryPdf(s: FacilityAnnualSummary, options: SummaryPdfOptions): Promise<Buffer> {
  const fontPath = options.fontPath ?? japaneseFont();
  const lang = options.lang;
  const pick = (p: Pair): string => (lang === 'en' ? p[0] : lang === 'ja' || p[0] === p[1] ? p[1] : `${p[1]}  ${p[0]}`);
  const value = (v: string): string => {
    const ja = VALUES_JA[v];
    return ja === undefined || lang === 'en' ? v : lang === 'ja' ? ja : `${ja} (${v})`;
  };
  const unitLabel = (unit: string): string => {
    const pair = UNITS[unit];
    return pair === undefined ? unit : pick(pair);
  };
  const sourceLabel = (code: string, name: string): string => {
    const ja = VALUES_JA[code];
    return ja === undefined || lang === 'en' ? name : lang === 'ja' ? ja : `${ja} ${name}`;
  };
  const title = `${pick(L.title)} — FY${s.fiscalYear} — ${s.facility.code} ${s.facility.name}`;
  const info: PDFKit.DocumentInfo & Record<string, unknown> = {
    Title: title,
    Author: lang === 'en' ? s.jurisdiction.nameEn : `${s.jurisdiction.nameJa} / ${s.jurisdiction.nameEn}`,
    Subject: `Annual summary of facility ${s.facility.code} for FY${s.fiscalYear} (${s.program.name})`,
    Keywords: `citycap, ${s.jurisdiction.code}, ${s.facility.code}, FY${s.fiscalYear}, ${lang}`,
    Creator: 'citycap',
    Producer: 'citycap (PDFKit)',
    CreationDate: options.createdAt,
    ModDate: options.createdAt,
    // The key figures, machine-readable: what the document states, for archives and checks.
    CitycapSummary: JSON.stringify({ ...summaryFigures(s), lang }),
  };
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, bufferPages: true, lang: lang === 'en' ? 'en' : 'ja-JP', displayTitle: true, info });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  try {
    doc.registerFont('jp', fontPath);
    doc.font('jp');
  } catch (error) {
    throw new PdfFontMissingError(`The font ${fontPath} could not be read (${error instanceof Error ? error.message : String(error)}); set ${PDF_FONT_ENV} to a TrueType or OpenType font with Japanese glyphs.`);
  }
  const bottom = A4.height - MARGIN - 24; // room for the footer

  let y = MARGIN;
  const ensure = (h: number): void => {
    if (y + h > bottom) {
      doc.addPage();
      y = MARGIN;
    }
  };
  const heading = (p: Pair): void => {
    ensure(40);
    y += 10;
    doc.fontSize(12).fillColor('black').text(pick(p), MARGIN, y, { width: CONTENT_WIDTH });
    y = doc.y + 2;
    doc.moveTo(MARGIN, y).lineTo(MARGIN + CONTENT_WIDTH, y).lineWidth(0.5).strokeColor(RULE).stroke();
    y += 5;
  };
  const row = (label: Pair | string, text: string): void => {
    const labelText = typeof label === 'string' ? label : pick(label);
    doc.fontSize(9);
    const h = Math.max(doc.heightOfString(labelText, { width: LABEL_WIDTH - 8 }), doc.heightOfString(text, { width: CONTENT_WIDTH - LABEL_WIDTH }));
    ensure(h + 3);
    doc.fillColor(GREY).text(labelText, MARGIN, y, { width: LABEL_WIDTH - 8 });
    doc.fillColor('black').text(text, MARGIN + LABEL_WIDTH, y, { width: CONTENT_WIDTH - LABEL_WIDTH });
    y += h + 3;
  };
  /** A table: widths in points, numeric columns right-aligned. */
  const table = (head: readonly string[], rows: readonly (readonly string[])[], widths: readonly number[], numeric: readonly boolean[]): void => {
    const cells = (r: readonly string[], size: number, color: string): void => {
      doc.fontSize(size);
      const h = Math.max(...r.map((c, i) => doc.heightOfString(c, { width: widths[i]! - 6 })));
      ensure(h + 4);
      let x = MARGIN;
      r.forEach((c, i) => {
        doc.fillColor(color).text(c, x, y, { width: widths[i]! - 6, align: numeric[i] === true ? 'right' : 'left' });
        x += widths[i]!;
      });
      y += h + 4;
    };
    cells(head, 8, GREY);
    for (const r of rows) cells(r, 9, 'black');
  };

  // -- title
  doc.fontSize(16).fillColor('black').text(pick(L.title), MARGIN, y, { width: CONTENT_WIDTH });
  y = doc.y + 2;
  const names = lang === 'en' || s.jurisdiction.nameJa === s.jurisdiction.nameEn ? s.jurisdiction.nameEn : lang === 'ja' ? s.jurisdiction.nameJa : `${s.jurisdiction.nameJa}  ${s.jurisdiction.nameEn}`;
  doc.fontSize(10).fillColor(GREY).text(`${names} — ${s.program.name}`, MARGIN, y, { width: CONTENT_WIDTH });
  y = doc.y + 4;

  // -- facility and year
  heading(L.facility);
  const f = s.facility;
  row(L.code, f.code);
  row(L.name, f.name);
  row(L.owner, f.owner);
  if (f.category !== null) row(L.category, f.categoryName === null ? f.category : `${f.category} — ${f.categoryName}`);
  row(L.use, value(f.useType));
  row(L.status, value(f.status));
  if (f.floorAreaM2 !== null) row(L.floorArea, `${thousands(f.floorAreaM2)} m²`);
  if (f.accountNumber !== null) row(L.account, f.accountNumber);
  row(L.fiscalYear, `${lang === 'en' ? `FY${s.fiscalYear}` : lang === 'ja' ? `${s.fiscalYear}年度` : `${s.fiscalYear}年度 FY${s.fiscalYear}`} (${s.fiscalYearFrom} – ${s.fiscalYearTo})`);

  // -- the report
  heading(L.report);
  const r = s.report;
  row(L.version, `${r.version} — ${value(r.status)}`);
  if (r.status !== 'accepted') row('', pick(L.notFinal));
  if (r.acceptedAt !== null) row(L.acceptedAt, r.acceptedAt.slice(0, 10));
  heading(L.energy);
  // The lines that make up the capped emissions: energy lines (and an import's verified totals); other gases apart.
  const energy = r.lines.filter((l) => l.kind !== 'other_gas');
  const otherGasKg = r.lines.filter((l) => l.kind === 'other_gas').reduce((sum, l) => sum + l.co2Kg, 0n);
  table(
    ['#', pick(L.source), pick(L.quantity), pick(L.unit), pick(L.coe), pick(L.co2)],
    [
      ...energy.map((l) => [String(l.lineNo), sourceLabel(l.source, l.sourceName), grouped(l.quantity), unitLabel(l.unit), kl(l.coeL), kgAsT(l.co2Kg)]),
      ['', pick(L.total), '', '', kl(r.coeL), kgAsT(r.emissionsKg)],
    ],
    [24, 165, 80, 75, 80, CONTENT_WIDTH - 424],
    [false, false, true, false, true, true],
  );
  row(L.coeTotal, `${kl(r.coeL)} kL`);
  row(L.emissions, tonnes(r.emissionsT));
  if (otherGasKg > 0n) row(L.otherGases, `${kgAsT(otherGasKg)} t-CO2e`);

  // -- base year
  heading(L.baseYear);
  if (s.baseYear === null) row(L.baseYear, '—');
  else {
    row(L.baseYears, `FY${s.baseYear.firstFiscalYear} – FY${s.baseYear.lastFiscalYear}`);
    row(L.baseYear, tonnes(s.baseYear.baseT));
    if (s.terms !== null && s.terms.baseTForPeriod !== s.baseYear.baseT) row(L.baseRestated, tonnes(s.terms.baseTForPeriod));
  }

  // -- the period: cap and position
  if (s.period !== null) {
    const p = s.period;
    heading([`${L.period[0]} ${p.number} (FY${p.firstFiscalYear} – FY${p.lastFiscalYear})`, `第${p.number}計画期間（${p.firstFiscalYear}〜${p.lastFiscalYear}年度）`]);
    if (s.terms === null) row(L.noTerms, s.termsMissing === null ? (s.program.kind === 'allocation' ? 'allocation program' : '—') : value(s.termsMissing));
    else {
      const t = s.terms;
      row(L.factor, t.factorPct === t.categoryFactorPct ? `${t.factorPct} %` : `${t.categoryFactorPct} % → ${t.factorPct} % (${t.reliefs.join(', ')})`);
      row(L.cap, tonnes(t.capT));
      row(L.obligation, tonnes(t.obligationT));
    }
    if (s.position !== null) {
      const pos = s.position;
      row(L.yearEmissions, pos.years.map((y) => `FY${y.fiscalYear}: ${y.emissionsT === null ? pick(L.notAccepted) : tonnes(y.emissionsT)}`).join('\n'));
      row(L.emissionsToDate, tonnes(pos.emissionsToDateT));
      row(L.surrendered, `${tonnes(pos.surrenderedT)} (${tonnes(pos.creditedT)})`);
      row(L.position, `${pos.positionT > 0n ? '+' : ''}${tonnes(pos.positionT)}`);
    }
    if (s.assessment !== null) {
      const a = s.assessment;
      const figure = (p: Pair, v: bigint | null): string | null => (v === null ? null : `${pick(p)} ${tonnes(v)}`);
      const figures = [figure(L.emissionsWord, a.emissionsT), figure(L.capWord, a.capT), figure(L.allocatedWord, a.allocatedT), figure(L.shortfallWord, a.shortfallT)].filter((x) => x !== null);
      row(L.assessment, `${value(a.status)} — ${figures.join(', ')} (${a.computedAt.slice(0, 10)})`);
    }
  }

  ensure(30);
  y += 8;
  doc.fontSize(7.5).fillColor(GREY).text(pick(L.note), MARGIN, y, { width: CONTENT_WIDTH });

  // -- footers, once the page count is known
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    const footer = `${pick(L.generated)} ${options.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC — ${s.facility.code} FY${s.fiscalYear} — ${pick(L.page)} ${i + 1} / ${range.count}`;
    doc.fontSize(7.5).fillColor(GREY).text(footer, MARGIN, A4.height - MARGIN - 10, { width: CONTENT_WIDTH, align: 'right', lineBreak: false });
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
