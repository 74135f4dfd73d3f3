// The annual report form (GHG Emissions Report): the fiscal year, its fuel lines with live crude-oil equivalent and
// CO2, the attachments that go with it, then save as a draft or save and submit. Also used to correct a returned or
// accepted report (a new version). The server converts the lines itself and answers with the authoritative figures.
import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, post, request } from '../../../api';
import { Field } from '../../../components/ui';
import { formatFiscalYear } from '../../../i18n';
import { navigate, type Params } from '../../../router';
import { reportingPeriodOf } from '../shared/conversion';
import { periodName, fieldError } from '../shared/format';
import { useApi, useJurisdictionPath } from '../shared/hooks';
import { Done, Loaded, PageHead, Refusal, Working } from '../shared/parts';
import type { FacilityDetail, ProgramDefinition, ProgramResponse, Report } from '../shared/types';
import { LinesEditor, lineProblems, linesBody, newLine, type EditableLine } from './LinesEditor';

/** The fiscal years a report may be for: the base-year window through the last period. */
export function reportableYears(program: ProgramDefinition): number[] {
  const first = program.baseYear?.windowFirstFiscalYear ?? program.periods[0]?.firstFiscalYear ?? 2000;
  const last = program.periods[program.periods.length - 1]?.lastFiscalYear ?? first;
  const out: number[] = [];
  for (let fy = last; fy >= first; fy--) if (reportingPeriodOf(program, fy) !== undefined) out.push(fy);
  return out;
}

/** Last fiscal year (April start) at the reader's clock: the year a report is usually for. */
function lastFiscalYear(): number {
  const now = new Date();
  return (now.getMonth() >= 3 ? now.getFullYear() : now.getFullYear() - 1) - 1;
}

export function AttachmentsNoted(): ReactNode {
  const { t } = useTranslation('roles');
  const docs = ['verificationReport', 'verificationDetail', 'checklist'] as const;
  return (
    <fieldset className="rp-attachments">
      <legend>{t('attachments.title')}</legend>
      <p className="hint">{t('attachments.hint')}</p>
      {docs.map((d) => (
        <label key={d}><input type="checkbox" name={`attachment-${d}`} /> {t(`attachments.${d}`)}</label>
      ))}
    </fieldset>
  );
}

/** Whether every line is well formed (the client's checks; the server applies the program's rules). */
export function linesReady(program: ProgramDefinition, fiscalYear: number, lines: readonly EditableLine[]): boolean {
  return lines.length > 0 && lines.every((l) => Object.keys(lineProblems(program, fiscalYear, l, (k) => k)).length === 0);
}

/** Every field of every line marked touched, so that all format problems show at once. */
export function touchAll(lines: readonly EditableLine[]): EditableLine[] {
  return lines.map((l) => ({ ...l, touched: ['source', 'quantity', 'tCo2PerUnit'] }));
}

export default function ReportForm({ params }: { params: Params }): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  const code = params.facility ?? '';
  const facility = useApi<FacilityDetail>(base === null ? null : `${base}/facilities/${encodeURIComponent(code)}`);
  const program = useApi<ProgramResponse>(base === null ? null : `${base}/program`);
  return (
    <>
      <PageHead title={t('report.newTitle')} lead={facility.data === undefined ? code : `${facility.data.name} (${facility.data.code})`} />
      <Loaded loading={facility.loading || program.loading} error={facility.error ?? program.error} empty={program.data === undefined ? undefined : false}>
        {program.data !== undefined && base !== null && <NewReport base={base} facility={code} program={program.data.definition} />}
      </Loaded>
    </>
  );
}

function NewReport({ base, facility, program }: { base: string; facility: string; program: ProgramDefinition }): ReactNode {
  const { t } = useTranslation('roles');
  const years = reportableYears(program);
  const [fiscalYear, setFiscalYear] = useState(() => (years.includes(lastFiscalYear()) ? lastFiscalYear() : (years[0] ?? lastFiscalYear())));
  const [lines, setLines] = useState<EditableLine[]>(() => [newLine('energy', 'electricity_grid'), newLine('energy', 'city_gas')]);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState<'save' | 'submit' | null>(null);
  const [saved, setSaved] = useState<Report | null>(null);
  const period = reportingPeriodOf(program, fiscalYear);

  const save = async (e: SyntheticEvent, andSubmit: boolean): Promise<void> => {
    e.preventDefault();
    if (!linesReady(program, fiscalYear, lines)) {
      setLines(touchAll(lines));
      return;
    }
    setBusy(andSubmit ? 'submit' : 'save');
    setError(undefined);
    try {
      // Once the draft exists (a submission that failed after saving), later attempts update its lines instead.
      const body = linesBody(program, fiscalYear, lines);
      const draft = saved === null
        ? await post<Report>(`${base}/facilities/${encodeURIComponent(facility)}/reports`, { fiscalYear, lines: body }, { idempotencyKey: true })
        : await request<Report>('PUT', `${base}/reports/${encodeURIComponent(saved.id)}/lines`, { body: { lines: body } });
      setSaved(draft);
      if (andSubmit) await post<Report>(`${base}/reports/${encodeURIComponent(draft.id)}/submit`);
      navigate(`/reports/${encodeURIComponent(draft.id)}?${andSubmit ? 'submitted' : 'saved'}=1`);
    } catch (err) {
      setError(err);
      // A field the server named: put the focus there, so that keyboard and screen-reader users land on it.
      if (err instanceof ApiError && err.field !== undefined) {
        setTimeout(() => { document.querySelector<HTMLElement>(`[name="${CSS.escape(err.field ?? '')}"]`)?.focus(); }, 0);
      }
    } finally {
      setBusy(null);
    }
  };

  const lineField = error instanceof ApiError && error.field !== undefined && (error.field.startsWith('lines') || error.field === 'fiscalYear');
  return (
    <form className="rp-form rp-report-form" onSubmit={(e) => { void save(e, false); }} noValidate data-form="report">
      <Field label={t('report.fiscalYear')} error={fieldError(error, 'fiscalYear')} hint={period === undefined ? undefined : t('report.periodHint', { period: periodName(period) })}>
        {(p) => (
          <select {...p} name="fiscalYear" value={fiscalYear} onChange={(e) => { setFiscalYear(Number(e.target.value)); setError(undefined); }}>
            {years.map((fy) => <option key={fy} value={fy}>{formatFiscalYear(fy)}</option>)}
          </select>
        )}
      </Field>
      <h2>{t('lines.title')}</h2>
      <LinesEditor program={program} fiscalYear={fiscalYear} lines={lines} onChange={(l) => { setLines(l); }} error={error} />
      <AttachmentsNoted />
      {!lineField && <Refusal error={error} />}
      {lineField && <p className="error-banner" role="alert">{t('report.fixFields')}</p>}
      {busy !== null && <Working label={busy === 'submit' ? t('report.submitting') : t('report.saving')} />}
      <p className="rp-actions">
        <button type="submit" className="secondary" disabled={busy !== null}>{t('report.saveDraft')}</button>
        <button type="button" disabled={busy !== null} onClick={(e) => { void save(e, true); }}>{t('report.saveAndSubmit')}</button>
      </p>
      <Done>{saved !== null && t('report.savedAs', { id: saved.id })}</Done>
    </form>
  );
}
