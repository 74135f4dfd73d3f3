// One report, for everyone who works on it: its lines with the server's crude-oil equivalent and CO2, its status,
// and the next step for the reader's role — the operator edits and submits a draft or corrects a returned or
// accepted report; a verifier verifies a submitted report for their agency or returns it with comments; the
// authority accepts a verified report or returns it. The page offers what the roles allow; the server decides.
import { useEffect, useState, type SyntheticEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, post, request } from '../../../api';
import { Field } from '../../../components/ui';
import { formatFiscalYear } from '../../../i18n';
import { currentQuery, navigate, type Params } from '../../../router';
import { useSession } from '../../../session';
import { kgAsTonnes, label, litresAsKlText, periodName, fieldError } from '../shared/format';
import { reportingPeriodOf } from '../shared/conversion';
import { useApi, useJurisdictionPath } from '../shared/hooks';
import { Done, Loaded, PageHead, Refusal, StatusBadge, Working } from '../shared/parts';
import type { Agency, ProgramDefinition, ProgramResponse, Report } from '../shared/types';
import { LinesEditor, linesBody, newLine, type EditableLine } from './LinesEditor';
import { AttachmentsNoted, linesReady, touchAll } from './ReportForm';

function editable(report: Report): EditableLine[] {
  return report.lines.map((l) => ({ ...newLine(l.kind, l.source), quantity: l.quantity }));
}

export default function ReportPage({ params }: { params: Params }): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  const id = params.reportId ?? '';
  const report = useApi<Report>(base === null ? null : `${base}/reports/${encodeURIComponent(id)}`);
  const program = useApi<ProgramResponse>(base === null ? null : `${base}/program`);
  const { rolesHere } = useSession();
  const r = report.data;
  const query = currentQuery();
  const arrived = query.has('submitted') ? t('report.submittedDone') : query.has('saved') ? t('report.savedDone') : query.has('corrected') ? t('report.correctedDone') : null;
  // What the last step did: kept here, above the report, because the step's own panel goes when the status changes.
  const [notice, setNotice] = useState<string | null>(null);
  const changed = (message: string): void => { setNotice(message); report.reload(); };
  return (
    <>
      <PageHead title={r === undefined ? t('report.title') : t('report.titleOf', { year: formatFiscalYear(r.fiscalYear), facility: r.facility })}>
        {r !== undefined && (
          <p className="rp-meta">
            <a href={`#/${rolesHere.has('authority_admin') || rolesHere.has('authority_officer') ? 'authority/facilities' : 'operator'}/${encodeURIComponent(r.facility)}`}>{r.facility}</a>
            <span>{t('report.versionN', { n: r.version })}</span>
            <StatusBadge group="reportStatus" status={r.status} />
          </p>
        )}
      </PageHead>
      <Done>{notice ?? arrived}</Done>
      <Loaded loading={report.loading || program.loading} error={report.error ?? program.error} empty={r === undefined || program.data === undefined ? undefined : false}>
        {r !== undefined && program.data !== undefined && base !== null && (
          <ReportBody base={base} report={r} program={program.data.definition} onChange={changed} />
        )}
      </Loaded>
    </>
  );
}

function ReportBody({ base, report, program, onChange }: { base: string; report: Report; program: ProgramDefinition; onChange: (message: string) => void }): ReactNode {
  const { t } = useTranslation('roles');
  const { rolesHere } = useSession();
  const operator = rolesHere.has('facility_operator');
  const verifier = rolesHere.has('verifier');
  const authority = rolesHere.has('authority_admin') || rolesHere.has('authority_officer');
  const period = reportingPeriodOf(program, report.fiscalYear);
  const [correcting, setCorrecting] = useState(false);
  return (
    <>
      {report.returnedReason !== null && (
        <div className="rp-callout" role="note">
          <h2>{t('report.returnedTitle')}</h2>
          <p>{report.returnedReason}</p>
        </div>
      )}
      <dl className="rp-figures">
        <div><dt>{t('report.fiscalYear')}</dt><dd>{formatFiscalYear(report.fiscalYear)}{period !== undefined && <> · {periodName(period)}</>}</dd></div>
        <div><dt>{t('report.coe')}</dt><dd data-figure="coe">{litresAsKlText(report.coeL)}</dd></div>
        <div><dt>{t('report.co2')}</dt><dd data-figure="co2">{kgAsTonnes(report.emissionsKg)}</dd></div>
        <div><dt>{t('report.otherGas')}</dt><dd>{kgAsTonnes(report.otherGasCo2eKg, 'unit.tonnesCo2e')}</dd></div>
      </dl>
      {report.status === 'draft' && operator ? (
        <DraftEditor base={base} report={report} program={program} onChange={onChange} />
      ) : correcting ? (
        <CorrectionEditor base={base} report={report} program={program} onCancel={() => { setCorrecting(false); }} />
      ) : (
        <>
          <LinesTable report={report} />
          {operator && (report.status === 'returned' || report.status === 'accepted') && (
            <p><button type="button" onClick={() => { setCorrecting(true); }}>{t('report.correct')}</button></p>
          )}
        </>
      )}
      {verifier && report.status === 'submitted' && <VerifierActions base={base} report={report} onChange={onChange} />}
      {authority && (report.status === 'verified' || report.status === 'submitted') && <AuthorityActions base={base} report={report} onChange={onChange} />}
    </>
  );
}

