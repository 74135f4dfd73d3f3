// The audit log (監査ログ): every change of state, newest first — who, what, when, from where — filtered by actor,
// action (exact, or a prefix such as `transaction.`), object and time, page by page, with each event's before and
// after records; exported as CSV or JSON lines with the same filters.
import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../../api';
import { Field } from '../../../components/ui';
import { fieldError } from '../shared/format';
import { formatDateTime } from '../../../i18n';
import { useSession } from '../../../session';
import { useJurisdictionPath, usePaged, emptyOf } from '../shared/hooks';
import { AUTHORITY_TABS, Loaded, MoreButton, PageHead } from '../shared/parts';
import type { AuditEvent, User } from '../shared/types';

interface Filters {
  actor: string;
  action: string;
  objectType: string;
  objectId: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { actor: '', action: '', objectType: '', objectId: '', from: '', to: '' };
const TOKEN = /^[\x21-\x7E]{1,200}$/;

/** A date input (YYYY-MM-DD, the reader's day in Tokyo time) as the API's ISO-8601 UTC time of that day's start. */
function dayStartUtc(day: string, plusDays = 0): string {
  const d = new Date(`${day}T00:00:00+09:00`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function queryOf(f: Filters): string {
  const q = new URLSearchParams();
  for (const k of ['actor', 'action', 'objectType', 'objectId'] as const) if (f[k].trim() !== '') q.set(k, f[k].trim());
  if (f.from !== '') q.set('from', dayStartUtc(f.from));
  if (f.to !== '') q.set('to', dayStartUtc(f.to, 1));
  return q.toString();
}

export default function Audit(): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  const { jurisdiction } = useSession();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const query = queryOf(applied);
  const list = usePaged<AuditEvent>(base === null ? null : `${base}/audit-events${query === '' ? '' : `?${query}`}`, 100);
  // Actors are user ids: the directory's first page names most of them.
  const users = usePaged<User>(base === null ? null : `${base}/users`, 200);
  const nameOf = new Map(users.items.map((u) => [u.id, `${u.displayName} (${u.login})`]));
  const problems: Partial<Record<keyof Filters, string>> = {};
  for (const k of ['actor', 'action', 'objectType', 'objectId'] as const) if (draft[k].trim() !== '' && !TOKEN.test(draft[k].trim())) problems[k] = t('audit.tokenRule');
  if (draft.from !== '' && draft.to !== '' && draft.from > draft.to) problems.to = t('audit.toBeforeFrom');
  const apply = (e: SyntheticEvent): void => {
    e.preventDefault();
    if (Object.keys(problems).length > 0) return;
    setApplied(draft);
  };
  const exportHref = (format: 'csv' | 'jsonl'): string => `${API}/jurisdictions/${encodeURIComponent(jurisdiction?.code ?? '')}/audit-events/export?format=${format}${query === '' ? '' : `&${query}`}`;
  const field = (k: keyof Filters, type = 'text'): ReactNode => (
    <Field label={t(`audit.${k}`)} error={problems[k] ?? fieldError(list.error, k)}>
      {(p) => <input {...p} name={k} type={type} value={draft[k]} onChange={(e) => { setDraft((d) => ({ ...d, [k]: e.target.value })); }} />}
    </Field>
  );
  return (
    <>
      <PageHead title={t('audit.title')} lead={t('audit.lead')} tabs={AUTHORITY_TABS} />
      <form className="rp-form rp-grid-form rp-filters-form" onSubmit={apply} noValidate role="search" aria-label={t('audit.filters')}>
        <Field label={t('audit.actor')} error={problems.actor ?? fieldError(list.error, 'actor')}>
          {(p) => (
            <select {...p} name="actor" value={draft.actor} onChange={(e) => { setDraft((d) => ({ ...d, actor: e.target.value })); }}>
              <option value="">{t('audit.anyone')}</option>
              {draft.actor !== '' && !nameOf.has(draft.actor) && <option value={draft.actor}>{draft.actor}</option>}
              {users.items.map((u) => <option key={u.id} value={u.id}>{u.displayName} ({u.login})</option>)}
            </select>
          )}
        </Field>
        {field('action')}
        {field('objectType')}
        {field('objectId')}
        {field('from', 'date')}
        {field('to', 'date')}
        <p className="rp-actions">
          <button type="submit">{t('audit.apply')}</button>
          <button type="button" className="secondary" onClick={() => { setDraft(EMPTY); setApplied(EMPTY); }}>{t('audit.clear')}</button>
          <a className="rp-button secondary" href={exportHref('csv')} download>{t('audit.exportCsv')}</a>
          <a className="rp-button secondary" href={exportHref('jsonl')} download>{t('audit.exportJsonl')}</a>
        </p>
      </form>
      <p className="hint">{t('audit.actionHint')}</p>
      <Loaded loading={list.loading} error={fieldError(list.error, 'actor') ?? fieldError(list.error, 'action') ? undefined : list.error} empty={emptyOf(list)} emptyText={t('audit.none')}>
        <div className="rp-table-wrap">
          <table data-table="audit">
            <caption className="visually-hidden">{t('audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit.when')}</th>
                <th scope="col">{t('audit.who')}</th>
                <th scope="col">{t('audit.what')}</th>
                <th scope="col">{t('audit.object')}</th>
                <th scope="col">{t('audit.where')}</th>
                <th scope="col">{t('audit.change')}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((e) => (
                <tr key={e.id}>
                  <td className="rp-nowrap">{formatDateTime(e.at)}</td>
                  <td><button type="button" className="rp-link" onClick={() => { const f = { ...EMPTY, actor: e.actor }; setDraft(f); setApplied(f); }} title={t('audit.filterActor')}>{nameOf.get(e.actor) ?? e.actor}</button>{e.tokenId !== null && <span className="rp-muted"> ({t('audit.viaToken')})</span>}</td>
                  <td><code>{e.action}</code></td>
                  <td>{e.objectType} <span className="rp-muted" title={e.objectId}>{e.objectId.length > 14 ? `${e.objectId.slice(0, 13)}…` : e.objectId}</span></td>
                  <td>{e.address ?? '—'}</td>
                  <td>
                    {(e.before !== null || e.after !== null) && (
                      <details>
                        <summary>{t('audit.details')}</summary>
                        {e.before !== null && <><h3>{t('audit.before')}</h3><pre className="rp-json">{JSON.stringify(e.before, null, 1)}</pre></>}
                        {e.after !== null && <><h3>{t('audit.after')}</h3><pre className="rp-json">{JSON.stringify(e.after, null, 1)}</pre></>}
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <MoreButton more={list.more} loading={list.loading} onMore={list.loadMore} />
      </Loaded>
    </>
  );
}
