// `citycap program …` and `citycap calc …` driven through their commander objects (not yet registered in main.ts),
// with output captured: JSON keys, readable sheets, and errors that name the option or field.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CommanderError, type Command } from 'commander';
import { calcCommand, programCommand } from '../../src/cli/program.js';
import { UsageError } from '../../src/cli/output.js';
import { tokyoProgram } from '../../src/domain/program/presets/index.js';

interface Run {
  readonly out: string;
  readonly err: string;
  readonly exitCode: number | string | undefined;
  readonly error: unknown;
}

/** Runs a command object as main.ts would (exitOverride everywhere), capturing console and commander output. */
async function run(command: Command, args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const override = (c: Command): void => {
    c.exitOverride();
    c.configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
    c.commands.forEach(override);
  };
  override(command);
  const { log, error: logError } = console;
  console.log = (...a: unknown[]) => out.push(`${a.map(String).join(' ')}\n`);
  console.error = (...a: unknown[]) => err.push(`${a.map(String).join(' ')}\n`);
  let error: unknown;
  try {
    await command.parseAsync(args, { from: 'user' });
  } catch (e) {
    error = e;
  } finally {
    console.log = log;
    console.error = logError;
  }
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { out: out.join(''), err: err.join(''), exitCode, error };
}

const dir = mkdtempSync(join(tmpdir(), 'citycap-program-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('calc cap and calc excess', () => {
  it('calc cap --json gives factor, cap_t and obligation_t (T3)', async () => {
    const r = await run(calcCommand(), ['cap', '--program', 'tokyo', '--period', '2', '--category', 'I-1', '--base-t', '10000', '--json']);
    assert.equal(r.error, undefined);
    const json = JSON.parse(r.out) as Record<string, unknown>;
    assert.equal(json.factor, '0.17');
    assert.equal(json.cap_t, '41500');
    assert.equal(json.obligation_t, '8500');
  });

  it('calc cap applies repeated or comma-separated reliefs (T15) and reports reliefs with no rule in the period', async () => {
    const r = await run(calcCommand(), ['cap', '--program', 'tokyo', '--period', '4', '--category', 'I-1', '--base-t', '10000', '--relief', 'medical,top_level', '--json']);
    const json = JSON.parse(r.out) as Record<string, unknown>;
    assert.equal(json.factor_percent, '48');
    assert.deepEqual(json.reliefs_not_applicable, ['top_level']);
    const saitama = await run(calcCommand(), ['cap', '--program', 'saitama', '--period', '3', '--category', 'office', '--base-t', '1000', '--relief', 'small_business', '--json']);
    assert.equal((JSON.parse(saitama.out) as Record<string, unknown>).factor_percent, '16.5');
  });

  it('calc cap prints a readable summary without --json', async () => {
    const r = await run(calcCommand(), ['cap', '--program', 'saitama', '--period', '1', '--category', 'office', '--base-t', '10000']);
    assert.match(r.out, /cap\s+36,800 t over 4 years/);
    assert.match(r.out, /obligation\s+3,200 t/);
  });

  it('calc excess --json gives per-year creditable and the total creditable_t (T1, T2)', async () => {
    const r = await run(calcCommand(), ['excess', '--program', 'tokyo', '--period', '2', '--category', 'I-1', '--base-t', '10000', '--emissions-t', '8500,7500', '--json']);
    const json = JSON.parse(r.out) as { creditable_t: string; years: { creditable_t: string; cumulative_reduction_t: string }[] };
    assert.equal(json.creditable_t, '600');
    assert.deepEqual(json.years.map((y) => [y.cumulative_reduction_t, y.creditable_t]), [['1500', '0'], ['4000', '600']]);
  });

  it('refuses an unknown category, naming --category and the known ones', async () => {
    const r = await run(calcCommand(), ['cap', '--program', 'tokyo', '--period', '2', '--category', 'office', '--base-t', '10000']);
    assert.ok(r.error instanceof UsageError);
    assert.match(r.error.message, /^--category: program tokyo has no category "office" \(categories: I-1, I-2, II\)/);
  });

  it('refuses a period outside the program, naming --period', async () => {
    const r = await run(calcCommand(), ['cap', '--program', 'saitama', '--period', '5', '--category', 'office', '--base-t', '1']);
    assert.ok(r.error instanceof UsageError);
    assert.match(r.error.message, /^--period: program saitama has no period 5/);
  });

  it('refuses an unknown program and an allocation program, naming --program', async () => {
    const unknown = await run(calcCommand(), ['cap', '--program', 'osaka', '--period', '1', '--category', 'I-1', '--base-t', '1']);
    assert.ok(unknown.error instanceof UsageError);
    assert.match(unknown.error.message, /^--program: unknown program "osaka"/);
    const eu = await run(calcCommand(), ['cap', '--program', 'eu-ets', '--period', '3', '--category', 'x', '--base-t', '1']);
    assert.ok(eu.error instanceof UsageError);
    assert.match(eu.error.message, /^--program: program eu-ets is an allocation program/);
  });

  it('refuses a malformed --base-t and --emissions-t before doing anything', async () => {
    const base = await run(calcCommand(), ['cap', '--program', 'tokyo', '--period', '2', '--category', 'I-1', '--base-t', '-5']);
    assert.ok(base.error instanceof CommanderError);
    assert.match(base.err, /--base-t must be a non-negative number of tonnes/);
    const list = await run(calcCommand(), ['excess', '--program', 'tokyo', '--period', '2', '--category', 'I-1', '--base-t', '10', '--emissions-t', '8500,,7500']);
    assert.ok(list.error instanceof CommanderError);
    assert.match(list.err, /--emissions-t must be comma-separated tonnes/);
    const tooMany = await run(calcCommand(), ['excess', '--program', 'tokyo', '--period', '2', '--category', 'I-1', '--base-t', '10', '--emissions-t', '1,1,1,1,1,1']);
    assert.ok(tooMany.error instanceof UsageError);
    assert.match(tooMany.error.message, /^--emissions-t: give emissions for 1 to 5 years/);
  });
});

