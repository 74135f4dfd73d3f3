// Programs, facilities, reporting (MRV), base years, credits and compliance results.
// Quantities: emissions in integer kg CO2 (`_kg`), tonnes as whole units (`_t`), crude-oil equivalent in
// integer litres (`coe_l`); a report line's quantity is a decimal string exactly as entered.
import { sql, SqliteAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const compact = sqlite ? sql`without rowid` : sql``;

  // A jurisdiction's program definition, versioned: the newest adopted version is in force.
  await db.schema
    .createTable('programs')
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull().references('jurisdictions.id'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('program_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('obligation','allocation')`))
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('adopted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('programs_pk', ['jurisdiction_id', 'version'])
    .execute();

  await db.schema
    .createTable('facilities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull().references('jurisdictions.id'))
    // The authority's own identifier (Tokyo's facility number, the EU installation id such as AT_201018).
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('use_type', 'text', (c) => c.notNull())
    .addColumn('floor_area_m2', 'bigint')
    .addColumn('address', 'text')
    .addColumn('city', 'text')
    .addColumn('country', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('registered').check(sql`status in ('registered','designated','specified','exempted','withdrawn')`),
    )
    .addColumn('account_id', 'text', (c) => c.references('accounts.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('facilities_code', ['jurisdiction_id', 'code'])
    .execute();

  // Designation and specification decisions, kept as history (never overwritten).
  await db.schema
    .createTable('facility_status_history')
    .addColumn('facility_id', 'text', (c) => c.notNull().references('facilities.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('fiscal_year', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('facility_status_history_pk', ['facility_id', 'seq'])
    .modifyEnd(compact)
    .execute();

  // Reliefs the authority granted a facility for a period (top-level, medical, …), by the program's relief code.
  await db.schema
    .createTable('facility_reliefs')
    .addColumn('facility_id', 'text', (c) => c.notNull().references('facilities.id'))
    .addColumn('period', 'integer', (c) => c.notNull())
    .addColumn('relief_code', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addColumn('granted_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('facility_reliefs_pk', ['facility_id', 'period', 'relief_code'])
    .modifyEnd(compact)
    .execute();

  await db.schema
    .createTable('verification_agencies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull().references('jurisdictions.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON array of facility category codes the agency is registered for.
    .addColumn('categories', 'text', (c) => c.notNull())
    .addColumn('registered_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('facility_verifiers')
    .addColumn('facility_id', 'text', (c) => c.notNull().references('facilities.id'))
    .addColumn('from_fiscal_year', 'integer', (c) => c.notNull())
    .addColumn('agency_id', 'text', (c) => c.notNull().references('verification_agencies.id'))
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('facility_verifiers_pk', ['facility_id', 'from_fiscal_year'])
    .modifyEnd(compact)
    .execute();

  // One row per version of a facility's annual report; a correction is a new version, never an overwrite.
  await db.schema
    .createTable('reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull().references('jurisdictions.id'))
    .addColumn('facility_id', 'text', (c) => c.notNull().references('facilities.id'))
    .addColumn('fiscal_year', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('draft','submitted','verified','accepted','returned','superseded')`),
    )
    .addColumn('coe_l', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`coe_l >= 0`))
    .addColumn('emissions_kg', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`emissions_kg >= 0`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text')
    .addColumn('verified_at', 'text')
    .addColumn('verified_by', 'text')
    .addColumn('agency_id', 'text', (c) => c.references('verification_agencies.id'))
    .addColumn('accepted_at', 'text')
    .addColumn('accepted_by', 'text')
    .addColumn('returned_at', 'text')
    .addColumn('returned_reason', 'text')
    .addColumn('corrects_report_id', 'text', (c) => c.references('reports.id'))
    .addUniqueConstraint('reports_version', ['facility_id', 'fiscal_year', 'version'])
    .execute();
  await db.schema.createIndex('reports_jurisdiction_year').on('reports').columns(['jurisdiction_id', 'fiscal_year', 'status']).execute();

  await db.schema
    .createTable('report_lines')
    .addColumn('report_id', 'text', (c) => c.notNull().references('reports.id'))
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('energy','other_gas','verified_total')`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('quantity', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('coe_l', 'bigint', (c) => c.notNull().check(sql`coe_l >= 0`))
    .addColumn('co2_kg', 'bigint', (c) => c.notNull().check(sql`co2_kg >= 0`))
    .addPrimaryKeyConstraint('report_lines_pk', ['report_id', 'line_no'])
    .modifyEnd(compact)
    .execute();

  // The base emissions a facility's caps start from: consecutive fiscal years chosen by the operator, averaged.
  await db.schema
    .createTable('base_years')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('facility_id', 'text', (c) => c.notNull().references('facilities.id'))
    .addColumn('first_fiscal_year', 'integer', (c) => c.notNull())
    .addColumn('last_fiscal_year', 'integer', (c) => c.notNull())
    .addColumn('base_kg', 'bigint', (c) => c.notNull().check(sql`base_kg >= 0`))
    .addColumn('base_t', 'bigint', (c) => c.notNull().check(sql`base_t >= 0`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active','superseded')`))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('chosen_at', 'text', (c) => c.notNull())
    .addColumn('chosen_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('base_years_facility').on('base_years').columns(['facility_id', 'status']).execute();

  await db.schema
    .createTable('recalculation_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('facility_id', 'text', (c) => c.notNull().references('facilities.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('floor_area_before_m2', 'bigint')
    .addColumn('floor_area_after_m2', 'bigint')
    .addColumn('use_before', 'text')
    .addColumn('use_after', 'text')
    .addColumn('change_ppm', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('requested','approved','rejected')`))
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text')
    .execute();

  // Applications for credits (excess reductions, …); approval issues them through the ledger (tx_id).
  await db.schema
    .createTable('credit_applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull().references('jurisdictions.id'))
    .addColumn('facility_id', 'text', (c) => c.notNull().references('facilities.id'))
    .addColumn('period', 'integer', (c) => c.notNull())
    .addColumn('credit_type', 'text', (c) => c.notNull())
    .addColumn('quantity_t', 'bigint', (c) => c.notNull().check(sql`quantity_t > 0`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('applied','issued','rejected')`))
    // JSON: the computation the quantity rests on (years, emissions, creditable), for the reviewer.
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .addColumn('applied_by', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('reason', 'text')
    .addColumn('tx_id', 'text', (c) => c.references('transactions.id'))
    .execute();

  // Which ledger surrenders count toward which facility's period obligation.
  await db.schema
    .createTable('compliance_surrenders')
    .addColumn('tx_id', 'text', (c) => c.primaryKey().references('transactions.id'))
    .addColumn('facility_id', 'text', (c) => c.notNull().references('facilities.id'))
    .addColumn('period', 'integer', (c) => c.notNull())
    // Allocation programs surrender every year: the emissions year the units cover (null for obligation programs).
    .addColumn('fiscal_year', 'integer')
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('compliance_surrenders_facility').on('compliance_surrenders').columns(['facility_id', 'period']).execute();

  // Results of a compliance run. Obligation programs: one row per facility and period (fiscal_year = the
  // period's last year). Allocation programs: one row per facility and year, cumulative within the period.
  // A null quantity means "no data", never zero (e.g. no surrender data imported).
  await db.schema
    .createTable('compliance_results')
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull().references('jurisdictions.id'))
    .addColumn('facility_id', 'text', (c) => c.notNull().references('facilities.id'))
    .addColumn('period', 'integer', (c) => c.notNull())
    .addColumn('fiscal_year', 'integer', (c) => c.notNull())
    .addColumn('emissions_t', 'bigint')
    .addColumn('cap_t', 'bigint')
    .addColumn('obligation_t', 'bigint')
    .addColumn('allocated_t', 'bigint')
    .addColumn('surrendered_t', 'bigint')
    // JSON object: surrendered tonnes per unit kind.
    .addColumn('surrendered_by_kind', 'text')
    .addColumn('shortfall_t', 'bigint')
    // Allocation programs: allocated − emitted, cumulative within the period (what is known without surrenders).
    .addColumn('position_t', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('compliance_results_pk', ['facility_id', 'period', 'fiscal_year'])
    .modifyEnd(compact)
    .execute();
  await db.schema.createIndex('compliance_results_jurisdiction').on('compliance_results').columns(['jurisdiction_id', 'period']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'compliance_results', 'compliance_surrenders', 'credit_applications', 'recalculation_requests', 'base_years',
    'report_lines', 'reports', 'facility_verifiers', 'verification_agencies', 'facility_reliefs',
    'facility_status_history', 'facilities', 'programs',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
