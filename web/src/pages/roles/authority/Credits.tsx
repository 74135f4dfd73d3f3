// Credit issuance (超過削減量の発行): the operators' applications for excess emission reductions, with the computation
// each rests on; the authority approves (the credits are issued into the facility's account) or rejects with a reason.
// Four eyes: whoever applied cannot decide (the button is disabled and says why; the server refuses it, FOUR_EYES).
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { get, post } from '../../../api';
import { formatDateTime, formatFiscalYear, formatNumber, formatPercent } from '../../../i18n';
import { label, periodName, tonnes } from '../shared/format';
import { useJurisdictionPath, usePaged, emptyOf } from '../shared/hooks';
import { AUTHORITY_TABS, Done, Loaded, MoreButton, PageHead, Refusal, StatusBadge } from '../shared/parts';
import type { CreditApplicationRow } from '../shared/types';

const STATUSES = ['applied', 'issued', 'rejected'] as const;

export default function Credits(): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  const [status, setStatus] = useState<string>('applied');
  const list = usePaged<CreditApplicationRow>(base === null ? null : `${base}/workspace/credit-applications?status=${status}`);
  return (
    <>
      <PageHead title={t('credits.title')} lead={t('credits.lead')} tabs={AUTHORITY_TABS} />
      <div className="field rp-inline-field">
        <label htmlFor="credit-status">{t('credits.show')}</label>
        <select id="credit-status" value={status} onChange={(e) => { setStatus(e.target.value); }}>
          {STATUSES.map((s) => <option key={s} value={s}>{label('creditStatus', s)}</option>)}
        </select>
      </div>
      <Loaded loading={list.loading} error={list.error} empty={emptyOf(list)} emptyText={t('credits.none')}>
        <ul className="rp-queue">
          {list.items.map((a) => base !== null && <Application key={a.id} base={base} app={a} onChange={list.reload} />)}
        </ul>
        <MoreButton more={list.more} loading={list.loading} onMore={list.loadMore} />
      </Loaded>
    </>
  );
}

interface ExcessEvidence {
  readonly rule: string;
  readonly base_t: string;
  readonly factor: string;
  readonly counted_reduction_limit_t: string | null;
  readonly years: readonly { fiscal_year: number; emissions_t: string; reduction_t: string; counted_reduction_t: string; pro_rated_obligation_t: string; position_t: string; creditable_t: string }[];
  readonly creditable_t: string;
  readonly earlier_applications_t: string;
  readonly quantity_t: string;
}

function isExcessEvidence(e: unknown): e is ExcessEvidence {
  return typeof e === 'object' && e !== null && 'years' in e && Array.isArray((e).years) && 'base_t' in e;
}

