// Emissions of the covered facilities: the total by fiscal year and category against the base-year emissions (with
// the reduction Tokyo publishes), and each facility's emissions against its cap for the latest period with results.
// Every chart has its figures in a table too.
import type { TFunction } from 'i18next';
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { EChart, type ChartOption } from '../../components/EChart';
import { ErrorBanner, Loading } from '../../components/ui';
import { useApi } from '../../components/useApi';
import { formatFiscalYear, formatNumber, formatPercentFigure } from '../../i18n';
import { useSession } from '../../session';
import { periodName } from './format';
import { termOf, tonnes, type DisclosedFacility, type DisclosureSummary, type ProgramResponse } from './model';
import { useDisclosure } from './useDisclosure';

export default function Emissions(): ReactNode {
  const { t } = useTranslation('public');
  const { jurisdiction } = useSession();
  const code = jurisdiction?.code;
  const summary = useApi<DisclosureSummary>(code === undefined ? null : `jurisdictions/${code}/disclosure/summary`);
  const program = useApi<ProgramResponse>(code === undefined ? null : `jurisdictions/${code}/program`);
  return (
    <section className="emissions-page">
      <h1>{t('emissions.title')}</h1>
      <p className="lead">{t('emissions.intro')}</p>
      <ErrorBanner error={summary.error ?? program.error} />
      {summary.data === undefined || program.data === undefined ? (summary.error === null && program.error === null ? <Loading /> : null) : <ByYear summary={summary.data} program={program.data} />}
      <AgainstCap code={code} />
    </section>
  );
}

/** "I-1 Offices" — the category code with its short name. */
function categoryLabelOf(t: TFunction, c: string): string {
  return `${c} ${termOf(t, 'categoriesShort', c, termOf(t, 'categories', c, c))}`;
}

