// The facility disclosure table: every facility of the register with its compliance results for a period. Search by
// name or code, filter by category, use and compliance status, sort by any column, and download what is shown as CSV.
// The filters live in the address (#/facilities?q=…&category=…), so a filtered view can be shared.
import { useDeferredValue, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable, type Column, type SortState } from '../../components/DataTable';
import { csvDocument, downloadText } from '../../components/download';
import { ErrorBanner, Loading } from '../../components/ui';
import { useApi } from '../../components/useApi';
import { currentLanguage, formatNumber } from '../../i18n';
import { currentQuery } from '../../router';
import { useSession } from '../../session';
import { periodName } from './format';
import { termOf, type DisclosedFacility, type ProgramResponse } from './model';
import { useDisclosure } from './useDisclosure';

type Filters = { q: string; category: string; use: string; compliance: string; period: string; sort: string; dir: string };
const FILTER_KEYS = ['q', 'category', 'use', 'compliance', 'period', 'sort', 'dir'] as const;

function filtersFromAddress(): Filters {
  const q = currentQuery();
  return Object.fromEntries(FILTER_KEYS.map((k) => [k, q.get(k) ?? ''])) as Filters;
}

/** Keeps the filters in the address without a navigation (no hashchange, no new history entry). */
function writeAddress(f: Filters): void {
  const q = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k] !== '') q.set(k, f[k]);
  const query = q.toString();
  history.replaceState(null, '', `#/facilities${query === '' ? '' : `?${query}`}`);
}

const NUMERIC_COLUMNS = new Set(['emissionsT', 'capT', 'shortfallT']);

