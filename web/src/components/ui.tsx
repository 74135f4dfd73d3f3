// Small building blocks every page uses, so that loading, empty, error and field states look and read the same.
import i18next from 'i18next';
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';

/**
 * A refusal in the reader's language: the catalogue's `common:apiError.<CODE>` when it has one (sign-in, sessions,
 * common validation), otherwise the server's own message (English), which names the rule and the field.
 */
export function errorText(error: unknown): string {
  if (!(error instanceof ApiError)) return i18next.t('common:error.unexpected');
  const key = `common:apiError.${error.code}`;
  return i18next.exists(key) ? i18next.t(key) : error.message;
}

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
  const message = !(error instanceof ApiError) ? t('error.unexpected') : i18next.exists(`common:apiError.${error.code}`) ? errorText(error) : `${error.message} (${error.code})`;
  return <div className="error-banner" role="alert">{message}</div>;
}

/** The server's message for this field, when the refusal names it. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError && error.field !== undefined && (error.field === field || error.field.endsWith(`.${field}`) || error.field.startsWith(`${field}[`)) ? errorText(error) : undefined;
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
