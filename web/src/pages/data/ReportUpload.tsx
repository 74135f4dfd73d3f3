// The operator's Excel route to a report: pick a facility and fiscal year, download the report template, fill it in,
// upload it (with progress) — the server turns it into the facility's draft report, or lists every problem of the
// file with its cell. The report page then shows the draft to check and submit.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { API } from '../../api';
import { useApi } from '../../components/useApi';
import { ErrorBanner, Loading } from '../../components/ui';
import { formatFiscalYear, formatNumber } from '../../i18n';
import { useSession } from '../../session';
import { FileUpload } from './parts';

interface Facility {
  readonly code: string;
  readonly name: string;
}

interface UploadResult {
  readonly items: readonly { reportId: string; fiscalYear: number; version: number; action: string; lines: number; emissionsKg: string }[];
}

/** The fiscal year just ended (April start): what a report is usually for. */
function lastFiscalYear(): number {
  const now = new Date();
  return (now.getMonth() >= 3 ? now.getFullYear() : now.getFullYear() - 1) - 1;
}

export default function ReportUpload(): ReactNode {
  const { t } = useTranslation('data');
  const { jurisdiction } = useSession();
  const base = jurisdiction === undefined ? null : `jurisdictions/${encodeURIComponent(jurisdiction.code)}`;
  const facilities = useApi<{ items: Facility[] }>(base === null ? null : `${base}/my-facilities?limit=200`);
  const [chosen, setChosen] = useState<string | null>(null);
  const [fiscalYear, setFiscalYear] = useState(lastFiscalYear);
  const [result, setResult] = useState<UploadResult | null>(null);
  const items = facilities.data?.items ?? [];
  const facility = chosen ?? items[0]?.code ?? null;
  const facilityPath = base === null || facility === null ? null : `${base}/facilities/${encodeURIComponent(facility)}`;
  const done = result?.items[0];

  return (
    <section className="data-page">
      <h1>{t('upload.title')}</h1>
      <p className="lead">{t('upload.lead')}</p>
      {facilities.loading && <Loading />}
      <ErrorBanner error={facilities.error} />
      {!facilities.loading && items.length === 0 && facilities.error === null && <p className="empty">{t('upload.noFacilities')}</p>}
      {items.length > 0 && (
        <>
          <div className="data-choice">
            <div className="field">
              <label htmlFor="data-facility">{t('upload.facility')}</label>
              <select id="data-facility" value={facility ?? ''} onChange={(e) => { setChosen(e.target.value); setResult(null); }}>
                {items.map((f) => <option key={f.code} value={f.code}>{f.code} — {f.name}</option>)}
              </select>
            </div>
            <div className="field">
              <label htmlFor="data-year">{t('upload.fiscalYear')}</label>
              <input id="data-year" type="number" min={1990} max={2200} value={fiscalYear} onChange={(e) => { setFiscalYear(Number(e.target.value)); setResult(null); }} />
            </div>
          </div>
          {facilityPath !== null && (
            <p>
              <a className="button" href={`${API}/${facilityPath}/report-template?fiscalYear=${fiscalYear}`} download>{t('upload.template')}</a>
              <br />
              <small className="hint">{t('upload.templateHint')}</small>
            </p>
          )}
          <FileUpload path={facilityPath === null ? null : `${facilityPath}/report-uploads`} label={t('upload.file')} hint={t('upload.fileHint')} submitLabel={t('upload.submit')} onDone={(r) => { setResult(r as UploadResult); }} />
          {done !== undefined && (
            <p className="data-done" role="status">
              {t('upload.done', { fiscalYear: formatFiscalYear(done.fiscalYear), action: t(`action.${done.action}`), version: done.version, lines: done.lines, emissionsT: formatNumber(Number(done.emissionsKg) / 1000, 3) })}{' '}
              <a href={`#/reports/${encodeURIComponent(done.reportId)}`}>{t('upload.open')}</a>
            </p>
          )}
        </>
      )}
    </section>
  );
}
