// The shell: header (jurisdiction, language, who is signed in), navigation for the roles held, and the page the hash
// names. Pages come from two route tables — public and sign-in pages, and role pages — loaded lazily.
import { Suspense, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Loading } from './components/ui';
import { currentLanguage, setLanguage } from './i18n';
import { match, navigate, useHashPath, type RouteDef } from './router';
import { publicRoutes } from './routes-public';
import { roleRoutes } from './routes-roles';
import { dataRoutes } from './routes-data';
import { useSession } from './session';

const routes: readonly RouteDef[] = [...publicRoutes, ...roleRoutes, ...dataRoutes];

function Header(): ReactNode {
  const { t } = useTranslation();
  const { info, signOut, jurisdictions, jurisdiction, setJurisdiction, rolesHere } = useSession();
  const lang = currentLanguage();
  const visible = routes.filter((r) => r.nav !== undefined && (r.nav.roles === 'public' || r.nav.roles.some((role) => rolesHere.has(role))));
  return (
    <header className="app-header">
      <a className="brand" href="#/">citycap</a>
      <nav aria-label={t('nav.label')}>
        <ul>
          {visible.map((r) => (
            <li key={r.path}><a href={`#${r.path}`}>{t(r.nav!.labelKey)}</a></li>
          ))}
        </ul>
      </nav>
      <div className="header-controls">
        {jurisdictions.length > 1 && (
          <label>
            <span className="visually-hidden">{t('jurisdiction')}</span>
            <select value={jurisdiction?.code ?? ''} onChange={(e) => { setJurisdiction(e.target.value); }}>
              {jurisdictions.map((j) => <option key={j.code} value={j.code}>{lang === 'ja' ? j.nameJa : j.nameEn}</option>)}
            </select>
          </label>
        )}
        <button type="button" className="lang-switch" lang={lang === 'ja' ? 'en' : 'ja'} onClick={() => { void setLanguage(lang === 'ja' ? 'en' : 'ja'); }}>
          {lang === 'ja' ? 'English' : '日本語'}
        </button>
        {info?.session.stage === 'complete' ? (
          <span className="who">
            <a href="#/account/security" title={t('account')}>{info.user.displayName}</a>{' '}
            <button type="button" onClick={() => { void signOut().then(() => { navigate('/'); }); }}>{t('signOut')}</button>
          </span>
        ) : (
          <a href="#/sign-in">{t('signIn')}</a>
        )}
      </div>
    </header>
  );
}

export function App(): ReactNode {
  const { t } = useTranslation();
  const path = useHashPath();
  const { info, ended } = useSession();
  let page: ReactNode = <p>{t('notFound')}</p>;
  for (const r of routes) {
    const params = match(r.path, path);
    if (params === null) continue;
    if (r.signedIn === true && info?.session.stage !== 'complete') {
      page = info === undefined ? <Loading /> : <p>{t('signInRequired')} <a href={`#/sign-in?next=${encodeURIComponent(path)}`}>{t('signIn')}</a></p>;
    } else {
      page = <r.page params={params} />;
    }
    break;
  }
  return (
    <>
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>{t('skipToContent')}</a>
      <Header />
      {ended && <div className="session-ended" role="alert">{t('sessionEnded')} <a href={`#/sign-in?next=${encodeURIComponent(path)}`}>{t('signIn')}</a></div>}
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>{page}</Suspense>
      </main>
    </>
  );
}
