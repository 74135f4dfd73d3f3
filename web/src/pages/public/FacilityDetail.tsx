// One facility's disclosure: its register entry, base-year emissions, verified emissions by fiscal year against the
// average annual cap of each period, and its compliance results per period.
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api';
import { EChart, type ChartOption } from '../../components/EChart';
import { ErrorBanner, Loading } from '../../components/ui';
import { useApi } from '../../components/useApi';
import { formatFiscalYear, formatFiscalYearRange, formatNumber } from '../../i18n';
import type { Params } from '../../router';
import { useSession } from '../../session';
import { periodName } from './format';
import { termOf, tonnes, type FacilityDisclosure } from './model';

export default function FacilityDetail({ params }: { params: Params }): ReactNode {
  const { t } = useTranslation('public');
  const { jurisdiction } = useSession();
  const facilityCode = params.code ?? '';
  const { data, error, loading } = useApi<FacilityDisclosure>(jurisdiction === undefined ? null : `jurisdictions/${jurisdiction.code}/disclosure/facilities/${encodeURIComponent(facilityCode)}`);
  const back = <p><a href="#/facilities">{t('facility.back')}</a></p>;
  if (error instanceof ApiError && error.status === 404) return <>{back}<h1>{facilityCode}</h1><p className="empty">{t('facility.notFound')}</p></>;
  if (error !== null) return <>{back}<ErrorBanner error={error} /></>;
  if (loading || data === undefined) return <Loading />;
  const f = data.facility;
  return (
    <article className="facility-page">
      {back}
      <h1><span className="code">{f.code}</span> {f.name}</h1>
      <dl className="facts columns">
        <dt>{t('facility.owner')}</dt><dd>{f.owner}</dd>
        <dt>{t('table.category')}</dt><dd>{f.category === null ? '—' : `${f.category} ${termOf(t, 'categories', f.category)}`}</dd>
        <dt>{t('table.use')}</dt><dd>{termOf(t, 'uses', f.useType, f.useType.replace(/_/g, ' '))}</dd>
        <dt>{t('table.status')}</dt><dd>{termOf(t, 'facilityStatuses', f.status)}</dd>
        <dt>{t('facility.floorArea')}</dt><dd>{f.floorAreaM2 === null ? '—' : `${formatNumber(f.floorAreaM2)} m²`}</dd>
        <dt>{t('facility.baseYear')}</dt>
        <dd>{data.baseYear === null ? t('facility.noBase') : t('facility.baseText', { range: formatFiscalYearRange(data.baseYear.firstFiscalYear, data.baseYear.lastFiscalYear), value: formatNumber(data.baseYear.baseT) })}</dd>
      </dl>
      <YearsChart data={data} />
      <Periods data={data} />
    </article>
  );
}

function YearsChart({ data }: { data: FacilityDisclosure }): ReactNode {
  const { t } = useTranslation('public');
  const inPeriods = useMemo(() => {
    const first = data.periods[0]?.firstFiscalYear;
    return first === undefined ? data.years : data.years.filter((y) => y.fiscalYear >= first);
  }, [data]);
  const option = useMemo<ChartOption>(() => {
    const years = inPeriods.map((y) => y.fiscalYear);
    // The cap is for a whole period: the chart shows its yearly average beside each year of the period.
    const periodOf = (fy: number): FacilityDisclosure['periods'][number] | undefined => data.periods.find((x) => fy >= x.firstFiscalYear && fy <= x.lastFiscalYear);
    const perYear = (v: string | null, p: FacilityDisclosure['periods'][number]): number | null => (v === null ? null : Math.floor(Number(v) / (p.lastFiscalYear - p.firstFiscalYear + 1)));
    const annualCap = years.map((fy) => {
      const p = periodOf(fy);
      return p === undefined ? null : perYear(p.capT, p);
    });
    // The base the period's cap starts from, restated with the period's emission factors: cap + obligation = base × years.
    const annualBase = years.map((fy) => {
      const p = periodOf(fy);
      return p?.capT === null || p?.obligationT === null || p === undefined ? null : perYear(String(BigInt(p.capT) + BigInt(p.obligationT)), p);
    });
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? formatNumber(v) : '—') },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 48, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'all' },
      xAxis: { type: 'category', data: years.map(formatFiscalYear) },
      yAxis: { type: 'value', name: t('emissions.axisTonnes'), axisLabel: { formatter: (v: number) => formatNumber(v) } },
      series: [
        { type: 'bar', name: t('facility.emissions'), data: inPeriods.map((y) => tonnes(y.emissionsT)) },
        { type: 'line', name: t('facility.baseLine'), data: annualBase, step: 'middle', showSymbol: false, lineStyle: { type: 'dashed', width: 2 }, color: '#1c2430' },
        { type: 'line', name: t('facility.annualCap'), data: annualCap, step: 'middle', showSymbol: false, lineStyle: { width: 3 }, color: '#D55E00' },
      ],
    };
  }, [inPeriods, data, t]);
  if (inPeriods.length === 0) return <p className="empty">{t('facility.noYears')}</p>;
  return (
    <section aria-labelledby="facility-years">
      <h2 id="facility-years">{t('facility.byYear')}</h2>
      <EChart option={option} label={t('facility.byYearChart', { name: data.facility.name })} heightPx={320} />
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">{t('facility.byYear')}</caption>
          <thead><tr><th scope="col">{t('emissions.fiscalYear')}</th><th scope="col" className="num">{t('emissions.emissionsT')}</th></tr></thead>
          <tbody>
            {inPeriods.map((y) => <tr key={y.fiscalYear}><th scope="row">{formatFiscalYear(y.fiscalYear)}</th><td className="num">{formatNumber(y.emissionsT)}</td></tr>)}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Periods({ data }: { data: FacilityDisclosure }): ReactNode {
  const { t } = useTranslation('public');
  if (data.periods.length === 0) return <p className="empty">{t('facility.noResults')}</p>;
  const allocation = data.periods.some((p) => p.allocatedT !== null);
  const n = (v: string | null): string => (v === null ? '—' : formatNumber(v));
  return (
    <section aria-labelledby="facility-periods">
      <h2 id="facility-periods">{t('facility.compliance')}</h2>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('program.period')}</th>
              <th scope="col" className="num">{t('emissions.emissionsT')}</th>
              <th scope="col" className="num">{allocation ? t('table.allocatedT') : t('table.capT')}</th>
              {!allocation && <th scope="col" className="num">{t('facility.obligationT')}</th>}
              <th scope="col" className="num">{t('table.surrenderedT')}</th>
              <th scope="col" className="num">{t('table.shortfallT')}</th>
              <th scope="col">{t('table.compliance')}</th>
            </tr>
          </thead>
          <tbody>
            {data.periods.map((p) => (
              <tr key={p.period}>
                <th scope="row">{periodName(t, p.period)} <span className="hint">{formatFiscalYearRange(p.firstFiscalYear, p.lastFiscalYear)}</span></th>
                <td className="num">{n(p.emissionsT)}</td>
                <td className="num">{n(allocation ? p.allocatedT : p.capT)}</td>
                {!allocation && <td className="num">{n(p.obligationT)}</td>}
                <td className="num">{n(p.surrenderedT)}</td>
                <td className="num">{n(p.shortfallT)}</td>
                <td><span className={`badge ${p.status}`}>{termOf(t, 'complianceStatuses', p.status)}</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
