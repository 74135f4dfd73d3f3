// Read model of what a program discloses publicly: jurisdictions with their program in force, and the facility
// register. Plain reads, no rules.
import { sql } from 'kysely';
import { int } from './compliance.js';
import type { Database } from '../store/db.js';

export interface JurisdictionRow {
  readonly id: string;
  readonly code: string;
  readonly nameEn: string;
  readonly nameJa: string;
  readonly timeZone: string;
  readonly fyStartMonth: number;
  /** The program in force (latest adopted), or null. */
  readonly program: { readonly id: string; readonly version: string; readonly kind: string; readonly adoptedAt: string } | null;
}

/** Jurisdictions ordered by code, after `afterCode`, at most `limit` rows. */
export async function listJurisdictions(db: Database, options: { afterCode?: string | undefined; limit: number }): Promise<JurisdictionRow[]> {
  let q = db.kysely.selectFrom('jurisdictions').select(['id', 'code', 'name_en', 'name_ja', 'time_zone', 'fy_start_month']).orderBy('code').limit(options.limit);
  if (options.afterCode !== undefined) q = q.where('code', '>', options.afterCode);
  const rows = await q.execute();
  if (rows.length === 0) return [];
  const programs = await db.kysely
    .selectFrom('programs')
    .select(['jurisdiction_id', 'program_id', 'version', 'kind', 'adopted_at'])
    .where(
      'jurisdiction_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('adopted_at')
    .orderBy('version')
    .execute();
  // Ascending order: the last program per jurisdiction is the one in force (as programOf decides).
  const inForce = new Map(programs.map((p) => [p.jurisdiction_id, { id: p.program_id, version: p.version, kind: p.kind, adoptedAt: p.adopted_at }]));
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    nameEn: r.name_en,
    nameJa: r.name_ja,
    timeZone: r.time_zone,
    fyStartMonth: int(r.fy_start_month),
    program: inForce.get(r.id) ?? null,
  }));
}

export async function jurisdictionIdByCode(db: Database, code: string): Promise<string | undefined> {
  return (await db.kysely.selectFrom('jurisdictions').select('id').where('code', '=', code).executeTakeFirst())?.id;
}

export interface FacilityDisclosure {
  readonly code: string;
  readonly name: string;
  readonly category: string | null;
  readonly useType: string;
  readonly status: string;
}

export interface FacilityFilter {
  readonly category?: string | undefined;
  readonly status?: string | undefined;
  /** Part of the name, matched case-insensitively (ASCII letters on SQLite; SQL LIKE wildcards are literal). */
  readonly nameContains?: string | undefined;
  readonly afterCode?: string | undefined;
  readonly limit: number;
}

/** The facility register of a jurisdiction, ordered by facility code. */
export async function listFacilities(db: Database, jurisdictionId: string, f: FacilityFilter): Promise<FacilityDisclosure[]> {
  let q = db.kysely
    .selectFrom('facilities')
    .select(['code', 'name', 'category', 'use_type', 'status'])
    .where('jurisdiction_id', '=', jurisdictionId)
    .orderBy('code')
    .limit(f.limit);
  if (f.category !== undefined) q = q.where('category', '=', f.category);
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.afterCode !== undefined) q = q.where('code', '>', f.afterCode);
  if (f.nameContains !== undefined) {
    const pattern = `%${f.nameContains.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<boolean>`lower(name) like ${pattern} escape '\\'`);
  }
  const rows = await q.execute();
  return rows.map((r) => ({ code: r.code, name: r.name, category: r.category, useType: r.use_type, status: r.status }));
}