/** The computation an excess-reduction application rests on, year by year (other evidence as it came). */
function Evidence({ evidence }: { evidence: unknown }): ReactNode {
  const { t } = useTranslation('roles');
  if (!isExcessEvidence(evidence)) return <pre className="rp-json">{JSON.stringify(evidence, null, 2)}</pre>;
  const e = evidence;
  return (
    <>
      <p>{t('credits.evidenceBase', { base: tonnes(e.base_t), factor: formatPercent(Number(e.factor), 1), limit: e.counted_reduction_limit_t === null ? '—' : tonnes(e.counted_reduction_limit_t) })}</p>
      <div className="rp-table-wrap">
        <table data-table="evidence">
          <thead>
            <tr>
              <th scope="col">{t('report.fiscalYear')}</th>
              <th scope="col" className="num">{t('compliance.emissions')}</th>
              <th scope="col" className="num">{t('credits.reduction')}</th>
              <th scope="col" className="num">{t('credits.counted')}</th>
              <th scope="col" className="num">{t('credits.proRated')}</th>
              <th scope="col" className="num">{t('credits.creditable')}</th>
            </tr>
          </thead>
          <tbody>
            {e.years.map((y) => (
              <tr key={y.fiscal_year}>
                <th scope="row">{formatFiscalYear(y.fiscal_year)}</th>
                <td className="num">{tonnes(y.emissions_t)}</td>
                <td className="num">{tonnes(y.reduction_t)}</td>
                <td className="num">{tonnes(y.counted_reduction_t)}</td>
                <td className="num">{t('unit.tonnes', { value: formatNumber(y.pro_rated_obligation_t, 2) })}</td>
                <td className="num">{tonnes(y.creditable_t)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>{t('credits.evidenceTotal', { creditable: tonnes(e.creditable_t), earlier: tonnes(e.earlier_applications_t), quantity: tonnes(e.quantity_t) })}</p>
    </>
  );
}

function Application({ base, app, onChange }: { base: string; app: CreditApplicationRow; onChange: () => void }): ReactNode {
  const { t } = useTranslation('roles');
  const [evidence, setEvidence] = useState<unknown>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const whyId = `why-${app.id}`;
  const showEvidence = async (): Promise<void> => {
    try {
      const full = await get<{ evidence: unknown }>(`${base}/credit-applications/${encodeURIComponent(app.id)}`);
      setEvidence(full.evidence);
    } catch (err) {
      setError(err);
    }
  };
  const decide = async (step: 'approve' | 'reject'): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await post<{ status: string; quantityT: string }>(`${base}/credit-applications/${encodeURIComponent(app.id)}/${step}`, step === 'reject' ? { reason: reason.trim() } : undefined);
      setDone(step === 'approve' ? t('credits.issued', { t: tonnes(r.quantityT) }) : t('credits.rejected'));
      setTimeout(onChange, 1500);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="rp-queue-item" data-application={app.id}>
      <div className="rp-queue-head">
        <h2>{app.facilityName} <span className="rp-muted">{app.facilityCode}</span></h2>
        <StatusBadge group="creditStatus" status={app.status} />
      </div>
      <dl className="rp-dl">
        <dt>{t('credits.period')}</dt><dd>{periodName(app.period)}</dd>
        <dt>{t('credits.type')}</dt><dd>{label('creditType', app.creditType)}</dd>
        <dt>{t('credits.quantity')}</dt><dd>{tonnes(app.quantityT)}</dd>
        <dt>{t('credits.appliedBy')}</dt><dd>{app.appliedByName}{app.ownApplication && <> ({t('approvals.you')})</>}</dd>
        <dt>{t('credits.appliedAt')}</dt><dd>{formatDateTime(app.appliedAt)}</dd>
        {app.reason !== null && <><dt>{t('credits.reason')}</dt><dd>{app.reason}</dd></>}
      </dl>
      {evidence === undefined ? (
        <p><button type="button" className="secondary" onClick={() => { void showEvidence(); }}>{t('credits.showEvidence')}</button></p>
      ) : (
        <details open>
          <summary>{t('credits.evidence')}</summary>
          <Evidence evidence={evidence} />
        </details>
      )}
      {app.status === 'applied' && (
        <>
          <div className="rp-actions">
            <button type="button" data-action="approve" disabled={busy || app.ownApplication} aria-describedby={app.ownApplication ? whyId : undefined} onClick={() => { void decide('approve'); }}>{t('credits.approve')}</button>
          </div>
          {app.ownApplication && <p id={whyId} className="rp-why" data-rule="FOUR_EYES">{t('credits.ownApplication')} <code>FOUR_EYES</code></p>}
          <form className="rp-form rp-inline-form" onSubmit={(e) => { e.preventDefault(); if (reason.trim() !== '') void decide('reject'); }} noValidate>
            <div className="field">
              <label htmlFor={`reject-${app.id}`}>{t('credits.rejectReason')}</label>
              <input id={`reject-${app.id}`} name="reason" value={reason} onChange={(e) => { setReason(e.target.value); }} />
            </div>
            <button type="submit" className="secondary" disabled={busy || reason.trim() === '' || app.ownApplication}>{t('credits.reject')}</button>
          </form>
        </>
      )}
      <Refusal error={error} />
      <Done>{done}</Done>
    </li>
  );
}
