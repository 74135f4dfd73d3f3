// Setting up the authenticator app (TOTP): the server makes a secret, shown as a QR code (an SVG data URL, which the
// CSP allows) and as text to type; the person confirms with the app's first code and receives recovery codes, shown
// once. Used at first sign-in (the session becomes complete) and from a complete session to replace the app.
import { useEffect, useRef, useState, type SyntheticEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { post, rememberCsrfToken } from '../../api';
import { ErrorBanner, Field, Loading, fieldError } from '../../components/ui';
import { codeProblem, normaliseCode } from './codes';
import { RecoveryCodes } from './RecoveryCodes';

interface TotpStart {
  readonly otpauthUri: string;
  readonly secret: string;
}

interface Confirmed {
  readonly recoveryCodes: string[];
  readonly session: { readonly csrfToken: string } | null;
}

async function qrDataUrl(uri: string): Promise<string> {
  const { toString } = await import('qrcode');
  const svg = await toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** The secret in groups of four, as people copy it into an app. */
const grouped = (secret: string): string => secret.replace(/(.{4})(?=.)/g, '$1 ');

export function Enrolment({ onDone, onStartOver }: { onDone: () => void; onStartOver?: () => void }): ReactNode {
  const { t } = useTranslation('auth');
  const [start, setStart] = useState<(TotpStart & { qr: string }) | null>(null);
  const [startError, setStartError] = useState<unknown>(null);
  const [code, setCode] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const started = useRef(false);

  useEffect(() => {
    // Once per visit: a second start would replace the secret the QR code shows.
    if (started.current) return;
    started.current = true;
    void (async () => {
      try {
        const s = await post<TotpStart>('session/totp', undefined, { quiet401: true });
        setStart({ ...s, qr: await qrDataUrl(s.otpauthUri) });
      } catch (err) {
        setStartError(err);
      }
    })();
  }, []);

  if (recoveryCodes !== null) return <RecoveryCodes codes={recoveryCodes} onDone={onDone} />;
  if (startError !== null) return <ErrorBanner error={startError} />;
  if (start === null) return <Loading />;

  const problem = codeProblem(code, false);
  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    setTouched(true);
    if (problem !== undefined) return;
    setBusy(true);
    setError(null);
    try {
      const confirmed = await post<Confirmed>('session/totp/confirm', { code: normaliseCode(code) }, { quiet401: true });
      if (confirmed.session !== null) rememberCsrfToken(confirmed.session.csrfToken);
      setRecoveryCodes(confirmed.recoveryCodes);
    } catch (err) {
      setError(err);
      setCode('');
    } finally {
      setBusy(false);
    }
  };
  const shown = fieldError(error, 'code') ?? (touched || code.length >= 6 ? (problem === undefined ? undefined : t(problem)) : undefined);

  return (
    <form data-form="totp-enrolment" onSubmit={(e) => void submit(e)} noValidate aria-busy={busy}>
      <h2>{t('enrol.title')}</h2>
      <ol className="steps">
        <li>{t('enrol.step1')}</li>
        <li>
          {t('enrol.step2')}
          <figure className="qr">
            <img src={start.qr} width={200} height={200} alt={t('enrol.qrAlt')} data-otpauth={start.otpauthUri} />
            <figcaption>
              {t('enrol.manual')} <code className="secret" data-secret={start.secret}>{grouped(start.secret)}</code>
            </figcaption>
          </figure>
        </li>
        <li>{t('enrol.step3')}</li>
      </ol>
      <ErrorBanner error={fieldError(error, 'code') === undefined ? error : null} />
      <Field label={t('enrol.code')} hint={t('enrol.codeHint')} error={shown}>
        {(p) => (
          <input {...p} name="code" autoComplete="one-time-code" inputMode="numeric" spellCheck={false} value={code} onChange={(e) => { setCode(e.target.value); setError(null); }} onBlur={() => { if (code !== '') setTouched(true); }} />
        )}
      </Field>
      <div className="actions">
        <button type="submit" disabled={busy}>{busy ? t('enrol.confirming') : t('enrol.submit')}</button>
        {onStartOver !== undefined && <button type="button" className="secondary" onClick={onStartOver}>{t('startOver')}</button>}
      </div>
    </form>
  );
}
