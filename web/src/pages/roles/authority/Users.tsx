// Users and roles (administrators change them; officers read them): the user directory, each user's roles in this
// jurisdiction with grant and revoke, new users (who set up their authenticator app at first sign-in), and each
// account's authorized representatives with their rights. Nobody grants standing to themselves (SELF_GRANT).
import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { post, request } from '../../../api';
import { Field } from '../../../components/ui';
import { formatDate } from '../../../i18n';
import { useSession } from '../../../session';
import { label, fieldError } from '../shared/format';
import { useApi, useJurisdictionPath, usePaged, useUserId, emptyOf } from '../shared/hooks';
import { AUTHORITY_TABS, Done, Loaded, MoreButton, PageHead, Refusal } from '../shared/parts';
import type { Account, Representative, RoleAssignment, User } from '../shared/types';

const ROLES = ['authority_admin', 'authority_officer', 'facility_operator', 'verifier', 'trader'] as const;
const ACCOUNT_SCOPED: readonly string[] = ['facility_operator', 'trader'];
const RIGHTS = ['initiate', 'approve', 'initiate_and_approve'] as const;

export default function Users(): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  const { rolesHere } = useSession();
  const admin = rolesHere.has('authority_admin');
  const users = usePaged<User>(base === null ? null : `${base}/users`, 200);
  const roles = usePaged<RoleAssignment>(base === null ? null : `${base}/role-assignments`, 200);
  const accounts = usePaged<Account>(base === null ? null : `${base}/accounts`, 200);
  const [q, setQ] = useState('');
  const needle = q.trim().toLowerCase();
  const shown = users.items.filter((u) => needle === '' || u.login.toLowerCase().includes(needle) || u.displayName.toLowerCase().includes(needle));
  const accountNumber = new Map(accounts.items.map((a) => [a.id, a.number]));
  const reload = (): void => { users.reload(); roles.reload(); };
  return (
    <>
      <PageHead title={t('users.title')} lead={admin ? t('users.leadAdmin') : t('users.leadOfficer')} tabs={AUTHORITY_TABS} />
      <div className="field rp-inline-field">
        <label htmlFor="user-q">{t('users.search')}</label>
        <input id="user-q" type="search" value={q} onChange={(e) => { setQ(e.target.value); }} />
      </div>
      <Loaded loading={users.loading || roles.loading} error={users.error ?? roles.error} empty={emptyOf(users)}>
        <div className="rp-table-wrap">
          <table data-table="users">
            <caption className="visually-hidden">{t('users.title')}</caption>
            <thead><tr><th scope="col">{t('users.login')}</th><th scope="col">{t('users.name')}</th><th scope="col">{t('users.roles')}</th><th scope="col">{t('users.since')}</th></tr></thead>
            <tbody>
              {shown.map((u) => (
                <tr key={u.id} data-login={u.login}>
                  <th scope="row">{u.login}</th>
                  <td>{u.displayName}<br /><span className="rp-muted">{u.email}</span></td>
                  <td>
                    <ul className="rp-plain">
                      {roles.items.filter((r) => r.userId === u.id).map((r) => (
                        base !== null && <RoleItem key={r.id} base={base} role={r} account={r.accountId === null ? null : (accountNumber.get(r.accountId) ?? r.accountId)} admin={admin} onChange={reload} />
                      ))}
                    </ul>
                  </td>
                  <td>{formatDate(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <MoreButton more={users.more} loading={users.loading} onMore={users.loadMore} />
      </Loaded>
      {admin && base !== null && (
        <div className="rp-columns">
          <GrantForm base={base} users={users.items} accounts={accounts.items} onDone={reload} />
          <CreateUserForm base={base} onDone={reload} />
        </div>
      )}
      {base !== null && <Representatives base={base} users={users.items} accounts={accounts.items} admin={admin} />}
    </>
  );
}

function RoleItem({ base, role, account, admin, onChange }: { base: string; role: RoleAssignment; account: string | null; admin: boolean; onChange: () => void }): ReactNode {
  const { t } = useTranslation('roles');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const revoke = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await request('DELETE', `${base}/role-assignments/${encodeURIComponent(role.id)}`);
      onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li>
      {label('role', role.role)}{account !== null && <span className="rp-muted"> · {account}</span>}
      {admin && <button type="button" className="rp-link" onClick={() => { void revoke(); }} disabled={busy} aria-label={t('users.revokeRole', { role: label('role', role.role) })}>{t('users.revoke')}</button>}
      <Refusal error={error} />
    </li>
  );
}

function GrantForm({ base, users, accounts, onDone }: { base: string; users: readonly User[]; accounts: readonly Account[]; onDone: () => void }): ReactNode {
  const { t } = useTranslation('roles');
  const me = useUserId();
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<string>('facility_operator');
  const [accountId, setAccountId] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const self = userId !== '' && userId === me;
  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    if (userId === '') return;
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      await post(`${base}/role-assignments`, { userId, role, ...(accountId === '' || !ACCOUNT_SCOPED.includes(role) ? {} : { accountId }) }, { idempotencyKey: true });
      setDone(t('users.granted', { role: label('role', role), user: users.find((u) => u.id === userId)?.login ?? userId }));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const named = ['userId', 'role', 'accountId'].some((f) => fieldError(error, f) !== undefined);
  return (
    <section aria-labelledby="grant-h" className="rp-section">
      <h2 id="grant-h">{t('users.grantTitle')}</h2>
      <form className="rp-form" onSubmit={(e) => { void submit(e); }} noValidate data-form="grant-role">
        <Field label={t('users.user')} error={(self ? t('users.selfGrant') : undefined) ?? fieldError(error, 'userId')}>
          {(p) => (
            <select {...p} name="userId" value={userId} onChange={(e) => { setUserId(e.target.value); }}>
              <option value="">{t('form.choose')}</option>
              {users.map((u) => <option key={u.id} value={u.id}>{u.displayName} ({u.login})</option>)}
            </select>
          )}
        </Field>
        <Field label={t('users.role')} error={fieldError(error, 'role')}>
          {(p) => (
            <select {...p} name="role" value={role} onChange={(e) => { setRole(e.target.value); }}>
              {ROLES.map((r) => <option key={r} value={r}>{label('role', r)}</option>)}
            </select>
          )}
        </Field>
        {ACCOUNT_SCOPED.includes(role) && (
          <Field label={t('users.account')} error={fieldError(error, 'accountId')} hint={t('users.accountHint')}>
            {(p) => (
              <select {...p} name="accountId" value={accountId} onChange={(e) => { setAccountId(e.target.value); }}>
                <option value="">{t('users.wholeJurisdiction')}</option>
                {accounts.filter((a) => a.type === 'facility_compliance' || a.type === 'general_holding').map((a) => <option key={a.id} value={a.id}>{a.number} — {a.holder}</option>)}
              </select>
            )}
          </Field>
        )}
        {!named && <Refusal error={error} />}
        <button type="submit" disabled={busy || userId === '' || self} aria-busy={busy}>{t('users.grant')}</button>
        <Done>{done}</Done>
      </form>
    </section>
  );
}

function CreateUserForm({ base, onDone }: { base: string; onDone: () => void }): ReactNode {
  const { t } = useTranslation('roles');
  const [v, setV] = useState({ login: '', email: '', displayName: '', password: '', locale: 'ja' });
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const problems: Record<string, string | undefined> = {
    login: v.login.trim() === '' ? t('form.required') : undefined,
    email: !/^[^@\s]+@[^@\s]+$/.test(v.email.trim()) ? t('users.emailRule') : undefined,
    displayName: v.displayName.trim() === '' ? t('form.required') : undefined,
    password: v.password.length < 12 ? t('users.passwordRule') : undefined,
  };
  const set = (k: keyof typeof v, value: string): void => { setV((x) => ({ ...x, [k]: value })); setTouched((x) => ({ ...x, [k]: true })); };
  const shown = (k: string): string | undefined => (touched[k] === true ? problems[k] : undefined) ?? fieldError(error, k);
  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    setTouched({ login: true, email: true, displayName: true, password: true });
    if (Object.values(problems).some((p) => p !== undefined)) return;
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      await post(`${base}/users`, { login: v.login.trim(), email: v.email.trim(), displayName: v.displayName.trim(), password: v.password, locale: v.locale }, { idempotencyKey: true });
      setDone(t('users.created', { login: v.login.trim() }));
      setV({ login: '', email: '', displayName: '', password: '', locale: v.locale });
      setTouched({});
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const named = Object.keys(problems).some((k) => fieldError(error, k) !== undefined);
  return (
    <section aria-labelledby="create-user-h" className="rp-section">
      <h2 id="create-user-h">{t('users.createTitle')}</h2>
      <form className="rp-form" onSubmit={(e) => { void submit(e); }} noValidate data-form="create-user">
        <Field label={t('users.login')} error={shown('login')}>{(p) => <input {...p} name="login" autoComplete="off" value={v.login} onChange={(e) => { set('login', e.target.value); }} />}</Field>
        <Field label={t('users.email')} error={shown('email')}>{(p) => <input {...p} name="email" type="email" autoComplete="off" value={v.email} onChange={(e) => { set('email', e.target.value); }} />}</Field>
        <Field label={t('users.name')} error={shown('displayName')}>{(p) => <input {...p} name="displayName" value={v.displayName} onChange={(e) => { set('displayName', e.target.value); }} />}</Field>
        <Field label={t('users.password')} error={shown('password')} hint={t('users.passwordHint')}>{(p) => <input {...p} name="password" type="password" autoComplete="new-password" value={v.password} onChange={(e) => { set('password', e.target.value); }} />}</Field>
        <Field label={t('users.language')}>
          {(p) => (
            <select {...p} name="locale" value={v.locale} onChange={(e) => { set('locale', e.target.value); }}>
              <option value="ja">日本語</option>
              <option value="en">English</option>
            </select>
          )}
        </Field>
        {!named && <Refusal error={error} />}
        <button type="submit" disabled={busy} aria-busy={busy}>{t('users.create')}</button>
        <Done>{done}</Done>
      </form>
    </section>
  );
}

function Representatives({ base, users, accounts, admin }: { base: string; users: readonly User[]; accounts: readonly Account[]; admin: boolean }): ReactNode {
  const { t } = useTranslation('roles');
  const me = useUserId();
  const holding = accounts.filter((a) => a.type === 'facility_compliance' || a.type === 'general_holding');
  const [accountId, setAccountId] = useState('');
  const reps = useApi<{ items: Representative[] }>(accountId === '' ? null : `${base}/accounts/${encodeURIComponent(accountId)}/representatives`);
  const [userId, setUserId] = useState('');
  const [rights, setRights] = useState<string>('initiate_and_approve');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const nameOf = (id: string): string => {
    const u = users.find((x) => x.id === id);
    return u === undefined ? id : `${u.displayName} (${u.login})`;
  };
  const change = async (action: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      reps.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="reps-h" className="rp-section">
      <h2 id="reps-h">{t('users.repsTitle')}</h2>
      <p className="hint">{t('users.repsHint')}</p>
      <div className="field rp-inline-field">
        <label htmlFor="rep-account">{t('users.account')}</label>
        <select id="rep-account" value={accountId} onChange={(e) => { setAccountId(e.target.value); setError(undefined); }}>
          <option value="">{t('form.choose')}</option>
          {holding.map((a) => <option key={a.id} value={a.id}>{a.number} — {a.holder} ({label('accountType', a.type)})</option>)}
        </select>
      </div>
      {accountId !== '' && (
        <Loaded loading={reps.loading} error={reps.error} empty={reps.data === undefined ? undefined : reps.data.items.length === 0} emptyText={t('users.noReps')}>
          <ul className="rp-plain">
            {(reps.data?.items ?? []).map((r) => (
              <li key={r.id}>
                {nameOf(r.userId)} · {label('rights', r.rights)}
                {admin && <button type="button" className="rp-link" disabled={busy} onClick={() => { void change(() => request('DELETE', `${base}/accounts/${encodeURIComponent(accountId)}/representatives/${encodeURIComponent(r.userId)}`)); }}>{t('users.remove')}</button>}
              </li>
            ))}
          </ul>
        </Loaded>
      )}
      {admin && accountId !== '' && (
        <form className="rp-form rp-inline-form" onSubmit={(e) => { e.preventDefault(); if (userId !== '') void change(() => post(`${base}/accounts/${encodeURIComponent(accountId)}/representatives`, { userId, rights }, { idempotencyKey: true })); }} noValidate data-form="add-representative">
          <Field label={t('users.user')} error={(userId !== '' && userId === me ? t('users.selfGrant') : undefined) ?? fieldError(error, 'userId')}>
            {(p) => (
              <select {...p} name="userId" value={userId} onChange={(e) => { setUserId(e.target.value); }}>
                <option value="">{t('form.choose')}</option>
                {users.map((u) => <option key={u.id} value={u.id}>{u.displayName} ({u.login})</option>)}
              </select>
            )}
          </Field>
          <Field label={t('users.rights')} error={fieldError(error, 'rights')}>
            {(p) => (
              <select {...p} name="rights" value={rights} onChange={(e) => { setRights(e.target.value); }}>
                {RIGHTS.map((r) => <option key={r} value={r}>{label('rights', r)}</option>)}
              </select>
            )}
          </Field>
          <button type="submit" disabled={busy || userId === ''}>{t('users.addRep')}</button>
        </form>
      )}
      <Refusal error={fieldError(error, 'userId') ?? fieldError(error, 'rights') ? undefined : error} />
    </section>
  );
}
