// The report's lines as the operator types them: energy lines (the program's energy sources, each in its unit, with
// the supplier's factor where the period asks for one) and other-gas lines (t-CO2e). Each line shows its
// crude-oil equivalent and CO2 as it is typed, computed as the server will; each field checks its format as it is
// typed, and shows the server's refusal when the server names it (`lines[2].source`).
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../../i18n';
import { factorOf, kgAsT, litresAsKl, parseDecimal, previewLine, type LinePreview } from '../shared/conversion';
import { exactFieldError, label } from '../shared/format';
import type { ProgramDefinition } from '../shared/types';

export interface EditableLine {
  readonly key: string;
  readonly kind: 'energy' | 'other_gas';
  readonly source: string;
  readonly quantity: string;
  readonly tCo2PerUnit: string;
  /** Fields the operator has changed: their format is checked from then on. */
  readonly touched: readonly string[];
}

export const OTHER_GAS_UNIT = 't_CO2e';
export const REPORT_LINES_MAX = 200;

export function newLine(kind: 'energy' | 'other_gas' = 'energy', source = ''): EditableLine {
  return { key: crypto.randomUUID(), kind, source, quantity: '', tCo2PerUnit: '', touched: [] };
}

/** The unit a line is given in: the energy source's, or t-CO2e for other gases. */
export function unitOf(program: ProgramDefinition, line: EditableLine): string {
  if (line.kind === 'other_gas') return OTHER_GAS_UNIT;
  return program.energy?.sources.find((s) => s.code === line.source)?.unit ?? '';
}

export function needsSupplierFactor(program: ProgramDefinition, fiscalYear: number, line: EditableLine): boolean {
  return line.kind === 'energy' && factorOf(program, fiscalYear, line.source)?.method === 'supplier_specific';
}

