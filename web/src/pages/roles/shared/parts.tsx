// Building blocks of the role pages, on top of components/ui: headings with the role's sub-navigation, status badges,
// refusals that explain themselves, confirmations, progress for long operations, and load-more lists.
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Empty, ErrorBanner, Loading } from '../../../components/ui';
import { useHashPath } from '../../../router';
import { useSession } from '../../../session';
import { label, refusalDetail } from './format';
import '../../../roles.css';

export interface Tab {
  readonly path: string;
  readonly labelKey: string;
  /** Shown to these roles (in the current jurisdiction); all when absent. */
  readonly roles?: readonly string[];
}

/** The authority's pages, one tab each. */
export const AUTHORITY_TABS: readonly Tab[] = [
  { path: '/authority', labelKey: 'nav.authorityHome' },
  { path: '/authority/facilities', labelKey: 'nav.facilities' },
  { path: '/authority/reports', labelKey: 'nav.reports' },
  { path: '/authority/credits', labelKey: 'nav.credits' },
  { path: '/authority/compliance', labelKey: 'nav.compliance' },
  { path: '/approvals', labelKey: 'nav.approvals' },
  { path: '/authority/audit', labelKey: 'nav.audit' },
  { path: '/authority/users', labelKey: 'nav.users' },
  { path: '/authority/program', labelKey: 'nav.program' },
];

/** A page's heading, its lead paragraph and (optionally) the tabs of the role's pages, the current one marked. */
export function PageHead({ title, lead, tabs, children }: { title: string; lead?: string | undefined; tabs?: readonly Tab[] | undefined; children?: ReactNode }): ReactNode {
  const { t } = useTranslation('roles');
  const path = useHashPath();
  const { rolesHere } = useSession();
  const shown = (tabs ?? []).filter((tab) => tab.roles === undefined || tab.roles.some((r) => rolesHere.has(r)));
  return (
    <div className="rp-head">
      {shown.length > 1 && (
        <nav className="rp-tabs" aria-label={t('nav.sections')}>
          <ul>
            {shown.map((tab) => (
              <li key={tab.path}>
                <a href={`#${tab.path}`} aria-current={path === tab.path ? 'page' : undefined}>{t(tab.labelKey)}</a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <h1>{title}</h1>
      {lead !== undefined && <p className="rp-lead">{lead}</p>}
      {children}
    </div>
  );
}

/** A status as a coloured badge with its name in the reader's language. */
export function StatusBadge({ group, status }: { group: string; status: string }): ReactNode {
  return <span className={`rp-badge rp-badge-${status.replace(/[^a-z_]/gi, '')}`}>{label(group, status)}</span>;
}

/** A refusal or failure: the explanation in the reader's language, the code, and the server's own words. */
export function Refusal({ error }: { error: unknown }): ReactNode {
  const { t } = useTranslation('roles');
  if (error === null || error === undefined) return null;
  const { text, server } = refusalDetail(error);
  return (
    <div className="error-banner rp-refusal" role="alert">
      <p>{text}</p>
      {server !== undefined && <p className="rp-server-says">{t('refusal.serverSays')} {server}</p>}
    </div>
  );
}

/** A message after an action succeeded; announced to screen readers. */
export function Done({ children }: { children: ReactNode }): ReactNode {
  if (children === null || children === undefined || children === false) return null;
  return <p className="rp-done" role="status">{children}</p>;
}

/** A long operation under way: a progress bar (indeterminate unless a share is known) with the time it has taken. */
export function Working({ label: text, share }: { label: string; share?: number }): ReactNode {
  const { t } = useTranslation('roles');
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const started = Date.now();
    const timer = setInterval(() => { setSeconds(Math.floor((Date.now() - started) / 1000)); }, 500);
    return () => { clearInterval(timer); };
  }, []);
  return (
    <div className="rp-working" role="status" aria-live="polite">
      <label>
        {text}
        {share === undefined ? <progress /> : <progress value={share} max={1} />}
      </label>
      <span className="rp-elapsed">{t('progress.elapsed', { seconds })}</span>
    </div>
  );
}

/** The usual states of a loaded list or record: loading, refusal, empty; otherwise the content. */
export function Loaded({ loading, error, empty, emptyText, children }: { loading: boolean; error: unknown; empty?: boolean | undefined; emptyText?: string | undefined; children: ReactNode }): ReactNode {
  if (error !== undefined && error !== null) return <Refusal error={error} />;
  if (loading && empty !== false) return <Loading />;
  if (empty === true) return <Empty>{emptyText}</Empty>;
  return children;
}

/** "Load more" under a paged list, with its loading state. */
export function MoreButton({ more, loading, onMore }: { more: boolean; loading: boolean; onMore: () => void }): ReactNode {
  const { t } = useTranslation('roles');
  if (!more) return null;
  return (
    <p className="rp-more">
      <button type="button" className="secondary" onClick={onMore} disabled={loading} aria-busy={loading}>
        {loading ? t('list.loading') : t('list.more')}
      </button>
    </p>
  );
}

export { ErrorBanner };
