// The facility operator's start page: the facilities they report for, with their status and compliance account.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useJurisdictionPath, usePaged, emptyOf } from '../shared/hooks';
import { Loaded, MoreButton, PageHead, StatusBadge } from '../shared/parts';
import type { FacilitySummary } from '../shared/types';
import { label } from '../shared/format';

export default function MyFacilities(): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  const list = usePaged<FacilitySummary>(base === null ? null : `${base}/my-facilities`);
  return (
    <>
      <PageHead title={t('operator.title')} lead={t('operator.lead')} />
      <Loaded loading={list.loading} error={list.error} empty={emptyOf(list)} emptyText={t('operator.none')}>
        <ul className="rp-cards" aria-label={t('operator.title')}>
          {list.items.map((f) => (
            <li key={f.id} className="rp-card">
              <h2><a href={`#/operator/${encodeURIComponent(f.code)}`}>{f.name}</a></h2>
              <p className="rp-meta">
                <span>{f.code}</span>
                <StatusBadge group="facilityStatus" status={f.status} />
              </p>
              <dl className="rp-dl">
                <dt>{t('facility.category')}</dt><dd>{f.category ?? '—'}</dd>
                <dt>{t('facility.use')}</dt><dd>{label('useType', f.useType)}</dd>
                <dt>{t('facility.accountShort')}</dt><dd>{f.accountNumber ?? '—'}</dd>
              </dl>
              <p className="rp-actions">
                <a className="rp-button" href={`#/operator/${encodeURIComponent(f.code)}/reports/new`}>{t('report.new')}</a>
                <a href={`#/operator/${encodeURIComponent(f.code)}`}>{t('operator.open')}</a>
              </p>
            </li>
          ))}
        </ul>
        <MoreButton more={list.more} loading={list.loading} onMore={list.loadMore} />
      </Loaded>
    </>
  );
}
