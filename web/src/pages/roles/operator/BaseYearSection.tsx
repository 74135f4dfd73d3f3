// The base-year choice: the program's number of consecutive fiscal years inside its window, each with an accepted
// report. The form previews the average of the accepted reports as the operator picks the first year; the server
// computes the base-year emissions (and refuses a choice without accepted reports, naming the year).
import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../../../api';
import { Field } from '../../../components/ui';
import { formatFiscalYear, formatNumber } from '../../../i18n';
import { kgAsTonnes, tonnes, yearRange, fieldError } from '../shared/format';
import { Done, Refusal } from '../shared/parts';
import type { BaseYear, ProgramDefinition, ReportSummary } from '../shared/types';

/** The latest accepted version's emissions of each fiscal year (kg). */
function acceptedByYear(reports: readonly ReportSummary[]): Map<number, bigint> {
  const out = new Map<number, { version: number; kg: bigint }>();
  for (const r of reports) {
    if (r.status !== 'accepted') continue;
    const known = out.get(r.fiscalYear);
    if (known === undefined || known.version < r.version) out.set(r.fiscalYear, { version: r.version, kg: BigInt(r.emissionsKg) });
  }
  return new Map([...out].map(([fy, v]) => [fy, v.kg]));
}

export function BaseYearSection({ base, facility, program, current, reports, mayChoose, onChosen }: {
  base: string;
  facility: string;
  program: ProgramDefinition | undefined;
  current: BaseYear | null;
  reports: readonly ReportSummary[];
  mayChoose: boolean;
  onChosen: () => void;
}): ReactNode {
  const { t } = useTranslation('roles');
  const win = program?.baseYear;
  const count = win?.consecutiveYears ?? 3;
  const firsts: number[] = [];
  if (win !== undefined) for (let fy = win.windowFirstFiscalYear; fy + count - 1 <= win.windowLastFiscalYear; fy++) firsts.push(fy);
  const [first, setFirst] = useState<number | null>(current?.firstFiscalYear ?? null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<BaseYear | null>(null);
  const accepted = acceptedByYear(reports);
  const chosenYears = first === null ? [] : Array.from({ length: count }, (_, i) => first + i);
  const missing = chosenYears.filter((fy) => !accepted.has(fy));
  const averageKg = missing.length === 0 && chosenYears.length > 0 ? chosenYears.reduce((s, fy) => s + accepted.get(fy)!, 0n) / BigInt(count) : null;
  const localError = first !== null && missing.length > 0 ? t('baseYear.missing', { years: missing.map(formatFiscalYear).join(', ') }) : undefined;

  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    if (first === null) return;
    setBusy(true);
    setError(undefined);
    try {
      const chosen = await post<BaseYear>(`${base}/facilities/${encodeURIComponent(facility)}/base-year`, { firstFiscalYear: first, lastFiscalYear: first + count - 1 }, { idempotencyKey: true });
      setDone(chosen);
      onChosen();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="base-year-h" className="rp-section">
      <h2 id="base-year-h">{t('baseYear.title')}</h2>
      {current === null ? (
        <p>{t('baseYear.none')}</p>
      ) : (
        <p>{t('baseYear.current', { from: formatFiscalYear(current.firstFiscalYear), to: formatFiscalYear(current.lastFiscalYear), t: tonnes(current.baseT) })}</p>
      )}
      {win !== undefined && mayChoose && (
        <form onSubmit={(e) => { void submit(e); }} className="rp-form" noValidate aria-describedby="base-year-rule">
          <p id="base-year-rule" className="hint">{t('baseYear.rule', { n: count, from: formatFiscalYear(win.windowFirstFiscalYear), to: formatFiscalYear(win.windowLastFiscalYear) })}</p>
          <Field label={t('baseYear.first')} error={localError ?? fieldError(error, 'firstFiscalYear') ?? fieldError(error, 'lastFiscalYear')}
            hint={averageKg === null ? undefined : t('baseYear.preview', { t: kgAsTonnes(averageKg), years: chosenYears.map(formatFiscalYear).join(', ') })}>
            {(p) => (
              <select {...p} name="firstFiscalYear" value={first ?? ''} onChange={(e) => { setFirst(e.target.value === '' ? null : Number(e.target.value)); setError(undefined); }}>
                <option value="">{t('form.choose')}</option>
                {firsts.map((fy) => <option key={fy} value={fy}>{yearRange(fy, fy + count - 1)}</option>)}
              </select>
            )}
          </Field>
          {chosenYears.length > 0 && (
            <ul className="rp-years" aria-label={t('baseYear.yearsLabel')}>
              {chosenYears.map((fy) => (
                <li key={fy}>{formatFiscalYear(fy)}: {accepted.has(fy) ? kgAsTonnes(accepted.get(fy)) : <span className="rp-warn">{t('baseYear.noAccepted')}</span>}</li>
              ))}
            </ul>
          )}
          <Refusal error={error !== undefined && fieldError(error, 'firstFiscalYear') === undefined && fieldError(error, 'lastFiscalYear') === undefined ? error : undefined} />
          <button type="submit" disabled={busy || first === null || localError !== undefined} aria-busy={busy}>{t('baseYear.choose')}</button>
          <Done>{done !== null && t('baseYear.done', { t: tonnes(done.baseT), kg: formatNumber(done.baseKg) })}</Done>
        </form>
      )}
    </section>
  );
}
