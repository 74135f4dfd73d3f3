// A facility's compliance status per period: the last compliance run's cap, emissions, credits surrendered and
// shortfall, with two charts (the periods side by side; the chosen period's emissions year by year against the
// annual share of the cap) and the same figures as a table.
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, formatFiscalYear, formatNumber } from '../../../i18n';
import { Chart } from '../shared/Chart';
import { kgToWholeT, label, periodName, tonnes, yearRange } from '../shared/format';
import { useApi } from '../shared/hooks';
import { Loaded, StatusBadge } from '../shared/parts';
import type { FacilityCompliance, PeriodCompliance } from '../shared/types';

const num = (v: string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

export function ComplianceSection({ base, facility }: { base: string; facility: string }): ReactNode {
  const { t } = useTranslation('roles');
  const loaded = useApi<FacilityCompliance>(`${base}/workspace/facilities/${encodeURIComponent(facility)}/compliance`);
  const periods = loaded.data?.periods ?? [];
  const withResult = periods.filter((p) => p.result !== null);
  const [chosen, setChosen] = useState<number | null>(null);
  const current = periods.find((p) => p.period === chosen) ?? withResult[withResult.length - 1] ?? periods[periods.length - 1];
  return (
    <section aria-labelledby="compliance-h" className="rp-section">
      <h2 id="compliance-h">{t('compliance.facilityTitle')}</h2>
      <Loaded loading={loaded.loading} error={loaded.error} empty={loaded.data === undefined ? undefined : periods.length === 0}>
        {loaded.data !== undefined && (
          <>
            <p className="rp-lead">{loaded.data.baseT === null ? t('compliance.noBase') : t('compliance.base', { t: tonnes(loaded.data.baseT) })}</p>
            <PeriodsChart periods={periods} />
            <div className="rp-table-wrap">
              <table>
                <caption>{t('compliance.byPeriod')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('compliance.period')}</th>
                    <th scope="col" className="num">{t('compliance.cap')}</th>
                    <th scope="col" className="num">{t('compliance.emissions')}</th>
                    <th scope="col" className="num">{t('compliance.surrendered')}</th>
                    <th scope="col" className="num">{t('compliance.shortfall')}</th>
                    <th scope="col">{t('compliance.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {periods.map((p) => (
                    <tr key={p.period}>
                      <th scope="row">{periodName(p.period)} <span className="rp-muted">({yearRange(p.firstFiscalYear, p.lastFiscalYear)})</span></th>
                      <td className="num">{tonnes(p.result?.capT ?? p.result?.allocatedT)}</td>
                      <td className="num">{tonnes(p.result?.emissionsT)}</td>
                      <td className="num">{tonnes(p.result?.surrenderedT)}</td>
                      <td className="num">{tonnes(p.result?.shortfallT)}</td>
                      <td>{p.result === null ? <span className="rp-muted">{t('compliance.notRun')}</span> : <StatusBadge group="complianceStatus" status={p.result.status} />}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {current !== undefined && (
              <>
                <div className="field rp-inline-field">
                  <label htmlFor="compliance-period">{t('compliance.choosePeriod')}</label>
                  <select id="compliance-period" value={current.period} onChange={(e) => { setChosen(Number(e.target.value)); }}>
                    {periods.map((p) => <option key={p.period} value={p.period}>{periodName(p.period)}</option>)}
                  </select>
                </div>
                <PeriodDetail period={current} />
              </>
            )}
          </>
        )}
      </Loaded>
    </section>
  );
}

function PeriodsChart({ periods }: { periods: readonly PeriodCompliance[] }): ReactNode {
  const { t } = useTranslation('roles');
  const option = useMemo(() => ({
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 70, right: 16, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: periods.map((p) => periodName(p.period)) },
    yAxis: { type: 'value', name: t('unit.tCo2'), axisLabel: { formatter: (v: number) => formatNumber(v) } },
    series: [
      { name: t('compliance.cap'), type: 'bar', data: periods.map((p) => num(p.result?.capT ?? p.result?.allocatedT)), itemStyle: { color: '#8fb8a8' } },
      { name: t('compliance.emissions'), type: 'bar', data: periods.map((p) => num(p.result?.emissionsT)), itemStyle: { color: '#0b6e4f' } },
      { name: t('compliance.surrendered'), type: 'bar', data: periods.map((p) => num(p.result?.surrenderedT)), itemStyle: { color: '#c98a12' } },
    ],
  }), [periods, t]);
  return <Chart option={option} description={t('compliance.periodsChart')} />;
}

function PeriodDetail({ period }: { period: PeriodCompliance }): ReactNode {
  const { t } = useTranslation('roles');
  const r = period.result;
  const years = period.lastFiscalYear - period.firstFiscalYear + 1;
  const annualCap = r?.capT === null || r?.capT === undefined ? null : Number(r.capT) / years;
  const option = useMemo(() => ({
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 70, right: 16, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: period.years.map((y) => formatFiscalYear(y.fiscalYear)) },
    yAxis: { type: 'value', name: t('unit.tCo2'), axisLabel: { formatter: (v: number) => formatNumber(v) } },
    series: [
      { name: t('compliance.emissions'), type: 'bar', data: period.years.map((y) => (y.emissionsKg === null ? null : kgToWholeT(y.emissionsKg))), itemStyle: { color: '#0b6e4f' } },
      ...(annualCap === null ? [] : [{ name: t('compliance.annualCap'), type: 'line', data: period.years.map(() => Math.floor(annualCap)), symbol: 'none', lineStyle: { type: 'dashed', color: '#b3261e' }, itemStyle: { color: '#b3261e' } }]),
    ],
  }), [period, annualCap, t]);
  return (
    <div className="rp-period">
      <h3>{periodName(period.period)} ({yearRange(period.firstFiscalYear, period.lastFiscalYear)})</h3>
      {r === null ? (
        <p className="empty">{t('compliance.notRunLong', { date: formatDate(period.adjustmentWindowEnd) })}</p>
      ) : (
        <dl className="rp-figures">
          <div><dt>{t('compliance.cap')}</dt><dd>{tonnes(r.capT ?? r.allocatedT)}</dd></div>
          <div><dt>{t('compliance.obligation')}</dt><dd>{tonnes(r.obligationT)}</dd></div>
          <div><dt>{t('compliance.emissions')}</dt><dd>{tonnes(r.emissionsT)}</dd></div>
          <div><dt>{t('compliance.surrendered')}</dt><dd>{tonnes(r.surrenderedT)}{Object.keys(r.surrenderedByKindT).length > 0 && (
            <ul className="rp-kinds">{Object.entries(r.surrenderedByKindT).map(([k, v]) => <li key={k}>{label('unitKind', k)}: {tonnes(v)}</li>)}</ul>
          )}</dd></div>
          <div><dt>{t('compliance.shortfall')}</dt><dd>{tonnes(r.shortfallT)}</dd></div>
          <div><dt>{t('compliance.status')}</dt><dd><StatusBadge group="complianceStatus" status={r.status} /></dd></div>
          <div><dt>{t('compliance.deadline')}</dt><dd>{formatDate(period.adjustmentWindowEnd)}</dd></div>
        </dl>
      )}
      <Chart option={option} description={t('compliance.yearsChart', { period: periodName(period.period) })} />
      <div className="rp-table-wrap">
        <table>
          <caption>{t('compliance.byYear')}</caption>
          <thead><tr><th scope="col">{t('report.fiscalYear')}</th><th scope="col" className="num">{t('compliance.emissions')}</th><th scope="col">{t('report.status')}</th></tr></thead>
          <tbody>
            {period.years.map((y) => (
              <tr key={y.fiscalYear}>
                <th scope="row">{formatFiscalYear(y.fiscalYear)}</th>
                <td className="num">{y.emissionsKg === null ? '—' : tonnes(String(kgToWholeT(y.emissionsKg)))}</td>
                <td>{y.reportStatus === null ? <span className="rp-muted">{t('compliance.noReport')}</span> : <StatusBadge group="reportStatus" status={y.reportStatus} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