export default function Facilities(): ReactNode {
  const { t } = useTranslation('public');
  const { jurisdiction } = useSession();
  const code = jurisdiction?.code;
  const program = useApi<ProgramResponse>(code === undefined ? null : `jurisdictions/${code}/program`);
  const [filters, setFilters] = useState<Filters>(filtersFromAddress);
  const set = (patch: Partial<Filters>): void => {
    setFilters((f) => {
      const next = { ...f, ...patch };
      writeAddress(next);
      return next;
    });
  };
  const periodNumber = /^\d+$/.test(filters.period) ? Number(filters.period) : undefined;
  const table = useDisclosure(code, periodNumber);
  const search = useDeferredValue(filters.q.trim().toLowerCase());

  const uses = useMemo(() => [...new Set(table.rows.map((r) => r.useType))].sort(), [table.rows]);
  const statuses = useMemo(() => [...new Set(table.rows.map((r) => r.complianceStatus).filter((s): s is string => s !== null))].sort(), [table.rows]);

  const lang = currentLanguage();
  const shown = useMemo(() => {
    const collator = new Intl.Collator(lang === 'ja' ? 'ja' : 'en', { numeric: true, sensitivity: 'base' });
    const filtered = table.rows.filter(
      (r) =>
        (search === '' || r.name.toLowerCase().includes(search) || r.code.toLowerCase().includes(search)) &&
        (filters.category === '' || r.category === filters.category) &&
        (filters.use === '' || r.useType === filters.use) &&
        (filters.compliance === '' || r.complianceStatus === filters.compliance),
    );
    const key = (filters.sort === '' ? 'code' : filters.sort) as keyof DisclosedFacility;
    const sign = filters.dir === 'desc' ? -1 : 1;
    const numeric = NUMERIC_COLUMNS.has(key);
    return filtered.sort((a, b) => {
      const x = a[key];
      const y = b[key];
      if (x === y) return 0;
      if (x === null) return 1; // no data last, whichever the direction
      if (y === null) return -1;
      return sign * (numeric ? Number(x) - Number(y) : collator.compare(x, y));
    });
  }, [table.rows, search, filters.category, filters.use, filters.compliance, filters.sort, filters.dir, lang]);

  const allocation = table.kind === 'allocation';
  const columns: Column<DisclosedFacility>[] = [
    { key: 'code', label: t('table.code'), width: '7rem', render: (r) => <a href={`#/facilities/${encodeURIComponent(r.code)}`}>{r.code}</a> },
    { key: 'name', label: t('table.name'), width: '16rem' },
    { key: 'category', label: t('table.category'), width: '7.5rem' },
    { key: 'useType', label: t('table.use'), width: '9rem', render: (r) => termOf(t, 'uses', r.useType, r.useType.replace(/_/g, ' ')) },
    { key: 'status', label: t('table.status'), width: '12rem', render: (r) => termOf(t, 'facilityStatuses', r.status) },
    { key: 'emissionsT', label: t('table.emissionsT'), numeric: true, width: '9rem' },
    { key: allocation ? 'allocatedT' : 'capT', label: allocation ? t('table.allocatedT') : t('table.capT'), numeric: true, width: '9rem', sortable: !allocation },
    { key: 'shortfallT', label: t('table.shortfallT'), numeric: true, width: '8rem' },
    { key: 'complianceStatus', label: t('table.compliance'), width: '9rem', render: (r) => <span className={`badge ${r.complianceStatus ?? 'none'}`}>{termOf(t, 'complianceStatuses', r.complianceStatus)}</span> },
  ];
  const text = (r: DisclosedFacility, key: string): string => {
    const v = r[key as keyof DisclosedFacility];
    if (v === null) return '—';
    return NUMERIC_COLUMNS.has(key) || key === 'allocatedT' ? formatNumber(v) : v;
  };
  const sort: SortState = { key: filters.sort === '' ? 'code' : filters.sort, direction: filters.dir === 'desc' ? 'descending' : 'ascending' };
  const onSort = (key: string): void => {
    set(key === sort.key ? { sort: key, dir: sort.direction === 'ascending' ? 'desc' : '' } : { sort: key, dir: NUMERIC_COLUMNS.has(key) ? 'desc' : '' });
  };

  const download = (): void => {
    const header = [t('table.code'), t('table.name'), t('table.category'), t('table.use'), t('table.status'), t('table.emissionsT'), allocation ? t('table.allocatedT') : t('table.capT'), t('table.surrenderedT'), t('table.shortfallT'), t('table.compliance')];
    const rows = shown.map((r) => [r.code, r.name, r.category, termOf(t, 'uses', r.useType, r.useType), termOf(t, 'facilityStatuses', r.status), r.emissionsT, allocation ? r.allocatedT : r.capT, r.surrenderedT, r.shortfallT, r.complianceStatus === null ? null : termOf(t, 'complianceStatuses', r.complianceStatus)]);
    const suffix = table.period === null || table.period === undefined ? '' : `-p${String(table.period)}`;
    downloadText(`${code ?? 'facilities'}-facilities${suffix}.csv`, csvDocument(header, rows), 'text/csv');
  };

  const filtered = filters.q !== '' || filters.category !== '' || filters.use !== '' || filters.compliance !== '';
  const periods = program.data?.definition.periods ?? [];
  return (
    <section className="facilities-page">
      <h1>{t('facilities.title')}</h1>
      <p className="lead">{t('facilities.intro')}</p>
      <form className="filters" role="search" aria-label={t('facilities.filters')} onSubmit={(e) => { e.preventDefault(); }}>
        <div className="field grow">
          <label htmlFor="f-q">{t('facilities.search')}</label>
          <input id="f-q" name="q" type="search" value={filters.q} placeholder={t('facilities.searchPlaceholder')} onChange={(e) => { set({ q: e.target.value }); }} />
        </div>
        <div className="field">
          <label htmlFor="f-category">{t('table.category')}</label>
          <select id="f-category" name="category" value={filters.category} onChange={(e) => { set({ category: e.target.value }); }}>
            <option value="">{t('facilities.all')}</option>
            {(program.data?.definition.categories ?? []).map((c) => <option key={c.code} value={c.code}>{c.code} {termOf(t, 'categories', c.code, c.name)}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-use">{t('table.use')}</label>
          <select id="f-use" name="use" value={filters.use} onChange={(e) => { set({ use: e.target.value }); }}>
            <option value="">{t('facilities.all')}</option>
            {uses.map((u) => <option key={u} value={u}>{termOf(t, 'uses', u, u.replace(/_/g, ' '))}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-compliance">{t('table.compliance')}</label>
          <select id="f-compliance" name="compliance" value={filters.compliance} onChange={(e) => { set({ compliance: e.target.value }); }}>
            <option value="">{t('facilities.all')}</option>
            {statuses.map((s) => <option key={s} value={s}>{termOf(t, 'complianceStatuses', s)}</option>)}
          </select>
        </div>
        {periods.length > 0 && (
          <div className="field">
            <label htmlFor="f-period">{t('facilities.period')}</label>
            <select id="f-period" name="period" value={filters.period === '' ? String(table.period ?? '') : filters.period} onChange={(e) => { set({ period: e.target.value }); }}>
              {table.period === null && <option value="">—</option>}
              {periods.map((p) => <option key={p.number} value={p.number}>{periodName(t, p.number)}</option>)}
            </select>
          </div>
        )}
        <div className="field actions-end">
          {filtered && <button type="button" className="secondary" onClick={() => { set({ q: '', category: '', use: '', compliance: '' }); }}>{t('facilities.clear')}</button>}
          <button type="button" className="secondary" disabled={!table.done || shown.length === 0} onClick={download}>{t('facilities.csv')}</button>
        </div>
      </form>
      <ErrorBanner error={table.error ?? program.error} />
      <p className="count" role="status" aria-live="polite">
        {!table.done ? t('facilities.loading', { count: table.loaded, loaded: formatNumber(table.loaded) }) : t('facilities.count', { count: table.rows.length, shown: formatNumber(shown.length), total: formatNumber(table.rows.length) })}
        {table.done && table.period === null && ` ${t('facilities.noResults')}`}
        {table.done && typeof table.period === 'number' && ` ${t('facilities.periodShown', { period: periodName(t, table.period) })}`}
      </p>
      {!table.done ? <Loading /> : table.rows.length === 0 ? <p className="empty">{t('facilities.empty')}</p> : shown.length === 0 ? <p className="empty">{t('facilities.noMatch')}</p> : (
        <DataTable caption={t('facilities.caption')} columns={columns} rows={shown} rowKey={(r) => r.code} sort={sort} onSort={onSort} text={text} />
      )}
    </section>
  );
}
