// The approval queue of representatives (and of the authority, for issuances and reversals): transactions waiting
// for a second pair of eyes, each with approve, reject and cancel. One's own proposal cannot be approved — the button
// is disabled and the page says why (four-eyes rule); the server refuses it too (FOUR_EYES), and any refusal it gives
// is shown with its code. A transfer to an account not on the trusted list is held after approval until its delay
// has passed; it can still be cancelled meanwhile.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../../../api';
import { formatDateTime } from '../../../i18n';
import { useSession } from '../../../session';
import { label, tonnes } from '../shared/format';
import { useJurisdictionPath, usePaged, emptyOf } from '../shared/hooks';
import { AUTHORITY_TABS, Done, Loaded, MoreButton, PageHead, Refusal, StatusBadge } from '../shared/parts';
import type { QueuedTransaction, TransactionOutcome } from '../shared/types';

export default function Approvals(): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  const { rolesHere } = useSession();
  const authority = rolesHere.has('authority_admin') || rolesHere.has('authority_officer');
  const queue = usePaged<QueuedTransaction>(base === null ? null : `${base}/workspace/approval-queue`);
  return (
    <>
      <PageHead title={t('approvals.title')} lead={t('approvals.lead')} tabs={authority ? AUTHORITY_TABS : undefined} />
      <Loaded loading={queue.loading} error={queue.error} empty={emptyOf(queue)} emptyText={t('approvals.none')}>
        <ul className="rp-queue" aria-label={t('approvals.title')}>
          {queue.items.map((tx) => base !== null && <QueueItem key={tx.id} base={base} tx={tx} onChange={queue.reload} />)}
        </ul>
        <MoreButton more={queue.more} loading={queue.loading} onMore={queue.loadMore} />
      </Loaded>
    </>
  );
}

function QueueItem({ base, tx, onChange }: { base: string; tx: QueuedTransaction; onChange: () => void }): ReactNode {
  const { t } = useTranslation('roles');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const why = tx.approvalBlockedBy === null ? null : t(`approvals.blocked.${tx.approvalBlockedBy}`);
  const whyId = `why-${tx.id}`;
  const act = async (step: 'approve' | 'reject' | 'cancel'): Promise<void> => {
    setBusy(step);
    setError(undefined);
    setDone(null);
    try {
      const o = await post<TransactionOutcome>(`${base}/transactions/${encodeURIComponent(tx.id)}/${step}`, step === 'reject' ? { reason: reason.trim() } : undefined);
      const hold = o.transaction.status === 'approved' ? o.transaction.hold : null;
      setDone(
        o.completionRefusal !== null
          ? t('approvals.completionRefused', { code: o.completionRefusal.code })
          : hold !== null && hold.delayRule !== null
            ? t('approvals.held', { at: formatDateTime(hold.executeAfter) })
            : t(`approvals.done.${step}`),
      );
      setTimeout(onChange, 1500);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  return (
    <li className="rp-queue-item" data-tx={tx.id}>
      <div className="rp-queue-head">
        <h2>{label('txType', tx.type)} · {tonnes(tx.quantityT)} {tx.unitTypeCode}</h2>
        <StatusBadge group="txStatus" status={tx.status === 'approved' ? 'held' : tx.status} />
      </div>
      <dl className="rp-dl">
        <dt>{t('approvals.from')}</dt><dd>{tx.fromAccountNumber ?? '—'}</dd>
        <dt>{t('approvals.to')}</dt><dd>{tx.toAccountNumber ?? '—'}</dd>
        <dt>{t('approvals.proposedBy')}</dt><dd>{tx.proposedByName}{tx.ownProposal && <> ({t('approvals.you')})</>}</dd>
        <dt>{t('approvals.proposedAt')}</dt><dd>{formatDateTime(tx.proposedAt)}</dd>
        {tx.executeAfter !== null && <><dt>{t('approvals.executeAfter')}</dt><dd>{formatDateTime(tx.executeAfter)}</dd></>}
      </dl>
      <div className="rp-actions">
        {tx.status === 'proposed' && (
          <button type="button" data-action="approve" disabled={!tx.mayApprove || busy !== null} aria-describedby={why === null ? undefined : whyId} onClick={() => { void act('approve'); }} aria-busy={busy === 'approve'}>
            {t('approvals.approve')}
          </button>
        )}
        <button type="button" className="secondary" data-action="reject" disabled={busy !== null || tx.ownProposal} onClick={() => { setRejecting((r) => !r); }} aria-expanded={rejecting}>{t('approvals.reject')}</button>
        {tx.mayCancel && <button type="button" className="secondary" data-action="cancel" disabled={busy !== null} onClick={() => { void act('cancel'); }} aria-busy={busy === 'cancel'}>{t('approvals.cancel')}</button>}
      </div>
      {why !== null && tx.status === 'proposed' && (
        <p id={whyId} className="rp-why" data-rule={tx.approvalBlockedBy}>
          {why} <code>{tx.approvalBlockedBy}</code>
        </p>
      )}
      {rejecting && (
        <form className="rp-form rp-inline-form" onSubmit={(e) => { e.preventDefault(); if (reason.trim() !== '') void act('reject'); }} noValidate>
          <div className={`field${reason.trim() === '' ? '' : ''}`}>
            <label htmlFor={`reason-${tx.id}`}>{t('approvals.reason')}</label>
            <input id={`reason-${tx.id}`} name="reason" value={reason} onChange={(e) => { setReason(e.target.value); }} aria-describedby={`reason-hint-${tx.id}`} />
            <small id={`reason-hint-${tx.id}`} className="hint">{t('approvals.reasonHint')}</small>
          </div>
          <button type="submit" disabled={busy !== null || reason.trim() === ''}>{t('approvals.confirmReject')}</button>
        </form>
      )}
      <Refusal error={error} />
      <Done>{done}</Done>
    </li>
  );
}
