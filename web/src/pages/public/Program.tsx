// The program at a glance, as a readable sheet: compliance periods, compliance factors by category and period,
// reliefs, coverage, base years, emission factors, credit types and their limits, banking and deadlines. Values the
// program marks as unconfirmed carry a marker, so a reader knows which figures are still to be checked.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBanner, Loading } from '../../components/ui';
import { useApi } from '../../components/useApi';
import { currentLanguage, formatDate, formatFiscalYear, formatFiscalYearRange, formatNumber, formatPercentFigure } from '../../i18n';
import { useSession } from '../../session';
import { periodName, ratioText } from './format';
import { ppmToPercent, termOf, type ProgramDefinition, type ProgramResponse, type Provenance } from './model';

function Unconfirmed({ provenance }: { provenance?: Provenance | undefined }): ReactNode {
  const { t } = useTranslation('public');
  if (provenance?.status !== 'unconfirmed') return null;
  return <abbr className="unconfirmed" title={t('program.unconfirmedTitle')}>{t('program.unconfirmedMark')}</abbr>;
}

export default function Program(): ReactNode {
  const { t } = useTranslation('public');
  const { jurisdiction } = useSession();
  const { data, error, loading } = useApi<ProgramResponse>(jurisdiction === undefined ? null : `jurisdictions/${jurisdiction.code}/program`);
  if (error !== null) return <><h1>{t('program.title')}</h1><ErrorBanner error={error} /></>;
  if (loading || data === undefined) return <Loading />;
  const p = data.definition;
  const name = termOf(t, 'programNames', p.id, p.name);
  return (
    <article className="program-sheet">
      <h1>{name}</h1>
      <p className="lead">
        {t(p.kind === 'obligation' ? 'program.kindObligation' : 'program.kindAllocation')}{' '}
        {t('program.version', { version: p.version, month: p.fiscalYearStartMonth })}
      </p>
      <Periods p={p} />
      {p.categories.length > 0 && <Factors p={p} />}
      {p.reliefs.length > 0 && <Reliefs p={p} />}
      <Coverage p={p} />
      <EmissionFactors p={p} />
      {p.creditTypes.length > 0 && <Credits p={p} />}
      <Deadlines p={p} />
      <p className="hint">{t('program.unconfirmedNote', { mark: t('program.unconfirmedMark') })}</p>
    </article>
  );
}

