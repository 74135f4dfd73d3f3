// The authority's facility register: every facility of the jurisdiction (a virtualised list: thousands scroll
// smoothly), searchable by code or name and filterable by status; each opens the facility page with the designation
// and verifier decisions. Administrators also register new facilities here (which opens their compliance account).
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type SyntheticEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../../../api';
import { Field } from '../../../components/ui';
import { formatFiscalYear, formatNumber } from '../../../i18n';
import { useSession } from '../../../session';
import { label, fieldError } from '../shared/format';
import { useApi, useJurisdictionPath, usePaged, emptyOf } from '../shared/hooks';
import { AUTHORITY_TABS, Done, Loaded, PageHead, Refusal, StatusBadge } from '../shared/parts';
import type { FacilityDetail, FacilitySummary, ProgramResponse } from '../shared/types';

const ROW_PX = 44;
const STATUSES = ['registered', 'designated', 'specified', 'exempted', 'withdrawn'] as const;

export default function Facilities(): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  const { rolesHere } = useSession();
  const list = usePaged<FacilitySummary>(base === null ? null : `${base}/my-facilities`, 200);
  // The whole register is read page by page (200 at a time) so that search and filters work on all of it.
  useEffect(() => { if (list.more && !list.loading && list.error === undefined) list.loadMore(); }, [list]);
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  const shown = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return list.items.filter((f) => (status === '' || f.status === status) && (needle === '' || f.code.toLowerCase().includes(needle) || f.name.toLowerCase().includes(needle)));
  }, [list.items, q, status]);
  return (
    <>
      <PageHead title={t('facilities.title')} lead={t('facilities.lead')} tabs={AUTHORITY_TABS} />
      <div className="rp-filters" role="search">
        <div className="field">
          <label htmlFor="fac-q">{t('facilities.search')}</label>
          <input id="fac-q" type="search" value={q} onChange={(e) => { setQ(e.target.value); }} />
        </div>
        <div className="field">
          <label htmlFor="fac-status">{t('facility.status')}</label>
          <select id="fac-status" value={status} onChange={(e) => { setStatus(e.target.value); }}>
            <option value="">{t('form.all')}</option>
            {STATUSES.map((s) => <option key={s} value={s}>{label('facilityStatus', s)}</option>)}
          </select>
        </div>
        <p className="rp-count-line" role="status">{t('facilities.count', { shown: formatNumber(shown.length), total: formatNumber(list.items.length) })}{list.more ? ` ${t('list.loading')}` : ''}</p>
      </div>
      <Loaded loading={list.loading} error={list.error} empty={emptyOf(list)} emptyText={t('facilities.none')}>
        <VirtualTable rows={shown} />
      </Loaded>
      {rolesHere.has('authority_admin') && base !== null && <RegisterForm base={base} onDone={list.reload} />}
    </>
  );
}

