// Small building blocks every page uses, so that loading, empty, error and field states look and read the same.
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';

export function Loading(): ReactNode {
  const { t } = useTranslation();
  return <p className="loading" role="status" aria-live="polite">{t('loading')}</p>;
}

export function Empty({ children }: { children?: ReactNode }): ReactNode {
  const { t } = useTranslation();
  return <p className="empty">{children ?? t('empty')}</p>;
}

/** A refusal or failure not tied to one field. */
export function ErrorBanner({ error }: { error: unknown }): ReactNode {
  const { t } = useTranslation();
  if (error === null || error === undefined) return null;
  const message = error instanceof ApiError ? `${error.message} (${error.code})` : t('error.unexpected');
  return <div className="error-banner" role="alert">{message}</div>;
}

/** The server's message for this field, when the refusal names it. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError && error.field !== undefined && (error.field === field || error.field.endsWith(`.${field}`) || error.field.startsWith(`${field}[`)) ? error.message : undefined;
}

/** A labelled input with its hint and error, wired for screen readers (aria-describedby, aria-invalid). */
export function Field({ label, hint, error, children }: { label: string; hint?: string | undefined; error?: string | undefined; children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode }): ReactNode {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint !== undefined ? hintId : '', error !== undefined ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div className={error === undefined ? 'field' : 'field invalid'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(describedBy === '' ? {} : { 'aria-describedby': describedBy }), ...(error === undefined ? {} : { 'aria-invalid': true }) })}
      {hint !== undefined && <small id={hintId} className="hint">{hint}</small>}
      {error !== undefined && <small id={errorId} className="field-error" role="alert">{error}</small>}
    </div>
  );
}
