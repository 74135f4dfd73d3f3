// Programs in force: a jurisdiction adopts a validated program definition; later versions supersede earlier ones.
import { RefusedError, refusal } from '../domain/errors.js';
import { formatFieldError, validateProgram, type ProgramDefinition } from '../domain/program/schema.js';
import type { Kysely } from 'kysely';
import type { Database } from '../store/db.js';
import type { Schema } from '../store/schema.js';
import type { Registry } from './registry.js';

/** Validates and stores a definition as the jurisdiction's newest version. Adopting the same version again with
 * the same content changes nothing; with different content it is refused (a version is immutable). */
export async function adoptProgram(db: Database, jurisdictionId: string, input: unknown, now: Date): Promise<ProgramDefinition> {
  const checked = validateProgram(input);
  if (!checked.ok) {
    const first = checked.errors[0]!;
    throw new RefusedError(refusal('PROGRAM_INVALID', checked.errors.map(formatFieldError).join('; '), first.path));
  }
  const program = checked.program;
  const definition = JSON.stringify(program);
  await db.kysely.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('programs')
      .select('definition')
      .where('jurisdiction_id', '=', jurisdictionId)
      .where('version', '=', program.version)
      .executeTakeFirst();
    if (existing !== undefined) {
      if (existing.definition !== definition) {
        throw new RefusedError(refusal('PROGRAM_VERSION_TAKEN', `Version ${program.version} is already adopted with different content; give the change a new version.`, 'version'));
      }
      return;
    }
    await trx
      .insertInto('programs')
      .values({ jurisdiction_id: jurisdictionId, version: program.version, program_id: program.id, kind: program.kind, definition, adopted_at: now.toISOString() })
      .execute();
  });
  return program;
}

/** The program in force: the most recently adopted version. */
export async function programOf(db: Database, jurisdictionId: string): Promise<ProgramDefinition> {
  return programIn(db.kysely, jurisdictionId);
}

/** The same, read through a given connection or open transaction (SQLite has one connection: reading outside would wait on it). */
export async function programIn(k: Kysely<Schema>, jurisdictionId: string): Promise<ProgramDefinition> {
  const row = await k
    .selectFrom('programs')
    .select('definition')
    .where('jurisdiction_id', '=', jurisdictionId)
    .orderBy('adopted_at', 'desc')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) throw new RefusedError(refusal('NO_PROGRAM', 'This jurisdiction has not adopted a program yet.', 'jurisdictionId'));
  const checked = validateProgram(JSON.parse(row.definition));
  if (!checked.ok) throw new Error(`stored program of ${jurisdictionId} no longer validates: ${checked.errors.map(formatFieldError).join('; ')}`);
  return checked.program;
}

/** The jurisdiction a program names (created with the program's code, name and time zone when missing), with the program adopted. */
export async function jurisdictionForProgram(registry: Registry, program: ProgramDefinition, options: { nameJa?: string; now?: Date } = {}): Promise<{ id: string; code: string }> {
  const j =
    (await registry.jurisdictionByCode(program.jurisdiction.code)) ??
    (await registry.createJurisdiction({
      code: program.jurisdiction.code,
      nameEn: program.jurisdiction.name,
      nameJa: options.nameJa ?? program.jurisdiction.name,
      timeZone: program.jurisdiction.timeZone,
      fyStartMonth: program.fiscalYearStartMonth,
    }));
  await adoptProgram(registry.db, j.id, program, options.now ?? new Date());
  return j;
}
