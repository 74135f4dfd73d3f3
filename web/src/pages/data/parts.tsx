// What the upload pages share: a file chooser that sends the file with a progress bar, and the list of problems of a
// refused file — each with its place in the file (Lines!C7), the value found and the rule, in the reader's language
// where the catalogue has the rule (the server's English message otherwise).
import i18next from 'i18next';
import { useState, type ReactNode, type SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBanner } from '../../components/ui';
import { FILE_BYTES_MAX, UploadRefused, placeOf, uploadFile, type Problem } from './upload';
import './data.css';

export function ruleText(p: Problem): string {
  const key = `data:rule.${p.code}`;
  return i18next.exists(key) ? i18next.t(key) : p.message;
}

export function Problems({ problems }: { problems: readonly Problem[] }): ReactNode {
  const { t } = useTranslation('data');
  return (
    <div className="data-problems">
      <table>
        <caption>{t('problems.caption', { count: problems.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('problems.place')}</th>
            <th scope="col">{t('problems.value')}</th>
            <th scope="col">{t('problems.problem')}</th>
            <th scope="col">{t('problems.rule')}</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((p, i) => (
            <tr key={i}>
              <td><code>{placeOf(p)}</code></td>
              <td>{p.value === null ? '' : <code>{p.value}</code>}</td>
              <td lang={i18next.exists(`data:rule.${p.code}`) ? undefined : 'en'}>{ruleText(p)}</td>
              <td><code>{p.code}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Choose a file, send it to `path` with upload progress, then hand the server's answer (JSON) to `onDone`. A refusal shows
 * here: the problems of a refused file, or the server's error.
 */
export function FileUpload({ path, label, hint, submitLabel, onDone }: { path: string | null; label: string; hint: string; submitLabel: string; onDone: (result: unknown) => void }): ReactNode {
  const { t } = useTranslation('data');
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const busy = sent !== null;

  const submit = (e: SyntheticEvent): void => {
    e.preventDefault();
    if (file === null || path === null) return;
    setError(null);
    if (file.size > FILE_BYTES_MAX) {
      setError(new UploadRefused(413, 'BODY_TOO_LARGE', t('tooLarge'), 'body', []));
      return;
    }
    setSent(0);
    uploadFile<unknown>(path, file, setSent).then(
      (result) => {
        setSent(null);
        onDone(result);
      },
      (err: unknown) => {
        setSent(null);
        setError(err);
      },
    );
  };

  const problems = error instanceof UploadRefused ? error.problems : [];
  return (
    <form className="data-upload" onSubmit={submit}>
      <div className="field">
        <label htmlFor="data-file">{label}</label>
        <input id="data-file" type="file" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-describedby="data-file-hint" disabled={busy} onChange={(e) => { setFile(e.target.files?.[0] ?? null); setError(null); }} />
        <small id="data-file-hint" className="hint">{hint}</small>
      </div>
      <button type="submit" disabled={file === null || path === null || busy}>{submitLabel}</button>
      {busy && (
        <p className="data-progress" role="status" aria-live="polite">
          <progress max={1} value={sent} /> {sent < 1 ? t('progress.sending', { percent: Math.floor(sent * 100) }) : t('progress.checking')}
        </p>
      )}
      {error !== null && problems.length === 0 && <ErrorBanner error={error} />}
      {problems.length > 0 && (
        <>
          <div className="error-banner" role="alert">{t('refused')}</div>
          <Problems problems={problems} />
        </>
      )}
    </form>
  );
}
