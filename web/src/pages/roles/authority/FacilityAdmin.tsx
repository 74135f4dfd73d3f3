// The authority's decisions on one facility: designation for a fiscal year (computed from its accepted reports, or a
// stated status with the reason, e.g. an exemption) and the verification agency assigned from a fiscal year on.
import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../../../api';
import { Field } from '../../../components/ui';
import { formatFiscalYear } from '../../../i18n';
import { label, fieldError } from '../shared/format';
import { useApi } from '../shared/hooks';
import { Done, Refusal } from '../shared/parts';
import type { Agency, FacilityDetail } from '../shared/types';

const STATUSES = ['registered', 'designated', 'specified', 'exempted', 'withdrawn'] as const;
const YEAR = /^\d{4}$/;

/** This fiscal year (April start) at the reader's clock: the default year of a decision. */
function thisFiscalYear(): number {
  const now = new Date();
  return now.getMonth() >= 3 ? now.getFullYear() : now.getFullYear() - 1;
}

export function FacilityAdmin({ base, facility, onChange }: { base: string; facility: FacilityDetail; onChange: () => void }): ReactNode {
  const { t } = useTranslation('roles');
  return (
    <section aria-labelledby="admin-h" className="rp-section rp-admin">
      <h2 id="admin-h">{t('designation.title')}</h2>
      <div className="rp-columns">
        <DesignationForm base={base} facility={facility} onChange={onChange} />
        <VerifierForm base={base} facility={facility} onChange={onChange} />
      </div>
    </section>
  );
}

function DesignationForm({ base, facility, onChange }: { base: string; facility: FacilityDetail; onChange: () => void }): ReactNode {
  const { t } = useTranslation('roles');
  const [year, setYear] = useState(String(thisFiscalYear()));
  const [mode, setMode] = useState<'computed' | 'stated'>('computed');
  const [status, setStatus] = useState<string>('exempted');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const yearError = YEAR.test(year) ? undefined : t('form.year');
  const reasonError = mode === 'stated' && reason.trim() === '' ? t('form.required') : undefined;
  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    if (yearError !== undefined || reasonError !== undefined) return;
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      const body = mode === 'computed' ? { fiscalYear: Number(year) } : { fiscalYear: Number(year), status, reason: reason.trim() };
      const d = await post<{ fiscalYear: number; status: string; reason: string }>(`${base}/facilities/${encodeURIComponent(facility.code)}/designations`, body, { idempotencyKey: true });
      setDone(t('designation.done', { status: label('facilityStatus', d.status), year: formatFiscalYear(d.fiscalYear), reason: d.reason }));
      onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="rp-form" onSubmit={(e) => { void submit(e); }} noValidate data-form="designation">
      <h3>{t('designation.decide')}</h3>
      <Field label={t('designation.year')} error={yearError ?? fieldError(error, 'fiscalYear')}>
        {(p) => <input {...p} name="fiscalYear" inputMode="numeric" value={year} onChange={(e) => { setYear(e.target.value); }} />}
      </Field>
      <fieldset>
        <legend>{t('designation.how')}</legend>
        <label><input type="radio" name="mode" checked={mode === 'computed'} onChange={() => { setMode('computed'); }} /> {t('designation.computed')}</label>
        <label><input type="radio" name="mode" checked={mode === 'stated'} onChange={() => { setMode('stated'); }} /> {t('designation.stated')}</label>
      </fieldset>
      {mode === 'stated' && (
        <>
          <Field label={t('designation.status')} error={fieldError(error, 'status')}>
            {(p) => (
              <select {...p} name="status" value={status} onChange={(e) => { setStatus(e.target.value); }}>
                {STATUSES.map((s) => <option key={s} value={s}>{label('facilityStatus', s)}</option>)}
              </select>
            )}
          </Field>
          <Field label={t('designation.reason')} error={reasonError ?? fieldError(error, 'reason')}>
            {(p) => <textarea {...p} name="reason" rows={3} value={reason} onChange={(e) => { setReason(e.target.value); }} />}
          </Field>
        </>
      )}
      <Refusal error={fieldError(error, 'fiscalYear') ?? fieldError(error, 'status') ?? fieldError(error, 'reason') ? undefined : error} />
      <button type="submit" disabled={busy} aria-busy={busy}>{t('designation.submit')}</button>
      <Done>{done}</Done>
    </form>
  );
}

function VerifierForm({ base, facility, onChange }: { base: string; facility: FacilityDetail; onChange: () => void }): ReactNode {
  const { t } = useTranslation('roles');
  const agencies = useApi<{ items: Agency[] }>(`${base}/workspace/verification-agencies`);
  const [agencyId, setAgencyId] = useState('');
  const [year, setYear] = useState(String(thisFiscalYear()));
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const names = new Map((agencies.data?.items ?? []).map((a) => [a.id, a.name]));
  const eligible = (agencies.data?.items ?? []).filter((a) => facility.category === null || a.categories.includes(facility.category));
  const yearError = YEAR.test(year) ? undefined : t('form.year');
  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    if (agencyId === '' || yearError !== undefined) return;
    setBusy(true);
    setError(undefined);
    setDone(false);
    try {
      await post(`${base}/facilities/${encodeURIComponent(facility.code)}/verifier-assignments`, { agencyId, fromFiscalYear: Number(year) }, { idempotencyKey: true });
      setDone(true);
      onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="rp-form" onSubmit={(e) => { void submit(e); }} noValidate data-form="verifier-assignment">
      <h3>{t('designation.verifier')}</h3>
      {facility.verifiers.length > 0 && (
        <ul className="rp-plain">
          {facility.verifiers.map((v) => <li key={`${v.fromFiscalYear}-${v.agencyId}`}>{t('designation.assigned', { agency: names.get(v.agencyId) ?? v.agencyId, year: formatFiscalYear(v.fromFiscalYear) })}</li>)}
        </ul>
      )}
      <Field label={t('designation.agency')} error={fieldError(error, 'agencyId')} hint={t('designation.agencyHint')}>
        {(p) => (
          <select {...p} name="agencyId" value={agencyId} onChange={(e) => { setAgencyId(e.target.value); }}>
            <option value="">{t('form.choose')}</option>
            {eligible.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
          </select>
        )}
      </Field>
      <Field label={t('designation.fromYear')} error={yearError ?? fieldError(error, 'fromFiscalYear')}>
        {(p) => <input {...p} name="fromFiscalYear" inputMode="numeric" value={year} onChange={(e) => { setYear(e.target.value); }} />}
      </Field>
      <Refusal error={fieldError(error, 'agencyId') ?? fieldError(error, 'fromFiscalYear') ? undefined : error} />
      <button type="submit" disabled={busy || agencyId === ''} aria-busy={busy}>{t('designation.assign')}</button>
      <Done>{done && t('designation.assignedDone')}</Done>
    </form>
  );
}
