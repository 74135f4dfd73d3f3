// Recovery codes, shown once: each signs in once when the authenticator app is lost. The person saves them (copy or
// download as text) and says so before going on; the server keeps only their digests.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { downloadText } from '../../components/download';

export function RecoveryCodes({ codes, onDone }: { codes: readonly string[]; onDone: () => void }): ReactNode {
  const { t } = useTranslation('auth');
  const [saved, setSaved] = useState(false);
  const [copied, setCopied] = useState(false);
  const text = `${codes.join('\n')}\n`;
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <section data-section="recovery-codes" aria-labelledby="recovery-title">
      <h2 id="recovery-title">{t('recovery.title')}</h2>
      <p>{t('recovery.intro', { count: codes.length })}</p>
      <ol className="recovery-codes">
        {codes.map((c) => <li key={c}><code>{c}</code></li>)}
      </ol>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => void copy()}>{t('recovery.copy')}</button>
        <button type="button" className="secondary" onClick={() => { downloadText('citycap-recovery-codes.txt', text, 'text/plain'); }}>{t('recovery.download')}</button>
        <span role="status" aria-live="polite">{copied ? t('recovery.copied') : ''}</span>
      </div>
      <label className="check">
        <input type="checkbox" name="saved" checked={saved} onChange={(e) => { setSaved(e.target.checked); }} /> {t('recovery.saved')}
      </label>
      <div className="actions">
        <button type="button" disabled={!saved} onClick={onDone}>{t('continue')}</button>
      </div>
    </section>
  );
}
