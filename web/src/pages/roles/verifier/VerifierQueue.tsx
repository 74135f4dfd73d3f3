// The verifier's work list: the submitted reports of facilities assigned to an agency they verify for. Each opens the
// report page, where they verify it for their agency or return it with comments. Also the authority's review list
// (verified reports to accept) under /authority/reports.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, formatFiscalYear } from '../../../i18n';
import { useHashPath } from '../../../router';
import { kgAsTonnes, litresAsKlText } from '../shared/format';
import { useApi, useJurisdictionPath, usePaged, emptyOf } from '../shared/hooks';
import { AUTHORITY_TABS, Loaded, MoreButton, PageHead, StatusBadge } from '../shared/parts';
import type { Agency, QueuedReport } from '../shared/types';

const STATUSES = ['submitted', 'verified', 'returned'] as const;

export default function VerifierQueue(): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  const path = useHashPath();
  const authority = path.startsWith('/authority');
  const [status, setStatus] = useState<string>(authority ? 'verified' : 'submitted');
  const list = usePaged<QueuedReport>(base === null ? null : `${base}/workspace/report-queue?status=${status}`);
  const agencies = useApi<{ items: Agency[] }>(base === null || authority ? null : `${base}/workspace/verification-agencies`);
  const mine = (agencies.data?.items ?? []).filter((a) => a.mine);
  return (
    <>
      <PageHead title={authority ? t('review.listTitle') : t('verify.listTitle')} lead={authority ? t('review.listLead') : t('verify.listLead')} tabs={authority ? AUTHORITY_TABS : undefined}>
        {!authority && agencies.data !== undefined && (
          <p className="rp-meta">{mine.length === 0 ? <span className="rp-warn">{t('verify.noAgency')}</span> : t('verify.yourAgencies', { names: mine.map((a) => a.name).join(', ') })}</p>
        )}
      </PageHead>
      <div className="field rp-inline-field">
        <label htmlFor="queue-status">{t('verify.showStatus')}</label>
        <select id="queue-status" value={status} onChange={(e) => { setStatus(e.target.value); }}>
          {STATUSES.map((s) => <option key={s} value={s}>{t(`reportStatus.${s}`)}</option>)}
        </select>
      </div>
      <Loaded loading={list.loading} error={list.error} empty={emptyOf(list)} emptyText={t('verify.none')}>
        <div className="rp-table-wrap">
          <table data-table="report-queue">
            <caption className="visually-hidden">{authority ? t('review.listTitle') : t('verify.listTitle')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('facility.facility')}</th>
                <th scope="col">{t('report.fiscalYear')}</th>
                <th scope="col">{t('report.status')}</th>
                <th scope="col" className="num">{t('report.coe')}</th>
                <th scope="col" className="num">{t('report.co2')}</th>
                <th scope="col">{t('verify.agency')}</th>
                <th scope="col">{t('verify.submitted')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((r) => (
                <tr key={r.id}>
                  <th scope="row"><a href={`#/reports/${encodeURIComponent(r.id)}`}>{r.facilityName}</a> <span className="rp-muted">{r.facilityCode}</span></th>
                  <td className="rp-nowrap">{formatFiscalYear(r.fiscalYear)} <span className="rp-muted">{t('report.versionN', { n: r.version })}</span></td>
                  <td><StatusBadge group="reportStatus" status={r.status} /></td>
                  <td className="num">{litresAsKlText(r.coeL)}</td>
                  <td className="num">{kgAsTonnes(r.emissionsKg)}</td>
                  <td>{r.assignedAgencyName ?? <span className="rp-warn">{t('verify.unassigned')}</span>}</td>
                  <td className="rp-nowrap">{r.submittedAt === null ? '—' : formatDate(r.submittedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <MoreButton more={list.more} loading={list.loading} onMore={list.loadMore} />
      </Loaded>
    </>
  );
}