function ByYear({ summary, program }: { summary: DisclosureSummary; program: ProgramResponse }): ReactNode {
  const { t } = useTranslation('public');
  const categories = useMemo(() => {
    const known = program.definition.categories.map((c) => c.code);
    const seen = new Set(summary.years.flatMap((y) => Object.keys(y.byCategory)));
    return [...known.filter((c) => seen.has(c)), ...[...seen].filter((c) => !known.includes(c)).sort()];
  }, [summary, program]);
  const categoryLabel = (c: string): string => categoryLabelOf(t, c);

  const option = useMemo<ChartOption>(() => {
    const years = summary.years.map((y) => formatFiscalYear(y.fiscalYear));
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 8, right: 8, top: 56, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'all' },
      xAxis: { type: 'category', data: years },
      yAxis: [
        { type: 'value', name: t('emissions.axisTonnes'), axisLabel: { formatter: (v: number) => formatNumber(v) } },
        { type: 'value', name: t('emissions.axisReduction'), min: 0, max: 100, axisLabel: { formatter: '{value}%' }, splitLine: { show: false } },
      ],
      series: [
        ...categories.map((c, i) => ({
          type: 'bar' as const,
          name: categoryLabelOf(t, c),
          stack: 'emissions',
          data: summary.years.map((y) => tonnes(y.byCategory[c])),
          ...(i === 0
            ? { markLine: { symbol: 'none', silent: true, label: { formatter: t('emissions.baseLine', { value: formatNumber(summary.baseT) }), position: 'insideEndTop' as const }, lineStyle: { type: 'dashed' as const, color: '#1c2430' }, data: [{ yAxis: Number(summary.baseT) }] } }
            : {}),
        })),
        { type: 'line' as const, name: t('emissions.reduction'), yAxisIndex: 1, data: summary.years.map((y) => y.reductionPct), symbolSize: 7, tooltip: { valueFormatter: (v) => (typeof v === 'number' ? `${String(v)}%` : '—') } },
      ],
    };
  }, [summary, categories, t]);

  if (summary.years.length === 0) return <p className="empty">{t('emissions.noYears')}</p>;
  const latest = summary.years[summary.years.length - 1]!;
  return (
    <section aria-labelledby="by-year">
      <h2 id="by-year">{t('emissions.byYear')}</h2>
      <p className="headline">
        {latest.reductionPct === null
          ? t('emissions.headlineNoBase', { year: formatFiscalYear(latest.fiscalYear), value: formatNumber(latest.emissionsT) })
          : t('emissions.headline', { year: formatFiscalYear(latest.fiscalYear), value: formatNumber(latest.emissionsT), percent: formatPercentFigure(latest.reductionPct) })}
      </p>
      <EChart option={option} label={t('emissions.byYearChart')} />
      <div className="table-scroll">
        <table>
          <caption>{t('emissions.byYearTable', { base: formatNumber(summary.baseT) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('emissions.fiscalYear')}</th>
              <th scope="col" className="num">{t('emissions.facilities')}</th>
              {categories.map((c) => <th scope="col" className="num" key={c}>{categoryLabel(c)}</th>)}
              <th scope="col" className="num">{t('emissions.total')}</th>
              <th scope="col" className="num">{t('emissions.reduction')}</th>
            </tr>
          </thead>
          <tbody>
            {summary.years.map((y) => (
              <tr key={y.fiscalYear}>
                <th scope="row">{formatFiscalYear(y.fiscalYear)}</th>
                <td className="num">{formatNumber(y.reportingFacilities)}</td>
                {categories.map((c) => <td className="num" key={c}>{y.byCategory[c] === undefined ? '—' : formatNumber(y.byCategory[c])}</td>)}
                <td className="num">{formatNumber(y.emissionsT)}</td>
                <td className="num">{y.reductionPct === null ? '—' : formatPercentFigure(y.reductionPct)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The axis end above `x`: 1, 2 or 5 times a power of ten, so that the diagonal ends on a round figure. */
function niceCeiling(x: number): number {
  if (x <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  const step = [1, 2, 5, 10].find((m) => m * power >= x) ?? 10;
  return step * power;
}

/** How many facilities above their cap the list under the chart names. */
const ABOVE_CAP_LISTED = 20;

function AgainstCap({ code }: { code: string | undefined }): ReactNode {
  const { t } = useTranslation('public');
  const table = useDisclosure(code, undefined);
  const withCap = useMemo(() => table.rows.filter((r) => r.capT !== null && r.emissionsT !== null), [table.rows]);
  const option = useMemo<ChartOption>(() => {
    const point = (r: DisclosedFacility): { value: [number, number]; name: string } => ({ value: [Number(r.capT), Number(r.emissionsT)], name: `${r.code} ${r.name}` });
    const within = withCap.filter((r) => BigInt(r.emissionsT!) <= BigInt(r.capT!)).map(point);
    const above = withCap.filter((r) => BigInt(r.emissionsT!) > BigInt(r.capT!)).map(point);
    const max = niceCeiling(withCap.reduce((m, r) => Math.max(m, Number(r.capT), Number(r.emissionsT)), 0));
    const tonnesText = (v: number): string => formatNumber(v);
    return {
      tooltip: {
        trigger: 'item',
        formatter: (p) => {
          const item = Array.isArray(p) ? p[0] : p;
          const v = item?.value as [number, number] | undefined;
          return v === undefined ? '' : `${item?.name ?? ''}<br/>${t('emissions.capT')}: ${tonnesText(v[0])}<br/>${t('emissions.emissionsT')}: ${tonnesText(v[1])}`;
        },
      },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 40, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'all' },
      xAxis: { type: 'value', name: t('emissions.capT'), nameLocation: 'middle', nameGap: 30, max, axisLabel: { formatter: tonnesText } },
      yAxis: { type: 'value', name: t('emissions.emissionsT'), max, axisLabel: { formatter: tonnesText } },
      series: [
        { type: 'scatter', name: t('emissions.withinCap'), data: within, symbolSize: 8, color: '#009E73' },
        { type: 'scatter', name: t('emissions.aboveCap'), data: above, symbolSize: 8, color: '#D55E00' },
        { type: 'line', name: t('emissions.capLine'), data: [[0, 0], [max, max]], showSymbol: false, silent: true, lineStyle: { type: 'dashed', color: '#5b6675' }, color: '#5b6675', tooltip: { show: false } },
      ],
    };
  }, [withCap, t]);

  const above = useMemo(
    () => withCap.filter((r) => BigInt(r.emissionsT!) > BigInt(r.capT!)).sort((a, b) => Number(BigInt(b.emissionsT!) - BigInt(b.capT!) - (BigInt(a.emissionsT!) - BigInt(a.capT!)))),
    [withCap],
  );

  return (
    <section aria-labelledby="against-cap">
      <h2 id="against-cap">{t('emissions.againstCap')}</h2>
      <ErrorBanner error={table.error} />
      {!table.done ? <Loading /> : table.period === null || withCap.length === 0 ? <p className="empty">{t('emissions.noCaps')}</p> : (
        <>
          <p>{t('emissions.againstCapIntro', { period: periodName(t, table.period!), count: withCap.length, facilities: formatNumber(withCap.length), above: formatNumber(above.length) })}</p>
          <EChart option={option} label={t('emissions.againstCapChart', { period: periodName(t, table.period!) })} heightPx={420} />
          {above.length > 0 && (
            <div className="table-scroll">
              <table>
                <caption>{t('emissions.aboveCapTable', { count: Math.min(above.length, ABOVE_CAP_LISTED) })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('table.code')}</th>
                    <th scope="col">{t('table.name')}</th>
                    <th scope="col" className="num">{t('emissions.emissionsT')}</th>
                    <th scope="col" className="num">{t('emissions.capT')}</th>
                    <th scope="col" className="num">{t('table.shortfallT')}</th>
                  </tr>
                </thead>
                <tbody>
                  {above.slice(0, ABOVE_CAP_LISTED).map((r) => (
                    <tr key={r.code}>
                      <td><a href={`#/facilities/${encodeURIComponent(r.code)}`}>{r.code}</a></td>
                      <td>{r.name}</td>
                      <td className="num">{formatNumber(r.emissionsT!)}</td>
                      <td className="num">{formatNumber(r.capT!)}</td>
                      <td className="num">{r.shortfallT === null ? '—' : formatNumber(r.shortfallT)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
