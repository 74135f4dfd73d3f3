// Compliance runs (義務履行の判定): the administrator computes a period's results for every facility — a long
// operation, shown with its progress — and everyone of the authority reads the period's report: each facility's cap,
// emissions, units surrendered, shortfall and status, with a chart of the statuses and a CSV download.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { API, post } from '../../../api';
import { formatNumber } from '../../../i18n';
import { useSession } from '../../../session';
import { Chart } from '../shared/Chart';
import { label, periodName, tonnes, yearRange } from '../shared/format';
import { useApi, useJurisdictionPath } from '../shared/hooks';
import { AUTHORITY_TABS, Done, Loaded, PageHead, Refusal, StatusBadge, Working } from '../shared/parts';
import type { ComplianceReport, ProgramResponse } from '../shared/types';

const ROW_PX = 40;

interface RunSummary {
  readonly period: number;
  readonly rows: number;
  readonly byStatus: Readonly<Record<string, number>>;
}

export default function Compliance(): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  const { rolesHere, jurisdiction } = useSession();
  const program = useApi<ProgramResponse>(base === null ? null : `${base}/program`);
  const periods = program.data?.definition.periods ?? [];
  const [chosen, setChosen] = useState<number | null>(null);
  // The latest period that has ended is the one usually run; any other can be chosen.
  const ended = [...periods].reverse().find((p) => p.lastFiscalYear < new Date().getFullYear());
  const period = chosen ?? ended?.number ?? periods[0]?.number ?? null;
  const current = periods.find((p) => p.number === period);
  const report = useApi<ComplianceReport>(base === null || period === null ? null : `${base}/compliance/${String(period)}/report`);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [summary, setSummary] = useState<RunSummary | null>(null);
  const run = async (): Promise<void> => {
    if (period === null || base === null) return;
    setRunning(true);
    setError(undefined);
    setSummary(null);
    try {
      setSummary(await post<RunSummary>(`${base}/compliance/${String(period)}/run`));
      report.reload();
    } catch (err) {
      setError(err);
    } finally {
      setRunning(false);
    }
  };
  return (
    <>
      <PageHead title={t('complianceRun.title')} lead={t('complianceRun.lead')} tabs={AUTHORITY_TABS} />
      <Loaded loading={program.loading} error={program.error} empty={program.data === undefined ? undefined : false}>
        <div className="rp-filters">
          <div className="field">
            <label htmlFor="run-period">{t('compliance.period')}</label>
            <select id="run-period" value={period ?? ''} onChange={(e) => { setChosen(Number(e.target.value)); setSummary(null); }}>
              {periods.map((p) => <option key={p.number} value={p.number}>{periodName(p.number)} ({yearRange(p.firstFiscalYear, p.lastFiscalYear)})</option>)}
            </select>
          </div>
          {rolesHere.has('authority_admin') && (
            <p className="rp-actions">
              <button type="button" onClick={() => { void run(); }} disabled={running || period === null} aria-busy={running} data-action="run-compliance">{t('complianceRun.run')}</button>
            </p>
          )}
        </div>
        {current !== undefined && <p className="hint">{t('complianceRun.hint', { period: periodName(current.number) })}</p>}
        {running && <Working label={t('complianceRun.running', { period: period === null ? '' : periodName(period) })} />}
        <Refusal error={error} />
        <Done>{summary !== null && t('complianceRun.done', { rows: formatNumber(summary.rows), statuses: Object.entries(summary.byStatus).map(([s, n]) => `${label('complianceStatus', s)} ${formatNumber(n)}`).join(', ') })}</Done>
        <Loaded loading={report.loading} error={report.error} empty={report.data === undefined ? undefined : report.data.rows.length === 0} emptyText={t('complianceRun.noResults')}>
          {report.data !== undefined && jurisdiction !== undefined && period !== null && <ReportView report={report.data} csvHref={`${API}/jurisdictions/${encodeURIComponent(jurisdiction.code)}/compliance/${String(period)}/report?format=csv`} />}
        </Loaded>
      </Loaded>
    </>
  );
}

function ReportView({ report, csvHref }: { report: ComplianceReport; csvHref: string }): ReactNode {
  const { t } = useTranslation('roles');
  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const r of report.rows) m.set(r.status ?? '', (m.get(r.status ?? '') ?? 0) + 1);
    return [...m.entries()].sort((a, b) => b[1] - a[1]);
  }, [report]);
  const option = useMemo(() => ({
    tooltip: { trigger: 'axis' },
    grid: { left: 140, right: 24, top: 10, bottom: 30 },
    xAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatNumber(v) } },
    yAxis: { type: 'category', data: counts.map(([s]) => label('complianceStatus', s)) },
    series: [{ type: 'bar', name: t('complianceRun.facilities'), data: counts.map(([, n]) => n), itemStyle: { color: '#0b6e4f' } }],
  }), [counts, t]);
  const cap = report.kind === 'allocation' ? 'allocated_t' : 'cap_t';
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: report.rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 12 });
  return (
    <section aria-labelledby="results-h" className="rp-section">
      <h2 id="results-h">{t('complianceRun.results', { period: periodName(report.period) })}</h2>
      <p><a className="rp-button secondary" href={csvHref} download>{t('complianceRun.csv')}</a></p>
      <Chart option={option} description={t('complianceRun.chart', { counts: counts.map(([s, n]) => `${label('complianceStatus', s)} ${String(n)}`).join(', ') })} height={Math.max(120, 40 * counts.length + 40)} />
      <div className="rp-vtable rp-vtable-compliance" role="table" aria-label={t('complianceRun.results', { period: periodName(report.period) })} aria-rowcount={report.rows.length + 1}>
        <div className="rp-vrow rp-vhead" role="row" aria-rowindex={1}>
          <span role="columnheader">{t('facility.code')}</span>
          <span role="columnheader" className="num">{report.kind === 'allocation' ? t('compliance.allocated') : t('compliance.cap')}</span>
          <span role="columnheader" className="num">{t('compliance.emissions')}</span>
          <span role="columnheader" className="num">{t('compliance.surrendered')}</span>
          <span role="columnheader" className="num">{t('compliance.shortfall')}</span>
          <span role="columnheader">{t('compliance.status')}</span>
        </div>
        <div ref={scroller} className="rp-vbody" tabIndex={0} aria-label={t('facilities.scroll')}>
          <div className="rp-vspace" style={{ height: virtual.getTotalSize() }}>
            {virtual.getVirtualItems().map((item) => {
              const r = report.rows[item.index]!;
              return (
                <div key={r.facility_id ?? item.index} className="rp-vrow" role="row" aria-rowindex={item.index + 2} style={{ transform: `translateY(${String(item.start)}px)` }}>
                  <span role="cell"><a href={`#/authority/facilities/${encodeURIComponent(r.facility_id ?? '')}`}>{r.facility_id}</a></span>
                  <span role="cell" className="num">{tonnes(r[cap])}</span>
                  <span role="cell" className="num">{tonnes(r.emissions_t)}</span>
                  <span role="cell" className="num">{tonnes(r.surrendered_t)}</span>
                  <span role="cell" className="num">{tonnes(r.shortfall_t)}</span>
                  <span role="cell" title={r.note ?? undefined}><StatusBadge group="complianceStatus" status={r.status ?? ''} /></span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </section>
  );
}
