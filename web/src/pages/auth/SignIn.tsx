// Sign-in: login and password, then the second factor — a code from the authenticator app or a recovery code — or,
// the first time, setting up the app (Enrolment). Each step is the server's session stage, so a reload in the middle
// resumes where the person was. `#/sign-in?next=/path` returns there afterwards (the session-ended banner uses it).
import { useEffect, useState, type SyntheticEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, post, rememberCsrfToken } from '../../api';
import { ErrorBanner, Field, Loading, fieldError } from '../../components/ui';
import { currentQuery, navigate } from '../../router';
import { useSession } from '../../session';
import { Enrolment } from './Enrolment';
import { codeProblem, normaliseCode } from './codes';

interface Issued {
  readonly stage: 'second_factor' | 'enrolment' | 'complete';
  readonly csrfToken: string;
}

type Step = 'password' | 'second_factor' | 'enrolment';

/** Where to go after sign-in: a path inside the app from ?next=, never the sign-in page itself. */
export function nextPath(): string {
  const next = currentQuery().get('next');
  return next !== null && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/';
}

export default function SignIn(): ReactNode {
  const { t } = useTranslation('auth');
  const { info, refresh, signOut } = useSession();
  const [step, setStep] = useState<Step | undefined>(undefined);

  // Resume a sign-in left half-way (a reload): the partial session's stage says which step comes next.
  useEffect(() => {
    if (step !== undefined || info === undefined) return;
    if (info === null || info.session.stage === 'complete') setStep('password');
    else setStep(info.session.stage);
  }, [info, step]);

  const finish = async (): Promise<void> => {
    await refresh();
    navigate(nextPath());
  };

  if (step === undefined) return <Loading />;
  if (step === 'password' && info?.session.stage === 'complete') {
    return (
      <section className="narrow">
        <h1>{t('title')}</h1>
        <p>{t('alreadySignedIn', { name: info.user.displayName })}</p>
        <p><a href={`#${nextPath()}`}>{t('continue')}</a></p>
      </section>
    );
  }
  const startOver = async (): Promise<void> => {
    await signOut();
    setStep('password');
  };
  return (
    <section className="narrow">
      <h1>{t('title')}</h1>
      {step === 'password' && <PasswordStep onDone={(stage) => { if (stage === 'complete') void finish(); else setStep(stage); }} />}
      {step === 'second_factor' && <SecondFactorStep onDone={() => void finish()} onStartOver={() => void startOver()} />}
      {step === 'enrolment' && <Enrolment onDone={() => void finish()} onStartOver={() => void startOver()} />}
    </section>
  );
}

function PasswordStep({ onDone }: { onDone: (stage: Issued['stage']) => void }): ReactNode {
  const { t } = useTranslation('auth');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const loginProblem = login.trim() === '' ? t('required') : undefined;
  const passwordProblem = password === '' ? t('required') : undefined;

  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    setSubmitted(true);
    if (loginProblem !== undefined || passwordProblem !== undefined) return;
    setBusy(true);
    setError(null);
    try {
      const issued = await post<Issued>('session', { login: login.trim(), password }, { quiet401: true });
      rememberCsrfToken(issued.csrfToken);
      onDone(issued.stage);
    } catch (err) {
      setError(err);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  // A wrong login and a wrong password get one answer (the server does not say which); it belongs to the form.
  const formError = error instanceof ApiError && (error.field === 'login' || error.field === 'password') ? null : error;
  return (
    <form data-form="sign-in" onSubmit={(e) => void submit(e)} noValidate aria-busy={busy}>
      <p>{t('intro')}</p>
      <ErrorBanner error={formError} />
      <Field label={t('login')} error={fieldError(error, 'login') ?? (submitted ? loginProblem : undefined)}>
        {(p) => <input {...p} name="login" autoComplete="username" autoCapitalize="none" spellCheck={false} value={login} onChange={(e) => { setLogin(e.target.value); }} required />}
      </Field>
      <Field label={t('password')} error={fieldError(error, 'password') ?? (submitted ? passwordProblem : undefined)}>
        {(p) => <input {...p} name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => { setPassword(e.target.value); }} required />}
      </Field>
      <button type="submit" disabled={busy}>{busy ? t('signingIn') : t('submit')}</button>
    </form>
  );
}

function SecondFactorStep({ onDone, onStartOver }: { onDone: () => void; onStartOver: () => void }): ReactNode {
  const { t } = useTranslation('auth');
  const [code, setCode] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const problem = codeProblem(code, true);

  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    setTouched(true);
    if (problem !== undefined) return;
    setBusy(true);
    setError(null);
    try {
      const issued = await post<Issued>('session/second-factor', { code: normaliseCode(code) }, { quiet401: true });
      rememberCsrfToken(issued.csrfToken);
      onDone();
    } catch (err) {
      setError(err);
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  const shown = fieldError(error, 'code') ?? (touched || code.length >= 6 ? (problem === undefined ? undefined : t(problem)) : undefined);
  return (
    <form data-form="second-factor" onSubmit={(e) => void submit(e)} noValidate aria-busy={busy}>
      <p>{t('secondFactor.intro')}</p>
      <ErrorBanner error={fieldError(error, 'code') === undefined ? error : null} />
      <Field label={t('secondFactor.code')} hint={t('secondFactor.hint')} error={shown}>
        {(p) => (
          <input {...p} name="code" autoComplete="one-time-code" inputMode="text" autoCapitalize="characters" spellCheck={false} value={code} onChange={(e) => { setCode(e.target.value); setError(null); }} onBlur={() => { if (code !== '') setTouched(true); }} autoFocus />
        )}
      </Field>
      <div className="actions">
        <button type="submit" disabled={busy}>{busy ? t('signingIn') : t('secondFactor.submit')}</button>
        <button type="button" className="secondary" onClick={onStartOver}>{t('startOver')}</button>
      </div>
    </form>
  );
}