function Periods({ p }: { p: ProgramDefinition }): ReactNode {
  const { t } = useTranslation('public');
  return (
    <section aria-labelledby="periods">
      <h2 id="periods">{t('program.periods')}</h2>
      <div className="table-scroll">
        <table>
          <thead>
            <tr><th scope="col">{t('program.period')}</th><th scope="col">{t('program.fiscalYears')}</th><th scope="col" className="num">{t('program.years')}</th><th scope="col">{t('program.adjustmentEnd')}</th></tr>
          </thead>
          <tbody>
            {p.periods.map((x) => (
              <tr key={x.number}>
                <th scope="row">{periodName(t, x.number)}</th>
                <td>{formatFiscalYearRange(x.firstFiscalYear, x.lastFiscalYear)}</td>
                <td className="num">{x.lastFiscalYear - x.firstFiscalYear + 1}</td>
                <td>{formatDate(x.adjustmentWindowEnd)} <Unconfirmed provenance={x.provenance} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Factors({ p }: { p: ProgramDefinition }): ReactNode {
  const { t } = useTranslation('public');
  return (
    <section aria-labelledby="factors">
      <h2 id="factors">{t('program.factors')}</h2>
      <p>{t('program.factorsIntro')}</p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('program.category')}</th>
              {p.periods.map((x) => <th scope="col" className="num" key={x.number}>{periodName(t, x.number)}</th>)}
            </tr>
          </thead>
          <tbody>
            {p.categories.map((c) => (
              <tr key={c.code}>
                <th scope="row">
                  <span className="code">{c.code}</span> {termOf(t, 'categories', c.code, c.name)}
                </th>
                {p.periods.map((x) => {
                  const f = c.factors.find((y) => y.period === x.number);
                  return <td className="num" key={x.number}>{f === undefined ? '—' : formatPercentFigure(ppmToPercent(f.factorPpm))} <Unconfirmed provenance={f?.provenance} /></td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Reliefs({ p }: { p: ProgramDefinition }): ReactNode {
  const { t } = useTranslation('public');
  const adjustment = (a: ProgramDefinition['reliefs'][number]['rules'][number]['adjustment']): string => {
    if (a.op === 'multiply') return t('program.reliefMultiply', { ratio: ratioText(a.ratio) });
    if (a.op === 'subtract') return t('program.reliefSubtract', { points: formatNumber(ppmToPercent(a.pointsPpm), 0) });
    return a.factors.map((f) => `${f.category} → ${formatPercentFigure(ppmToPercent(f.factorPpm))}`).join(', ');
  };
  return (
    <section aria-labelledby="reliefs">
      <h2 id="reliefs">{t('program.reliefs')}</h2>
      <ul className="plain">
        {p.reliefs.map((r) => (
          <li key={r.code}>
            <strong>{termOf(t, 'reliefKinds', r.kind, r.name)}</strong>
            {' — '}
            {r.rules.map((rule) => `${periodName(t, rule.period)}: ${adjustment(rule.adjustment)}`).join('; ')}
            {r.rules.some((rule) => rule.provenance?.status === 'unconfirmed') && <> <Unconfirmed provenance={{ status: 'unconfirmed' }} /></>}
            {currentLanguage() === 'en' && <div className="hint">{r.condition}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Coverage({ p }: { p: ProgramDefinition }): ReactNode {
  const { t } = useTranslation('public');
  const c = p.coverage;
  const b = p.baseYear;
  if (c === undefined && b === undefined) return null;
  return (
    <section aria-labelledby="coverage">
      <h2 id="coverage">{t('program.coverage')}</h2>
      <dl className="facts">
        {c !== undefined && (
          <>
            <dt>{t('program.threshold')}</dt>
            <dd>{t(`program.metric.${c.metric}`, { value: formatNumber(c.threshold) })}</dd>
            <dt>{t('program.designation')}</dt>
            <dd>{t('program.designationText', { count: c.designationAfterYears })}</dd>
            <dt>{t('program.obligationStart')}</dt>
            <dd>{t('program.obligationStartText', { count: c.obligationAfterConsecutiveYears })}</dd>
          </>
        )}
        {b !== undefined && (
          <>
            <dt>{t('program.baseYear')}</dt>
            <dd>{t('program.baseYearText', { count: b.consecutiveYears, range: formatFiscalYearRange(b.windowFirstFiscalYear, b.windowLastFiscalYear) })}</dd>
            <dt>{t('program.recalculation')}</dt>
            <dd>{t('program.recalculationText', { percent: formatPercentFigure(ppmToPercent(b.recalculationThresholdPpm)) })}</dd>
          </>
        )}
        <dt>{t('program.banking')}</dt>
        <dd>{p.banking.allowed ? (p.banking.horizonPeriods === null ? t('program.bankingUnlimited') : t('program.bankingText', { count: p.banking.horizonPeriods })) : t('program.bankingNone')} {p.banking.borrowing ? t('program.borrowingYes') : t('program.borrowingNo')}</dd>
      </dl>
    </section>
  );
}

function EmissionFactors({ p }: { p: ProgramDefinition }): ReactNode {
  const { t } = useTranslation('public');
  const sets = p.emissionFactorSets;
  return (
    <section aria-labelledby="emission-factors">
      <h2 id="emission-factors">{t('program.emissionFactors')}</h2>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('program.energy')}</th>
              <th scope="col">{t('program.unit')}</th>
              <th scope="col" className="num">{t('program.gjPerUnit')}</th>
              {sets.map((s) => <th scope="col" className="num" key={s.id}>{t('program.tCo2PerUnit', { periods: s.periods.map((n) => periodName(t, n)).join('・') })}</th>)}
            </tr>
          </thead>
          <tbody>
            {p.energy.sources.map((e) => (
              <tr key={e.code}>
                <th scope="row">{termOf(t, 'energy', e.code, e.name)}</th>
                <td>{termOf(t, 'units', e.unit, e.unit)}</td>
                <td className="num">{e.gjPerUnit}</td>
                {sets.map((s) => {
                  const f = s.factors.find((x) => x.energy === e.code);
                  return <td className="num" key={s.id}>{f === undefined ? '—' : f.method === 'supplier_specific' ? t('program.supplierSpecific') : (f.tCo2PerUnit ?? '—')}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="hint">{t('program.crudeOil', { value: p.energy.klCrudeOilPerGj })}</p>
    </section>
  );
}

function Credits({ p }: { p: ProgramDefinition }): ReactNode {
  const { t } = useTranslation('public');
  return (
    <section aria-labelledby="credits">
      <h2 id="credits">{t('program.credits')}</h2>
      <div className="table-scroll">
        <table>
          <thead>
            <tr><th scope="col">{t('program.creditType')}</th><th scope="col">{t('program.transferable')}</th><th scope="col">{t('program.limits')}</th></tr>
          </thead>
          <tbody>
            {p.creditTypes.map((c) => {
              const limits: string[] = [];
              if (c.usageLimit !== undefined) limits.push(t('program.usageLimit', { share: ratioText(c.usageLimit.maxShareOfObligation) }));
              if (c.eligibility?.originMaxBaseT !== undefined) limits.push(t('program.originMaxBase', { value: formatNumber(c.eligibility.originMaxBaseT) }));
              if (c.eligibility?.originMustHaveComplied === true) limits.push(t('program.originComplied'));
              if (c.kind === 'excess_reduction_credit' && p.excessReduction !== undefined) {
                limits.push(t('program.excessRule', { year: p.excessReduction.applicationFromPeriodYear, share: ratioText(p.excessReduction.countedReductionLimit.shareOfBase) }));
              }
              for (const m of c.multipliers ?? []) limits.push(t('program.multiplier', { period: periodName(t, m.period), ratio: ratioText(m.ratio) }));
              return (
                <tr key={c.code}>
                  <th scope="row">{termOf(t, 'creditKinds', c.kind, c.name)}</th>
                  <td>{c.transferable ? t('yes') : t('no')}</td>
                  <td>{limits.length === 0 ? '—' : limits.join(' ')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The fiscal year deadlines are shown for, as an example of the rule. */
const EXAMPLE_FY = 2024;

function Deadlines({ p }: { p: ProgramDefinition }): ReactNode {
  const { t } = useTranslation('public');
  if (p.deadlines.length === 0) return null;
  return (
    <section aria-labelledby="deadlines">
      <h2 id="deadlines">{t('program.deadlines')}</h2>
      <ul className="plain">
        {p.deadlines.map((d) => (
          <li key={d.event}>
            <strong>{termOf(t, 'deadlineEvents', d.event, d.event)}</strong>{': '}
            {d.event === 'surrender' ? t('program.surrenderDeadline') : t('program.deadlineText', { date: formatDate(`${String(EXAMPLE_FY + d.yearOffset)}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`), year: formatFiscalYear(EXAMPLE_FY) })}
          </li>
        ))}
      </ul>
    </section>
  );
}
