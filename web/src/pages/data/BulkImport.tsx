// Bulk imports from one CSV or Excel file, checked whole before anything is written (a dry run writes nothing at all),
// with upload progress and every problem listed: facilities and accepted report history (the authority
// administrator), drafts of many reports (operators). The choices follow the roles held; the server decides.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../session';
import { FileUpload } from './parts';

type Kind = 'facilities' | 'accepted' | 'draft';
/** Who each kind is for (the server checks: report.submit, facility.register, program.configure); the first offered is chosen. */
const KINDS: readonly (readonly [Kind, readonly string[]])[] = [
  ['draft', ['facility_operator']],
  ['facilities', ['authority_admin', 'facility_operator']],
  ['accepted', ['authority_admin']],
];

interface ImportResult {
  readonly dryRun: boolean;
  readonly facilities?: number;
  readonly statusDecisions?: number;
  readonly reports?: number;
  readonly lines?: number;
}

export default function BulkImport(): ReactNode {
  const { t } = useTranslation('data');
  const { jurisdiction, rolesHere } = useSession();
  const kinds = KINDS.filter(([, roles]) => roles.some((r) => rolesHere.has(r))).map(([k]) => k);
  const [chosen, setChosen] = useState<Kind | null>(null);
  const kind: Kind = chosen !== null && kinds.includes(chosen) ? chosen : (kinds[0] ?? 'facilities');
  const [dryRun, setDryRun] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);
  const base = jurisdiction === undefined ? null : `jurisdictions/${encodeURIComponent(jurisdiction.code)}`;
  const query = dryRun ? '?dryRun=true' : '';
  const path = base === null ? null : kind === 'facilities' ? `${base}/imports/facilities${query}` : `${base}/imports/reports?mode=${kind}${dryRun ? '&dryRun=true' : ''}`;

  const summary = (r: ImportResult): string => {
    if (r.dryRun) return t('import.dryRunDone');
    return r.facilities !== undefined ? t('import.doneFacilities', { count: r.facilities, decisions: r.statusDecisions ?? 0 }) : t('import.doneReports', { count: r.reports ?? 0, lines: r.lines ?? 0 });
  };

  return (
    <section className="data-page">
      <h1>{t('import.title')}</h1>
      <p className="lead">{t('import.lead')}</p>
      <fieldset className="data-choice">
        <legend>{t('import.kind')}</legend>
        {kinds.map((k) => (
          <label key={k}>
            <input type="radio" name="data-kind" value={k} checked={kind === k} onChange={() => { setChosen(k); setResult(null); }} /> {t(`import.kinds.${k}`)}
          </label>
        ))}
      </fieldset>
      <label className="data-dry-run">
        <input type="checkbox" checked={dryRun} onChange={(e) => { setDryRun(e.target.checked); setResult(null); }} /> {t('import.dryRun')}
      </label>
      <FileUpload key={path} path={path} label={t('import.file')} hint={t('import.fileHint')} submitLabel={t('import.submit')} onDone={(r) => { setResult(r as ImportResult); }} />
      {result !== null && <p className="data-done" role="status">{summary(result)}</p>}
    </section>
  );
}