function LinesTable({ report }: { report: Report }): ReactNode {
  const { t } = useTranslation('roles');
  return (
    <div className="rp-table-wrap">
      <table data-table="report-lines">
        <caption>{t('lines.title')}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('lines.source')}</th>
            <th scope="col" className="num">{t('lines.quantity')}</th>
            <th scope="col">{t('lines.unit')}</th>
            <th scope="col" className="num">{t('report.coe')}</th>
            <th scope="col" className="num">{t('report.co2')}</th>
          </tr>
        </thead>
        <tbody>
          {report.lines.map((l) => (
            <tr key={l.lineNo}>
              <td>{l.lineNo}</td>
              <td>{l.kind === 'energy' ? label('energySource', l.source) : `${t('lines.gas')}: ${l.source}`}</td>
              <td className="num">{l.quantity}</td>
              <td>{label('unitName', l.unit)}</td>
              <td className="num">{litresAsKlText(l.coeL)}</td>
              <td className="num">{kgAsTonnes(l.co2Kg, l.kind === 'energy' ? 'unit.tonnes' : 'unit.tonnesCo2e')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Focuses the field the server named, once it is on the page. */
function focusField(err: unknown): void {
  if (err instanceof ApiError && err.field !== undefined) {
    setTimeout(() => { document.querySelector<HTMLElement>(`[name="${CSS.escape(err.field ?? '')}"]`)?.focus(); }, 0);
  }
}

function DraftEditor({ base, report, program, onChange }: { base: string; report: Report; program: ProgramDefinition; onChange: (message: string) => void }): ReactNode {
  const { t } = useTranslation('roles');
  const [lines, setLines] = useState<EditableLine[]>(() => editable(report));
  const [dirty, setDirty] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState<'save' | 'submit' | null>(null);
  useEffect(() => { setLines(editable(report)); setDirty(false); }, [report]);
  const act = async (e: SyntheticEvent, andSubmit: boolean): Promise<void> => {
    e.preventDefault();
    // Submitting an unchanged draft sends no lines (the registry keeps their figures, not supplier factors to re-enter).
    const saveLines = dirty || !andSubmit;
    if (saveLines && !linesReady(program, report.fiscalYear, lines)) {
      setLines(touchAll(lines));
      return;
    }
    setBusy(andSubmit ? 'submit' : 'save');
    setError(undefined);
    try {
      if (saveLines) await request<Report>('PUT', `${base}/reports/${encodeURIComponent(report.id)}/lines`, { body: { lines: linesBody(program, report.fiscalYear, lines) } });
      if (andSubmit) await post<Report>(`${base}/reports/${encodeURIComponent(report.id)}/submit`);
      onChange(andSubmit ? t('report.submittedDone') : t('report.savedDone'));
    } catch (err) {
      setError(err);
      focusField(err);
    } finally {
      setBusy(null);
    }
  };
  return (
    <form className="rp-form rp-report-form" onSubmit={(e) => { void act(e, false); }} noValidate data-form="report">
      <h2>{t('lines.title')}</h2>
      <LinesEditor program={program} fiscalYear={report.fiscalYear} lines={lines} onChange={(l) => { setLines(l); setDirty(true); }} error={error} />
      <AttachmentsNoted />
      <Refusal error={error instanceof ApiError && error.field?.startsWith('lines') === true ? undefined : error} />
      {busy !== null && <Working label={busy === 'submit' ? t('report.submitting') : t('report.saving')} />}
      <p className="rp-actions">
        <button type="submit" className="secondary" disabled={busy !== null}>{t('report.saveDraft')}</button>
        <button type="button" disabled={busy !== null} onClick={(e) => { void act(e, true); }}>{t('report.submit')}</button>
      </p>
    </form>
  );
}

function CorrectionEditor({ base, report, program, onCancel }: { base: string; report: Report; program: ProgramDefinition; onCancel: () => void }): ReactNode {
  const { t } = useTranslation('roles');
  const [lines, setLines] = useState<EditableLine[]>(() => editable(report));
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const act = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    if (!linesReady(program, report.fiscalYear, lines)) {
      setLines(touchAll(lines));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const next = await post<Report>(`${base}/reports/${encodeURIComponent(report.id)}/corrections`, { lines: linesBody(program, report.fiscalYear, lines) }, { idempotencyKey: true });
      navigate(`/reports/${encodeURIComponent(next.id)}?corrected=1`);
    } catch (err) {
      setError(err);
      focusField(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="rp-form rp-report-form" onSubmit={(e) => { void act(e); }} noValidate data-form="correction">
      <h2>{t('report.correctTitle')}</h2>
      <p className="hint">{t('report.correctHint')}</p>
      <LinesEditor program={program} fiscalYear={report.fiscalYear} lines={lines} onChange={setLines} error={error} />
      <Refusal error={error instanceof ApiError && error.field?.startsWith('lines') === true ? undefined : error} />
      <p className="rp-actions">
        <button type="button" className="secondary" onClick={onCancel}>{t('form.cancel')}</button>
        <button type="submit" disabled={busy} aria-busy={busy}>{t('report.saveCorrection')}</button>
      </p>
    </form>
  );
}

function VerifierActions({ base, report, onChange }: { base: string; report: Report; onChange: (message: string) => void }): ReactNode {
  const { t } = useTranslation('roles');
  const agencies = useApi<{ items: Agency[] }>(`${base}/workspace/verification-agencies`);
  const mine = (agencies.data?.items ?? []).filter((a) => a.mine);
  const [agencyId, setAgencyId] = useState('');
  const chosen = agencyId !== '' ? agencyId : (mine.length === 1 ? mine[0]!.id : '');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const verify = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    if (chosen === '') return;
    setBusy(true);
    setError(undefined);
    try {
      await post<Report>(`${base}/reports/${encodeURIComponent(report.id)}/verify`, { agencyId: chosen });
      onChange(t('verify.done'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="verify-h" className="rp-section rp-decide">
      <h2 id="verify-h">{t('verify.title')}</h2>
      <form className="rp-form" onSubmit={(e) => { void verify(e); }} noValidate data-form="verify">
        <Field label={t('verify.agency')} error={fieldError(error, 'agencyId')} hint={mine.length === 0 && agencies.data !== undefined ? t('verify.noAgency') : undefined}>
          {(p) => (
            <select {...p} name="agencyId" value={chosen} onChange={(e) => { setAgencyId(e.target.value); }}>
              <option value="">{t('form.choose')}</option>
              {mine.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
            </select>
          )}
        </Field>
        <Refusal error={fieldError(error, 'agencyId') === undefined ? error : undefined} />
        <button type="submit" disabled={busy || chosen === ''} aria-busy={busy}>{t('verify.verify')}</button>
      </form>
      <ReturnForm base={base} report={report} onChange={onChange} labelKey="verify.returnWithComments" />
    </section>
  );
}

function AuthorityActions({ base, report, onChange }: { base: string; report: Report; onChange: (message: string) => void }): ReactNode {
  const { t } = useTranslation('roles');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const accept = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await post<Report>(`${base}/reports/${encodeURIComponent(report.id)}/accept`);
      onChange(t('review.accepted'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="review-h" className="rp-section rp-decide">
      <h2 id="review-h">{t('review.title')}</h2>
      {report.status === 'verified' && (
        <p>
          <button type="button" onClick={() => { void accept(); }} disabled={busy} aria-busy={busy}>{t('review.accept')}</button>
        </p>
      )}
      <Refusal error={error} />
      <ReturnForm base={base} report={report} onChange={onChange} labelKey="review.return" />
    </section>
  );
}

function ReturnForm({ base, report, onChange, labelKey }: { base: string; report: Report; onChange: (message: string) => void; labelKey: string }): ReactNode {
  const { t } = useTranslation('roles');
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const local = reason.trim() === '' ? t('form.required') : reason.length > 2000 ? t('form.tooLong', { n: 2000 }) : undefined;
  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    setTouched(true);
    if (local !== undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      await post<Report>(`${base}/reports/${encodeURIComponent(report.id)}/return`, { reason: reason.trim() });
      onChange(t('review.returned'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="rp-form" onSubmit={(e) => { void submit(e); }} noValidate data-form="return">
      <Field label={t('verify.comments')} error={(touched ? local : undefined) ?? fieldError(error, 'reason')} hint={t('verify.commentsHint')}>
        {(p) => <textarea {...p} name="reason" rows={3} value={reason} onChange={(e) => { setReason(e.target.value); setTouched(true); }} />}
      </Field>
      <Refusal error={fieldError(error, 'reason') === undefined ? error : undefined} />
      <button type="submit" className="secondary" disabled={busy} aria-busy={busy}>{t(labelKey)}</button>
    </form>
  );
}
