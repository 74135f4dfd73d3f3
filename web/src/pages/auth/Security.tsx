// The signed-in person's sign-in settings: when the session ends, and replacing the authenticator app (a new QR
// code, confirmed with the new app's code; new recovery codes replace the old ones).
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../i18n';
import { useSession } from '../../session';
import { Enrolment } from './Enrolment';

export default function Security(): ReactNode {
  const { t } = useTranslation('auth');
  const { info } = useSession();
  const [mode, setMode] = useState<'view' | 'enrol' | 'done'>('view');
  if (info === null || info === undefined) return null;
  return (
    <section className="narrow">
      <h1>{t('security.title')}</h1>
      <dl className="facts">
        <dt>{t('security.user')}</dt>
        <dd>{info.user.displayName} ({info.user.login})</dd>
        <dt>{t('security.idleExpiry')}</dt>
        <dd>{formatDateTime(info.session.idleExpiresAt)}</dd>
        <dt>{t('security.absoluteExpiry')}</dt>
        <dd>{formatDateTime(info.session.expiresAt)}</dd>
      </dl>
      {mode === 'view' && (
        <>
          <p>{t('security.replaceIntro')}</p>
          <button type="button" onClick={() => { setMode('enrol'); }}>{t('security.replace')}</button>
        </>
      )}
      {mode === 'enrol' && <Enrolment onDone={() => { setMode('done'); }} />}
      {mode === 'done' && <p role="status">{t('security.replaced')}</p>}
    </section>
  );
}
