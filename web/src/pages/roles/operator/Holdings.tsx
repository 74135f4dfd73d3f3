// Holdings for account holders (facility operators, traders, representatives): units by unit type and period across
// one's accounts, each account's holdings, and the two things one does with them — propose a transfer (振替; a second
// representative approves it) or surrender units for a facility's obligation (義務充当).
import { useMemo, useState, type SyntheticEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../../../api';
import { Field } from '../../../components/ui';
import { formatNumber } from '../../../i18n';
import { label, periodName, tonnes, fieldError } from '../shared/format';
import { useApi, useJurisdictionPath, usePaged, emptyOf } from '../shared/hooks';
import { Done, Loaded, MoreButton, PageHead, Refusal } from '../shared/parts';
import type { AccountHoldings, ProgramResponse, TransactionOutcome } from '../shared/types';

const WHOLE_T = /^[1-9]\d{0,12}$/;
const ACCOUNT_REF = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

export default function Holdings(): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  const list = usePaged<AccountHoldings>(base === null ? null : `${base}/workspace/holdings`, 100);
  const program = useApi<ProgramResponse>(base === null ? null : `${base}/program`);
  return (
    <>
      <PageHead title={t('holdings.title')} lead={t('holdings.lead')} />
      <Loaded loading={list.loading} error={list.error} empty={emptyOf(list)} emptyText={t('holdings.none')}>
        <Summary accounts={list.items} />
        <section aria-labelledby="accounts-h" className="rp-section">
          <h2 id="accounts-h">{t('holdings.byAccount')}</h2>
          {list.items.map((a) => (
            <div key={a.id} className="rp-table-wrap">
              <table data-account={a.number}>
                <caption>
                  {a.number} · {label('accountType', a.type)} · {a.holder}
                  {a.facilityCode !== null && <> · <a href={`#/operator/${encodeURIComponent(a.facilityCode)}`}>{a.facilityCode}</a></>}
                </caption>
                <thead><tr><th scope="col">{t('holdings.unitType')}</th><th scope="col">{t('holdings.kind')}</th><th scope="col">{t('holdings.vintage')}</th><th scope="col" className="num">{t('holdings.quantity')}</th></tr></thead>
                <tbody>
                  {a.holdings.length === 0 ? (
                    <tr><td colSpan={4} className="empty">{t('holdings.emptyAccount')}</td></tr>
                  ) : a.holdings.map((h) => (
                    <tr key={h.unitTypeId}>
                      <td>{h.unitTypeCode}</td>
                      <td>{label('unitKind', h.kind)}</td>
                      <td>{h.vintage === null ? '—' : periodName(h.vintage)}</td>
                      <td className="num">{tonnes(h.quantityT)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
          <MoreButton more={list.more} loading={list.loading} onMore={list.loadMore} />
        </section>
        {base !== null && (
          <div className="rp-columns">
            <TransferForm base={base} accounts={list.items.filter((a) => a.mayInitiate)} onDone={list.reload} />
            <SurrenderForm base={base} accounts={list.items.filter((a) => a.facilityCode !== null)} program={program.data} onDone={list.reload} />
          </div>
        )}
      </Loaded>
    </>
  );
}

/** Units by kind and vintage period over all of one's accounts. */
function Summary({ accounts }: { accounts: readonly AccountHoldings[] }): ReactNode {
  const { t } = useTranslation('roles');
  const rows = useMemo(() => {
    const m = new Map<string, { kind: string; vintage: number | null; t: bigint }>();
    for (const a of accounts) {
      for (const h of a.holdings) {
        const key = `${h.kind}|${String(h.vintage)}`;
        const row = m.get(key) ?? { kind: h.kind, vintage: h.vintage, t: 0n };
        row.t += BigInt(h.quantityT);
        m.set(key, row);
      }
    }
    return [...m.values()].sort((a, b) => a.kind.localeCompare(b.kind) || (a.vintage ?? 0) - (b.vintage ?? 0));
  }, [accounts]);
  if (rows.length === 0) return null;
  return (
    <section aria-labelledby="summary-h" className="rp-section">
      <h2 id="summary-h">{t('holdings.summary')}</h2>
      <div className="rp-table-wrap">
        <table data-table="holdings-summary">
          <thead><tr><th scope="col">{t('holdings.kind')}</th><th scope="col">{t('holdings.vintage')}</th><th scope="col" className="num">{t('holdings.quantity')}</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.kind}-${String(r.vintage)}`}>
                <th scope="row">{label('unitKind', r.kind)}</th>
                <td>{r.vintage === null ? '—' : periodName(r.vintage)}</td>
                <td className="num">{tonnes(r.t)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function TransferForm({ base, accounts, onDone }: { base: string; accounts: readonly AccountHoldings[]; onDone: () => void }): ReactNode {
  const { t } = useTranslation('roles');
  const [fromId, setFromId] = useState('');
  const [unitTypeId, setUnitTypeId] = useState('');
  const [quantity, setQuantity] = useState('');
  const [to, setTo] = useState('');
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const from = accounts.find((a) => a.id === fromId);
  const held = from?.holdings.find((h) => h.unitTypeId === unitTypeId);
  const problems: Record<string, string | undefined> = {
    fromAccountId: fromId === '' ? t('form.required') : undefined,
    unitTypeId: unitTypeId === '' ? t('form.required') : undefined,
    quantityT: !WHOLE_T.test(quantity) ? t('form.wholeTonnes') : held !== undefined && BigInt(quantity) > BigInt(held.quantityT) ? t('holdings.moreThanHeld', { t: tonnes(held.quantityT) }) : undefined,
    toAccountId: !ACCOUNT_REF.test(to.trim()) ? t('holdings.accountNumber') : to.trim() === from?.number ? t('holdings.sameAccount') : undefined,
  };
  const shown = (f: string): string | undefined => (touched[f] === true ? problems[f] : undefined) ?? fieldError(error, f);
  const touch = (f: string): void => { setTouched((x) => ({ ...x, [f]: true })); };
  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    setTouched({ fromAccountId: true, unitTypeId: true, quantityT: true, toAccountId: true });
    if (Object.values(problems).some((p) => p !== undefined)) return;
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      const o = await post<TransactionOutcome>(`${base}/transactions`, { type: 'transfer', fromAccountId: fromId, toAccountId: to.trim(), unitTypeId, quantityT: quantity }, { idempotencyKey: true });
      setDone(t('holdings.proposed', { id: o.transaction.id }));
      setQuantity('');
      setTouched({});
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const named = ['fromAccountId', 'unitTypeId', 'quantityT', 'toAccountId'].some((f) => fieldError(error, f) !== undefined);
  return (
    <section aria-labelledby="transfer-h" className="rp-section">
      <h2 id="transfer-h">{t('holdings.transferTitle')}</h2>
      <p className="hint">{t('holdings.transferHint')}</p>
      {accounts.length === 0 ? <p className="empty">{t('holdings.noInitiate')}</p> : (
        <form className="rp-form" onSubmit={(e) => { void submit(e); }} noValidate data-form="transfer">
          <Field label={t('holdings.from')} error={shown('fromAccountId')}>
            {(p) => (
              <select {...p} name="fromAccountId" value={fromId} onChange={(e) => { setFromId(e.target.value); setUnitTypeId(''); touch('fromAccountId'); }}>
                <option value="">{t('form.choose')}</option>
                {accounts.map((a) => <option key={a.id} value={a.id}>{a.number} ({a.holder})</option>)}
              </select>
            )}
          </Field>
          <Field label={t('holdings.unitType')} error={shown('unitTypeId')}>
            {(p) => (
              <select {...p} name="unitTypeId" value={unitTypeId} onChange={(e) => { setUnitTypeId(e.target.value); touch('unitTypeId'); }}>
                <option value="">{t('form.choose')}</option>
                {(from?.holdings ?? []).map((h) => <option key={h.unitTypeId} value={h.unitTypeId}>{h.unitTypeCode} — {tonnes(h.quantityT)}</option>)}
              </select>
            )}
          </Field>
          <Field label={t('holdings.quantityT')} error={shown('quantityT')} hint={held === undefined ? undefined : t('holdings.held', { t: tonnes(held.quantityT) })}>
            {(p) => <input {...p} name="quantityT" inputMode="numeric" autoComplete="off" value={quantity} onChange={(e) => { setQuantity(e.target.value.trim()); touch('quantityT'); }} />}
          </Field>
          <Field label={t('holdings.to')} error={shown('toAccountId')} hint={t('holdings.toHint')}>
            {(p) => <input {...p} name="toAccountId" autoComplete="off" value={to} onChange={(e) => { setTo(e.target.value); touch('toAccountId'); }} />}
          </Field>
          {!named && <Refusal error={error} />}
          <button type="submit" disabled={busy} aria-busy={busy}>{t('holdings.propose')}</button>
          <Done>{done}</Done>
        </form>
      )}
    </section>
  );
}

function SurrenderForm({ base, accounts, program, onDone }: { base: string; accounts: readonly AccountHoldings[]; program: ProgramResponse | undefined; onDone: () => void }): ReactNode {
  const { t } = useTranslation('roles');
  const [accountId, setAccountId] = useState('');
  const [period, setPeriod] = useState('');
  const [unitTypeId, setUnitTypeId] = useState('');
  const [quantity, setQuantity] = useState('');
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const account = accounts.find((a) => a.id === accountId);
  const held = account?.holdings.find((h) => h.unitTypeId === unitTypeId);
  const periods = program?.definition.periods ?? [];
  const problems: Record<string, string | undefined> = {
    facility: accountId === '' ? t('form.required') : undefined,
    period: period === '' ? t('form.required') : undefined,
    'lines[0].unitTypeId': unitTypeId === '' ? t('form.required') : undefined,
    'lines[0].quantityT': !WHOLE_T.test(quantity) ? t('form.wholeTonnes') : held !== undefined && BigInt(quantity) > BigInt(held.quantityT) ? t('holdings.moreThanHeld', { t: tonnes(held.quantityT) }) : undefined,
  };
  const shown = (f: string): string | undefined => (touched[f] === true ? problems[f] : undefined) ?? fieldError(error, f);
  const touch = (f: string): void => { setTouched((x) => ({ ...x, [f]: true })); };
  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    setTouched(Object.fromEntries(Object.keys(problems).map((k) => [k, true])));
    if (Object.values(problems).some((p) => p !== undefined) || account?.facilityCode === null || account === undefined) return;
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      const r = await post<{ txIds: string[]; surrenderedT: string; replayed: boolean }>(
        `${base}/facilities/${encodeURIComponent(account.facilityCode)}/surrenders`,
        { period: Number(period), lines: [{ unitTypeId, quantityT: quantity }] },
        { idempotencyKey: true },
      );
      setDone(t('holdings.surrendered', { t: tonnes(r.surrenderedT), period: periodName(Number(period)) }));
      setQuantity('');
      setTouched({});
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const named = Object.keys(problems).some((f) => fieldError(error, f) !== undefined);
  return (
    <section aria-labelledby="surrender-h" className="rp-section">
      <h2 id="surrender-h">{t('holdings.surrenderTitle')}</h2>
      <p className="hint">{t('holdings.surrenderHint')}</p>
      {accounts.length === 0 ? <p className="empty">{t('holdings.noFacilityAccount')}</p> : (
        <form className="rp-form" onSubmit={(e) => { void submit(e); }} noValidate data-form="surrender">
          <Field label={t('holdings.facility')} error={shown('facility')}>
            {(p) => (
              <select {...p} name="facility" value={accountId} onChange={(e) => { setAccountId(e.target.value); setUnitTypeId(''); touch('facility'); }}>
                <option value="">{t('form.choose')}</option>
                {accounts.map((a) => <option key={a.id} value={a.id}>{a.facilityCode} — {a.number}</option>)}
              </select>
            )}
          </Field>
          <Field label={t('holdings.period')} error={shown('period')}>
            {(p) => (
              <select {...p} name="period" value={period} onChange={(e) => { setPeriod(e.target.value); touch('period'); }}>
                <option value="">{t('form.choose')}</option>
                {periods.map((x) => <option key={x.number} value={x.number}>{periodName(x.number)}</option>)}
              </select>
            )}
          </Field>
          <Field label={t('holdings.unitType')} error={shown('lines[0].unitTypeId')}>
            {(p) => (
              <select {...p} name="lines[0].unitTypeId" value={unitTypeId} onChange={(e) => { setUnitTypeId(e.target.value); touch('lines[0].unitTypeId'); }}>
                <option value="">{t('form.choose')}</option>
                {(account?.holdings ?? []).map((h) => <option key={h.unitTypeId} value={h.unitTypeId}>{h.unitTypeCode} ({label('unitKind', h.kind)}) — {tonnes(h.quantityT)}</option>)}
              </select>
            )}
          </Field>
          <Field label={t('holdings.quantityT')} error={shown('lines[0].quantityT')} hint={held === undefined ? undefined : t('holdings.held', { t: tonnes(held.quantityT) })}>
            {(p) => <input {...p} name="lines[0].quantityT" inputMode="numeric" autoComplete="off" value={quantity} onChange={(e) => { setQuantity(e.target.value.trim()); touch('lines[0].quantityT'); }} />}
          </Field>
          {!named && <Refusal error={error} />}
          <button type="submit" disabled={busy} aria-busy={busy}>{t('holdings.surrender')}</button>
          <Done>{done}</Done>
        </form>
      )}
      <p className="hint">{t('holdings.formatHint', { example: formatNumber(1500) })}</p>
    </section>
  );
}
