// One facility for the people who work on it: its status and history, reports with their status, the base-year
// choice, and compliance per period. The operator starts reports and chooses base years here; the authority (under
// /authority/facilities/…) also decides designations and assigns the verification agency. Which actions are offered
// follows the roles held; the server decides every action.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, formatFiscalYear, formatNumber } from '../../../i18n';
import { useHashPath, type Params } from '../../../router';
import { useSession } from '../../../session';
import { FacilityAdmin } from '../authority/FacilityAdmin';
import { label, litresAsKlText, kgAsTonnes } from '../shared/format';
import { useApi, useJurisdictionPath, usePaged, emptyOf } from '../shared/hooks';
import { AUTHORITY_TABS, Loaded, MoreButton, PageHead, StatusBadge } from '../shared/parts';
import type { FacilityDetail, ProgramResponse, ReportSummary } from '../shared/types';
import { BaseYearSection } from './BaseYearSection';
import { ComplianceSection } from './ComplianceSection';

export default function FacilityPage({ params }: { params: Params }): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  const path = useHashPath();
  const { rolesHere } = useSession();
  const code = params.facility ?? '';
  const asAuthority = path.startsWith('/authority/');
  const facility = useApi<FacilityDetail>(base === null ? null : `${base}/facilities/${encodeURIComponent(code)}`);
  const program = useApi<ProgramResponse>(base === null ? null : `${base}/program`);
  const reports = usePaged<ReportSummary>(base === null ? null : `${base}/facilities/${encodeURIComponent(code)}/reports`, 200);
  const operator = rolesHere.has('facility_operator');
  const f = facility.data;
  return (
    <>
      <PageHead title={f?.name ?? code} tabs={asAuthority ? AUTHORITY_TABS : undefined}>
        {f !== undefined && (
          <p className="rp-meta">
            <span>{f.code}</span>
            <StatusBadge group="facilityStatus" status={f.status} />
          </p>
        )}
      </PageHead>
      <Loaded loading={facility.loading} error={facility.error} empty={f === undefined ? undefined : false}>
        {f !== undefined && base !== null && (
          <>
            <section aria-labelledby="facility-h" className="rp-section">
              <h2 id="facility-h" className="visually-hidden">{t('facility.details')}</h2>
              <dl className="rp-dl rp-dl-wide">
                <dt>{t('facility.owner')}</dt><dd>{f.owner}</dd>
                <dt>{t('facility.category')}</dt><dd>{f.category ?? '—'}</dd>
                <dt>{t('facility.use')}</dt><dd>{label('useType', f.useType)}</dd>
                <dt>{t('facility.floorArea')}</dt><dd>{f.floorAreaM2 === null ? '—' : t('unit.m2', { value: formatNumber(f.floorAreaM2) })}</dd>
                <dt>{t('facility.account')}</dt><dd>{f.accountNumber ?? '—'}</dd>
                <dt>{t('facility.reliefs')}</dt><dd>{f.reliefs.length === 0 ? '—' : f.reliefs.map((r) => `${label('relief', r.reliefCode)} (${t('period.short', { n: r.period })})`).join(', ')}</dd>
              </dl>
              <details>
                <summary>{t('facility.history')}</summary>
                <table>
                  <thead><tr><th scope="col">{t('facility.fromYear')}</th><th scope="col">{t('facility.status')}</th><th scope="col">{t('facility.reason')}</th></tr></thead>
                  <tbody>
                    {f.statusHistory.map((h) => (
                      <tr key={h.seq}><td>{formatFiscalYear(h.fiscalYear)}</td><td><StatusBadge group="facilityStatus" status={h.status} /></td><td>{h.reason}</td></tr>
                    ))}
                  </tbody>
                </table>
              </details>
            </section>

            {asAuthority && rolesHere.has('authority_admin') && <FacilityAdmin base={base} facility={f} onChange={facility.reload} />}

            <section aria-labelledby="reports-h" className="rp-section">
              <h2 id="reports-h">{t('report.history')}</h2>
              {operator && !asAuthority && (
                <p><a className="rp-button" href={`#/operator/${encodeURIComponent(f.code)}/reports/new`}>{t('report.new')}</a></p>
              )}
              <Loaded loading={reports.loading} error={reports.error} empty={emptyOf(reports)} emptyText={t('report.none')}>
                <div className="rp-table-wrap">
                  <table>
                    <caption className="visually-hidden">{t('report.history')}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('report.fiscalYear')}</th>
                        <th scope="col">{t('report.version')}</th>
                        <th scope="col">{t('report.status')}</th>
                        <th scope="col" className="num">{t('report.coe')}</th>
                        <th scope="col" className="num">{t('report.co2')}</th>
                        <th scope="col">{t('report.created')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {[...reports.items].reverse().map((r) => (
                        <tr key={r.id}>
                          <th scope="row"><a href={`#/reports/${encodeURIComponent(r.id)}`}>{formatFiscalYear(r.fiscalYear)}</a></th>
                          <td>{t('report.versionN', { n: r.version })}</td>
                          <td><StatusBadge group="reportStatus" status={r.status} /></td>
                          <td className="num">{litresAsKlText(r.coeL)}</td>
                          <td className="num">{kgAsTonnes(r.emissionsKg)}</td>
                          <td>{formatDate(r.createdAt)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <MoreButton more={reports.more} loading={reports.loading} onMore={reports.loadMore} />
              </Loaded>
            </section>

            <BaseYearSection
              base={base}
              facility={f.code}
              program={program.data?.definition}
              current={f.baseYear}
              reports={reports.items}
              mayChoose={operator && !asAuthority}
              onChosen={facility.reload}
            />

            <ComplianceSection base={base} facility={f.code} />
          </>
        )}
      </Loaded>
    </>
  );
}
