// The registry ledger in public: whether the jurisdiction's journal verifies (hash chain recomputed, every entry
// replayed, holdings compared), its head hash to note down, and how many units exist and where they are.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBanner, Loading } from '../../components/ui';
import { useApi } from '../../components/useApi';
import { formatDateTime, formatNumber } from '../../i18n';
import { useSession } from '../../session';
import { termOf, type LedgerStats, type Verification } from './model';

const UNIT_STATUS_ORDER = ['held', 'in_transit', 'surrendered', 'retired', 'cancelled'] as const;

export default function Ledger(): ReactNode {
  const { t } = useTranslation('public');
  const { jurisdiction } = useSession();
  const code = jurisdiction?.code;
  const verification = useApi<Verification>(code === undefined ? null : `jurisdictions/${code}/ledger/verification`);
  const stats = useApi<LedgerStats>(code === undefined ? null : `ledger/stats?jurisdiction=${code}`);
  const [checkedAt, setCheckedAt] = useState(() => new Date().toISOString());
  const v = verification.data;
  return (
    <section className="ledger-page">
      <h1>{t('ledger.title')}</h1>
      <p className="lead">{t('ledger.intro')}</p>
      <section aria-labelledby="verification" aria-busy={verification.loading}>
        <h2 id="verification">{t('ledger.verification')}</h2>
        <ErrorBanner error={verification.error} />
        {verification.loading || v === undefined ? (verification.error === null ? <Loading /> : null) : (
          <>
            <p className={v.ok ? 'verdict ok' : 'verdict failed'} role="status">
              <span aria-hidden="true">{v.ok ? '✓ ' : '✗ '}</span>
              {v.ok ? t('ledger.ok', { count: Number(v.entries), entries: formatNumber(v.entries) }) : t('ledger.failed', { count: v.problems.length })}
            </p>
            <dl className="facts">
              <dt>{t('ledger.entries')}</dt><dd>{formatNumber(v.entries)}</dd>
              <dt>{t('ledger.head')}</dt><dd><code className="hash">{v.head}</code></dd>
              <dt>{t('ledger.checkedAt')}</dt><dd>{formatDateTime(checkedAt)}</dd>
            </dl>
            <p className="hint">{t('ledger.headHint')}</p>
            {v.problems.length > 0 && (
              <div className="table-scroll">
                <table>
                  <caption>{t('ledger.problems')}</caption>
                  <thead><tr><th scope="col" className="num">{t('ledger.seq')}</th><th scope="col">{t('ledger.place')}</th><th scope="col">{t('ledger.message')}</th></tr></thead>
                  <tbody>{v.problems.map((p) => <tr key={`${p.seq}-${p.place}`}><td className="num">{p.seq}</td><td>{p.place}</td><td>{p.message}</td></tr>)}</tbody>
                </table>
              </div>
            )}
          </>
        )}
        <button type="button" className="secondary" disabled={verification.loading} onClick={() => { setCheckedAt(new Date().toISOString()); verification.reload(); }}>{t('ledger.verifyAgain')}</button>
      </section>
      <section aria-labelledby="units">
        <h2 id="units">{t('ledger.units')}</h2>
        <ErrorBanner error={stats.error} />
        {stats.data === undefined ? (stats.error === null ? <Loading /> : null) : stats.data.unitTypes.length === 0 ? <p className="empty">{t('ledger.noUnits')}</p> : (
          <div className="table-scroll">
            <table>
              <caption className="visually-hidden">{t('ledger.units')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('ledger.unitType')}</th>
                  <th scope="col" className="num">{t('ledger.issued')}</th>
                  {UNIT_STATUS_ORDER.map((s) => <th scope="col" className="num" key={s}>{termOf(t, 'unitStatuses', s)}</th>)}
                </tr>
              </thead>
              <tbody>
                {stats.data.unitTypes.map((u) => (
                  <tr key={u.unitType}>
                    <th scope="row">{termOf(t, 'creditKinds', u.kind, u.kind)} <span className="code">{u.unitType}</span></th>
                    <td className="num">{formatNumber(u.issuedT)}</td>
                    {UNIT_STATUS_ORDER.map((s) => <td className="num" key={s}>{formatNumber(u.byStatusT[s] ?? '0')}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {stats.data !== undefined && stats.data.transactions.length > 0 && (
          <div className="table-scroll">
            <table>
              <caption>{t('ledger.transactions')}</caption>
              <thead><tr><th scope="col">{t('ledger.txType')}</th><th scope="col">{t('ledger.txStatus')}</th><th scope="col" className="num">{t('ledger.count')}</th><th scope="col" className="num">{t('ledger.quantity')}</th></tr></thead>
              <tbody>
                {stats.data.transactions.map((x) => (
                  <tr key={`${x.type}-${x.status}`}>
                    <td>{termOf(t, 'txTypes', x.type, x.type)}</td>
                    <td>{termOf(t, 'txStatuses', x.status, x.status)}</td>
                    <td className="num">{formatNumber(x.count)}</td>
                    <td className="num">{formatNumber(x.quantityT)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}