describe('program show and program validate', () => {
  it('show prints a sheet with factors and the unconfirmed parameters', async () => {
    const r = await run(programCommand(), ['show', 'tokyo']);
    assert.match(r.out, /Tokyo Cap-and-Trade Program/);
    assert.match(r.out, /I-1 +│ Office buildings and DHC plants +│ 8 % +│ 17 % +│ 27 % +│ 50 %/);
    assert.match(r.out, /Unconfirmed parameters \(\d+\)/);
    assert.match(r.out, /categories\[1\]\.factors\[2\]: P3 I-2 factor inferred/);
  });

  it('show --json prints a definition that validate accepts', async () => {
    const shown = await run(programCommand(), ['show', 'saitama', '--json']);
    const file = join(dir, 'saitama.json');
    writeFileSync(file, shown.out);
    const r = await run(programCommand(), ['validate', file]);
    assert.equal(r.exitCode, undefined);
    assert.match(r.out, /valid — program saitama \(obligation\), 4 periods/);
  });

  it('validate exits 2 and names the field of each error', async () => {
    const p = JSON.parse(JSON.stringify(tokyoProgram())) as { periods: { firstFiscalYear: number }[]; categories: { factors: { factorPpm: number }[] }[] };
    p.periods[1]!.firstFiscalYear = 2013;
    p.categories[0]!.factors[0]!.factorPpm = 2_000_000;
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(p));
    const r = await run(programCommand(), ['validate', file]);
    assert.equal(r.exitCode, 2);
    assert.match(r.err, /invalid program definition/);
    assert.match(r.err, /categories\[0\]\.factors\[0\]\.factorPpm: must be between 0 and 1000000 ppm/);
    const json = await run(programCommand(), ['validate', file, '--json']);
    assert.equal(json.exitCode, 2);
    assert.equal((JSON.parse(json.out) as { valid: boolean }).valid, false);
  });

  it('validate reports overlapping periods once the shape is right', async () => {
    const p = JSON.parse(JSON.stringify(tokyoProgram())) as { periods: { firstFiscalYear: number }[] };
    p.periods[1]!.firstFiscalYear = 2013;
    const file = join(dir, 'overlap.json');
    writeFileSync(file, JSON.stringify(p));
    const r = await run(programCommand(), ['validate', file]);
    assert.equal(r.exitCode, 2);
    assert.match(r.err, /periods\[1\]\.firstFiscalYear: overlaps period 1 \(FY2010–FY2014\)/);
  });

  it('validate refuses a file that is not JSON, naming the file', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "id": ');
    const r = await run(programCommand(), ['validate', file]);
    assert.ok(r.error instanceof UsageError);
    assert.match(r.error.message, /^FILE: .*broken\.json is not valid JSON/);
  });

  it('a custom definition file can drive calc cap', async () => {
    const p = tokyoProgram({ p3CategoryI2FactorPpm: 260_000 });
    const file = join(dir, 'custom.json');
    writeFileSync(file, JSON.stringify(p));
    const r = await run(calcCommand(), ['cap', '--program', file, '--period', '3', '--category', 'I-2', '--base-t', '1000', '--json']);
    assert.equal((JSON.parse(r.out) as Record<string, unknown>).factor, '0.26');
  });
});