/** The format problems of a line's fields (what the client can tell before the server applies the program's rules). */
export function lineProblems(program: ProgramDefinition, fiscalYear: number, line: EditableLine, t: (k: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  if (line.source.trim() === '') out.source = line.kind === 'energy' ? t('lines.sourceRequired') : t('lines.gasRequired');
  if (line.quantity.trim() === '') out.quantity = t('form.required');
  else if (line.quantity.trim().startsWith('-')) out.quantity = t('lines.negative');
  else if (parseDecimal(line.quantity) === undefined) out.quantity = t('lines.notDecimal');
  if (needsSupplierFactor(program, fiscalYear, line)) {
    if (line.tCo2PerUnit.trim() === '') out.tCo2PerUnit = t('lines.factorRequired');
    else if (parseDecimal(line.tCo2PerUnit) === undefined) out.tCo2PerUnit = t('lines.notDecimal');
  }
  return out;
}

/** The request body's lines. */
export function linesBody(program: ProgramDefinition, fiscalYear: number, lines: readonly EditableLine[]): unknown[] {
  return lines.map((l) => ({
    kind: l.kind,
    source: l.source.trim(),
    quantity: l.quantity.trim(),
    unit: unitOf(program, l),
    ...(needsSupplierFactor(program, fiscalYear, l) ? { tCo2PerUnit: l.tCo2PerUnit.trim() } : {}),
  }));
}

export function LinesEditor({ program, fiscalYear, lines, onChange, error, readOnly = false }: {
  program: ProgramDefinition;
  fiscalYear: number;
  lines: readonly EditableLine[];
  onChange: (lines: EditableLine[]) => void;
  /** The server's refusal of the last save, mapped to the field it names. */
  error: unknown;
  readOnly?: boolean;
}): ReactNode {
  const { t } = useTranslation('roles');
  const update = (i: number, patch: Partial<EditableLine>, field: string): void => {
    onChange(lines.map((l, j) => (j === i ? { ...l, ...patch, touched: l.touched.includes(field) ? l.touched : [...l.touched, field] } : l)));
  };
  const previews = lines.map((l) => previewLine(program, fiscalYear, l));
  let coeL = 0n;
  let co2Kg = 0n;
  let otherKg = 0n;
  for (const [i, p] of previews.entries()) {
    if (p === undefined) continue;
    coeL += p.coeL;
    if (lines[i]!.kind === 'energy') co2Kg += p.co2Kg;
    else otherKg += p.co2Kg;
  }
  const complete = previews.every((p) => p !== undefined);
  return (
    <div className="rp-lines">
      <p className="field-error" role="alert">{exactFieldError(error, 'lines') ?? ''}</p>
      <ol className="rp-line-list">
        {lines.map((line, i) => (
          <LineRow
            key={line.key}
            index={i}
            line={line}
            program={program}
            fiscalYear={fiscalYear}
            preview={previews[i]}
            error={error}
            readOnly={readOnly}
            onPatch={(patch, field) => { update(i, patch, field); }}
            onRemove={lines.length > 1 && !readOnly ? () => { onChange(lines.filter((_, j) => j !== i)); } : undefined}
          />
        ))}
      </ol>
      {!readOnly && (
        <p className="rp-actions">
          <button type="button" className="secondary" disabled={lines.length >= REPORT_LINES_MAX} onClick={() => { onChange([...lines, newLine('energy')]); }}>{t('lines.addEnergy')}</button>
          <button type="button" className="secondary" disabled={lines.length >= REPORT_LINES_MAX} onClick={() => { onChange([...lines, newLine('other_gas')]); }}>{t('lines.addGas')}</button>
        </p>
      )}
      <div className="rp-totals" aria-live="polite" data-testid="report-totals">
        <h3>{t('lines.totals')}</h3>
        <dl className="rp-figures">
          <div><dt>{t('report.coe')}</dt><dd data-total="coe">{t('unit.kl', { value: formatNumber(litresAsKl(coeL), 3) })}</dd></div>
          <div><dt>{t('report.co2')}</dt><dd data-total="co2">{t('unit.tonnes', { value: formatNumber(kgAsT(co2Kg), 3) })}</dd></div>
          <div><dt>{t('report.otherGas')}</dt><dd data-total="other">{t('unit.tonnesCo2e', { value: formatNumber(kgAsT(otherKg), 3) })}</dd></div>
        </dl>
        <p className="hint">{complete ? t('lines.previewNote') : t('lines.previewIncomplete')}</p>
      </div>
    </div>
  );
}

function LineRow({ index, line, program, fiscalYear, preview, error, readOnly, onPatch, onRemove }: {
  index: number;
  line: EditableLine;
  program: ProgramDefinition;
  fiscalYear: number;
  preview: LinePreview | undefined;
  error: unknown;
  readOnly: boolean;
  onPatch: (patch: Partial<EditableLine>, field: string) => void;
  onRemove: (() => void) | undefined;
}): ReactNode {
  const { t } = useTranslation('roles');
  const id = useId();
  const at = `lines[${String(index)}]`;
  const problems = lineProblems(program, fiscalYear, line, (k) => t(k));
  const shown = (field: string): string | undefined => (line.touched.includes(field) ? problems[field] : undefined) ?? exactFieldError(error, `${at}.${field}`);
  const unit = unitOf(program, line);
  const factor = line.kind === 'energy' ? factorOf(program, fiscalYear, line.source) : undefined;
  const supplier = needsSupplierFactor(program, fiscalYear, line);
  const fieldProps = (field: string): { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string } => {
    const err = shown(field);
    return { id: `${id}-${field}`, ...(err === undefined ? {} : { 'aria-invalid': true as const, 'aria-describedby': `${id}-${field}-error` }) };
  };
  const errorOf = (field: string): ReactNode => {
    const err = shown(field);
    return err === undefined ? null : <small id={`${id}-${field}-error`} className="field-error" data-field={`${at}.${field}`}>{err}</small>;
  };
  return (
    <li className="rp-line" data-line={index}>
      <fieldset>
        <legend>{t(line.kind === 'energy' ? 'lines.energyLine' : 'lines.gasLine', { n: index + 1 })}</legend>
        <div className="rp-line-grid">
          <div className={`field${shown('source') === undefined ? '' : ' invalid'}`}>
            <label htmlFor={`${id}-source`}>{line.kind === 'energy' ? t('lines.source') : t('lines.gas')}</label>
            {line.kind === 'energy' ? (
              <select {...fieldProps('source')} name={`${at}.source`} value={line.source} disabled={readOnly} onChange={(e) => { onPatch({ source: e.target.value }, 'source'); }}>
                <option value="">{t('form.choose')}</option>
                {(program.energy?.sources ?? []).map((s) => <option key={s.code} value={s.code}>{label('energySource', s.code) === s.code ? s.name : label('energySource', s.code)}</option>)}
              </select>
            ) : (
              <input {...fieldProps('source')} name={`${at}.source`} value={line.source} disabled={readOnly} placeholder="CH4" onChange={(e) => { onPatch({ source: e.target.value }, 'source'); }} />
            )}
            {errorOf('source')}
          </div>
          <div className={`field${shown('quantity') === undefined ? '' : ' invalid'}`}>
            <label htmlFor={`${id}-quantity`}>{t('lines.quantity')}{unit !== '' && <> ({label('unitName', unit)})</>}</label>
            <input {...fieldProps('quantity')} name={`${at}.quantity`} inputMode="decimal" autoComplete="off" value={line.quantity} disabled={readOnly} onChange={(e) => { onPatch({ quantity: e.target.value }, 'quantity'); }} />
            {errorOf('quantity')}
            {errorOf('unit')}
          </div>
          {supplier ? (
            <div className={`field${shown('tCo2PerUnit') === undefined ? '' : ' invalid'}`}>
              <label htmlFor={`${id}-tCo2PerUnit`}>{t('lines.supplierFactor', { unit: label('unitName', unit) })}</label>
              <input {...fieldProps('tCo2PerUnit')} name={`${at}.tCo2PerUnit`} inputMode="decimal" autoComplete="off" value={line.tCo2PerUnit} disabled={readOnly} onChange={(e) => { onPatch({ tCo2PerUnit: e.target.value }, 'tCo2PerUnit'); }} />
              {errorOf('tCo2PerUnit')}
            </div>
          ) : (
            <div className="rp-line-factor">
              {factor?.method === 'fixed' && factor.tCo2PerUnit !== undefined && <small className="hint">{t('lines.factor', { factor: factor.tCo2PerUnit, unit: label('unitName', unit) })}</small>}
            </div>
          )}
          <div className="rp-line-figures" aria-live="polite">
            {line.kind === 'energy' && <span><span className="rp-muted">{t('lines.coeShort')}</span> <output data-line-coe={index}>{preview === undefined ? '—' : t('unit.kl', { value: formatNumber(litresAsKl(preview.coeL), 3) })}</output></span>}
            <span><span className="rp-muted">{t('lines.co2Short')}</span> <output data-line-co2={index}>{preview === undefined ? '—' : t(line.kind === 'energy' ? 'unit.tonnes' : 'unit.tonnesCo2e', { value: formatNumber(kgAsT(preview.co2Kg), 3) })}</output></span>
          </div>
          <div className="rp-remove">
            {onRemove !== undefined && <button type="button" className="secondary" onClick={onRemove} aria-label={t('lines.removeN', { n: index + 1 })}>{t('lines.remove')}</button>}
          </div>
        </div>
      </fieldset>
    </li>
  );
}
