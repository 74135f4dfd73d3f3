// The authority's start page: what waits for a decision (reports to accept, credit applications, transactions to
// approve), with links to each list and to the other authority pages.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../../i18n';
import { useApi, useJurisdictionPath } from '../shared/hooks';
import { AUTHORITY_TABS, PageHead, Refusal } from '../shared/parts';
import type { Page } from '../shared/types';

const COUNT_PAGE = 200;

function Count({ path, href, labelKey }: { path: string | null; href: string; labelKey: string }): ReactNode {
  const { t } = useTranslation('roles');
  const page = useApi<Page<unknown>>(path === null ? null : `${path}${path.includes('?') ? '&' : '?'}limit=${String(COUNT_PAGE)}`);
  const n = page.data === undefined ? null : page.data.items.length;
  return (
    <li className="rp-card rp-count">
      <a href={href}>
        <span className="rp-count-n" aria-hidden={n === null}>{n === null ? '…' : `${formatNumber(n)}${page.data?.nextCursor === null ? '' : '+'}`}</span>
        <span className="rp-count-label">{t(labelKey)}</span>
      </a>
      {page.error !== undefined && <Refusal error={page.error} />}
    </li>
  );
}

export default function AuthorityHome(): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  return (
    <>
      <PageHead title={t('authority.title')} lead={t('authority.lead')} tabs={AUTHORITY_TABS} />
      <h2>{t('authority.waiting')}</h2>
      <ul className="rp-cards rp-counts">
        <Count path={base === null ? null : `${base}/workspace/report-queue?status=verified`} href="#/authority/reports" labelKey="authority.reportsToAccept" />
        <Count path={base === null ? null : `${base}/workspace/credit-applications?status=applied`} href="#/authority/credits" labelKey="authority.creditsToDecide" />
        <Count path={base === null ? null : `${base}/workspace/approval-queue`} href="#/approvals" labelKey="authority.transactionsToApprove" />
        <Count path={base === null ? null : `${base}/workspace/report-queue?status=submitted`} href="#/authority/reports" labelKey="authority.reportsWithVerifiers" />
      </ul>
    </>
  );
}
