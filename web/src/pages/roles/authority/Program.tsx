// The program in force as the authority checks it: periods and their fulfilment deadlines, compliance factors by
// category, energy sources with their conversion and emission factors per period, credit types, rounding rules, and
// — what a city official must review before relying on it — every value the sources could not confirm.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, formatFiscalYear, formatNumber } from '../../../i18n';
import { label, periodName, yearRange } from '../shared/format';
import { useApi, useJurisdictionPath } from '../shared/hooks';
import { AUTHORITY_TABS, Loaded, PageHead } from '../shared/parts';
import type { ProgramDefinition, ProgramResponse, Provenance } from '../shared/types';

const percentOfPpm = (ppm: number | string): string => `${formatNumber(Number(ppm) / 10_000, Number(ppm) % 10_000 === 0 ? 0 : 2)} %`;

/** Every value whose provenance says it is unconfirmed, with where it sits. */
function unconfirmed(p: ProgramDefinition): { where: string; note: string }[] {
  const out: { where: string; note: string }[] = [];
  const add = (where: string, prov: Provenance | undefined): void => {
    if (prov !== undefined && prov.status !== 'confirmed') out.push({ where, note: prov.note ?? prov.source ?? '' });
  };
  p.categories.forEach((c) => { c.factors.forEach((f) => { add(`${c.code} · ${periodName(f.period)}`, f.provenance); }); });
  add('energy', p.energy?.provenance);
  p.energy?.sources.forEach((s) => { add(`${label('energySource', s.code)} (GJ)`, s.provenance); });
  p.emissionFactorSets.forEach((set) => { set.factors.forEach((f) => { add(`${set.id} · ${label('energySource', f.energy)}`, f.provenance); }); });
  Object.entries(p.rounding).forEach(([k, r]) => { add(label('roundingOf', k), r.provenance); });
  return out;
}

export default function Program(): ReactNode {
  const { t } = useTranslation('roles');
  const base = useJurisdictionPath();
  const program = useApi<ProgramResponse>(base === null ? null : `${base}/program`);
  const p = program.data?.definition;
  return (
    <>
      <PageHead title={t('program.title')} lead={p === undefined ? undefined : `${p.name} · ${t('program.version', { v: p.version })}`} tabs={AUTHORITY_TABS}>
        <p><a href="#/program">{t('program.publicSheet')}</a></p>
      </PageHead>
      <Loaded loading={program.loading} error={program.error} empty={p === undefined ? undefined : false}>
        {p !== undefined && (
          <>
            <section className="rp-section" aria-labelledby="periods-h">
              <h2 id="periods-h">{t('program.periods')}</h2>
              <div className="rp-table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('compliance.period')}</th>
                      <th scope="col">{t('program.years')}</th>
                      {p.categories.map((c) => <th key={c.code} scope="col" className="num">{t('program.factor', { category: c.code })}</th>)}
                      <th scope="col">{t('compliance.deadline')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.periods.map((per) => (
                      <tr key={per.number}>
                        <th scope="row">{periodName(per.number)}</th>
                        <td>{yearRange(per.firstFiscalYear, per.lastFiscalYear)}</td>
                        {p.categories.map((c) => {
                          const f = c.factors.find((x) => x.period === per.number);
                          return <td key={c.code} className="num">{f === undefined ? '—' : percentOfPpm(f.factorPpm)}{f?.provenance?.status === 'unconfirmed' && <span className="rp-warn" title={t('program.unconfirmed')}> *</span>}</td>;
                        })}
                        <td>{formatDate(per.adjustmentWindowEnd)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {p.baseYear !== undefined && <p>{t('program.baseYear', { n: p.baseYear.consecutiveYears, from: formatFiscalYear(p.baseYear.windowFirstFiscalYear), to: formatFiscalYear(p.baseYear.windowLastFiscalYear) })}</p>}
            </section>
            {p.energy !== undefined && (
              <section className="rp-section" aria-labelledby="energy-h">
                <h2 id="energy-h">{t('program.energy')}</h2>
                <p>{t('program.klPerGj', { v: p.energy.klCrudeOilPerGj })}</p>
                <div className="rp-table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">{t('lines.source')}</th>
                        <th scope="col">{t('lines.unit')}</th>
                        <th scope="col" className="num">{t('program.gjPerUnit')}</th>
                        {p.emissionFactorSets.map((s) => <th key={s.id} scope="col" className="num">{t('program.factorSet', { periods: s.periods.map((n) => periodName(n)).join(', ') })}</th>)}
                      </tr>
                    </thead>
                    <tbody>
                      {p.energy.sources.map((s) => (
                        <tr key={s.code}>
                          <th scope="row">{label('energySource', s.code) === s.code ? s.name : label('energySource', s.code)}</th>
                          <td>{label('unitName', s.unit)}</td>
                          <td className="num">{s.gjPerUnit}</td>
                          {p.emissionFactorSets.map((set) => {
                            const f = set.factors.find((x) => x.energy === s.code);
                            return <td key={set.id} className="num">{f === undefined ? '—' : f.method === 'fixed' ? f.tCo2PerUnit : t('program.supplier')}</td>;
                          })}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <p className="hint">{t('program.factorUnit')}</p>
              </section>
            )}
            <section className="rp-section" aria-labelledby="credits-h">
              <h2 id="credits-h">{t('program.creditTypes')}</h2>
              <ul className="rp-plain">
                {p.creditTypes.map((c) => <li key={c.code}>{label('creditType', c.code) === c.code ? c.name : label('creditType', c.code)} — {c.transferable ? t('program.transferable') : t('program.notTransferable')}</li>)}
              </ul>
              {p.banking !== undefined && <p>{p.banking.allowed ? t('program.banking', { n: p.banking.horizonPeriods ?? '∞' }) : t('program.noBanking')}</p>}
            </section>
            <section className="rp-section" aria-labelledby="rounding-h">
              <h2 id="rounding-h">{t('program.rounding')}</h2>
              <ul className="rp-plain">
                {Object.entries(p.rounding).map(([k, r]) => <li key={k}>{t('program.roundingRule', { what: label('roundingOf', k), mode: label('roundingMode', r.mode), n: r.decimals })}</li>)}
              </ul>
            </section>
            <section className="rp-section" aria-labelledby="check-h">
              <h2 id="check-h">{t('program.toCheck')}</h2>
              <p className="hint">{t('program.toCheckHint')}</p>
              <details>
                <summary>{t('program.toCheckCount', { n: unconfirmed(p).length })}</summary>
                <ul className="rp-plain">
                  {unconfirmed(p).map((u, i) => <li key={i}><strong>{u.where}</strong>: {u.note}</li>)}
                </ul>
              </details>
            </section>
          </>
        )}
      </Loaded>
    </>
  );
}