function VirtualTable({ rows }: { rows: readonly FacilitySummary[] }): ReactNode {
  const { t } = useTranslation('roles');
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 12 });
  const items = virtual.getVirtualItems();
  return (
    <div className="rp-vtable" role="table" aria-label={t('facilities.title')} aria-rowcount={rows.length + 1}>
      <div className="rp-vrow rp-vhead" role="row" aria-rowindex={1}>
        <span role="columnheader">{t('facility.code')}</span>
        <span role="columnheader">{t('facility.name')}</span>
        <span role="columnheader">{t('facility.category')}</span>
        <span role="columnheader">{t('facility.use')}</span>
        <span role="columnheader">{t('facility.status')}</span>
      </div>
      <div ref={scroller} className="rp-vbody" tabIndex={0} aria-label={t('facilities.scroll')}>
        <div className="rp-vspace" style={{ height: virtual.getTotalSize() }}>
          {items.map((item) => {
            const f = rows[item.index]!;
            return (
              <div key={f.id} className="rp-vrow" role="row" aria-rowindex={item.index + 2} style={{ transform: `translateY(${String(item.start)}px)` }}>
                <span role="cell"><a href={`#/authority/facilities/${encodeURIComponent(f.code)}`}>{f.code}</a></span>
                <span role="cell">{f.name}</span>
                <span role="cell">{f.category ?? '—'}</span>
                <span role="cell">{label('useType', f.useType)}</span>
                <span role="cell"><StatusBadge group="facilityStatus" status={f.status} /></span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function RegisterForm({ base, onDone }: { base: string; onDone: () => void }): ReactNode {
  const { t } = useTranslation('roles');
  const program = useApi<ProgramResponse>(`${base}/program`);
  const categories = program.data?.definition.categories ?? [];
  const [v, setV] = useState({ code: '', name: '', owner: '', category: '', useType: 'office', floorAreaM2: '', declaredFrom: '', declaredKl: '' });
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<FacilityDetail | null>(null);
  const problems: Record<string, string | undefined> = {
    code: CODE.test(v.code) ? undefined : t('facilities.codeRule'),
    name: v.name.trim() === '' ? t('form.required') : undefined,
    owner: v.owner.trim() === '' ? t('form.required') : undefined,
    category: program.data?.definition.kind === 'obligation' && v.category === '' ? t('form.required') : undefined,
    useType: v.useType.trim() === '' ? t('form.required') : undefined,
    floorAreaM2: v.floorAreaM2 === '' || /^\d{1,30}$/.test(v.floorAreaM2) ? undefined : t('form.whole'),
    declaredKl: v.declaredKl === '' || /^\d{1,30}(\.\d{1,18})?$/.test(v.declaredKl) ? undefined : t('lines.notDecimal'),
    declaredFrom: v.declaredKl !== '' && !/^\d{4}$/.test(v.declaredFrom) ? t('form.year') : undefined,
  };
  const set = (k: keyof typeof v, value: string): void => { setV((x) => ({ ...x, [k]: value })); setTouched((x) => ({ ...x, [k]: true })); };
  const shown = (k: string): string | undefined => (touched[k] === true ? problems[k] : undefined) ?? fieldError(error, k);
  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    setTouched(Object.fromEntries(Object.keys(problems).map((k) => [k, true])));
    if (Object.values(problems).some((p) => p !== undefined)) return;
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      const from = Number(v.declaredFrom);
      const body = {
        code: v.code,
        name: v.name.trim(),
        owner: v.owner.trim(),
        useType: v.useType.trim(),
        ...(v.category === '' ? {} : { category: v.category }),
        ...(v.floorAreaM2 === '' ? {} : { floorAreaM2: v.floorAreaM2 }),
        // Declared use for three consecutive years (the same each year here): the first designation follows from it.
        ...(v.declaredKl === '' ? {} : { declaredEnergy: [0, 1, 2].map((i) => ({ fiscalYear: from + i, coeKl: v.declaredKl })) }),
      };
      const f = await post<FacilityDetail>(`${base}/facilities`, body, { idempotencyKey: true });
      setDone(f);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const named = Object.keys(problems).some((k) => fieldError(error, k) !== undefined);
  return (
    <details className="rp-section rp-register">
      <summary><h2>{t('facilities.register')}</h2></summary>
      <form className="rp-form rp-grid-form" onSubmit={(e) => { void submit(e); }} noValidate data-form="register-facility">
        <Field label={t('facility.code')} error={shown('code')} hint={t('facilities.codeHint')}>{(p) => <input {...p} name="code" value={v.code} onChange={(e) => { set('code', e.target.value); }} />}</Field>
        <Field label={t('facility.name')} error={shown('name')}>{(p) => <input {...p} name="name" value={v.name} onChange={(e) => { set('name', e.target.value); }} />}</Field>
        <Field label={t('facility.owner')} error={shown('owner')}>{(p) => <input {...p} name="owner" value={v.owner} onChange={(e) => { set('owner', e.target.value); }} />}</Field>
        <Field label={t('facility.category')} error={shown('category')}>
          {(p) => (
            <select {...p} name="category" value={v.category} onChange={(e) => { set('category', e.target.value); }}>
              <option value="">{t('form.choose')}</option>
              {categories.map((c) => <option key={c.code} value={c.code}>{c.code} — {label('category', c.code) === c.code ? c.name : label('category', c.code)}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('facility.use')} error={shown('useType')}>{(p) => <input {...p} name="useType" value={v.useType} list="use-types" onChange={(e) => { set('useType', e.target.value); }} />}</Field>
        <datalist id="use-types">{['office', 'commercial', 'hotel', 'hospital', 'education', 'factory', 'data_centre', 'district_heating', 'water_sewage'].map((u) => <option key={u} value={u}>{label('useType', u)}</option>)}</datalist>
        <Field label={t('facility.floorArea')} error={shown('floorAreaM2')}>{(p) => <input {...p} name="floorAreaM2" inputMode="numeric" value={v.floorAreaM2} onChange={(e) => { set('floorAreaM2', e.target.value.trim()); }} />}</Field>
        <Field label={t('facilities.declaredFrom')} error={shown('declaredFrom')} hint={t('facilities.declaredHint')}>{(p) => <input {...p} name="declaredFrom" inputMode="numeric" value={v.declaredFrom} onChange={(e) => { set('declaredFrom', e.target.value.trim()); }} />}</Field>
        <Field label={t('facilities.declaredKl')} error={shown('declaredKl')}>{(p) => <input {...p} name="declaredKl" inputMode="decimal" value={v.declaredKl} onChange={(e) => { set('declaredKl', e.target.value.trim()); }} />}</Field>
        {!named && <Refusal error={error} />}
        <p className="rp-actions"><button type="submit" disabled={busy} aria-busy={busy}>{t('facilities.registerButton')}</button></p>
        <Done>{done !== null && t('facilities.registered', { code: done.code, status: label('facilityStatus', done.status), account: done.accountNumber ?? '—', year: done.statusHistory[0] === undefined ? '' : formatFiscalYear(done.statusHistory[0].fiscalYear) })}</Done>
      </form>
    </details>
  );
}
