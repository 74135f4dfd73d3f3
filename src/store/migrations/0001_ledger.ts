// The registry ledger: jurisdictions, accounts, unit types, unit blocks, balances, transactions and the journal.
import { sql, SqliteAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const compact = sqlite ? sql`without rowid` : sql``;
  await db.schema
    .createTable('jurisdictions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('name_ja', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('fy_start_month', 'integer', (c) => c.notNull().check(sql`fy_start_month between 1 and 12`))
    .addColumn('serial_prefix', 'text', (c) => c.notNull())
    .addColumn('serial_next', 'bigint', (c) => c.notNull().defaultTo(1).check(sql`serial_next >= 1`))
    .addColumn('journal_seq', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`journal_seq >= 0`))
    .addColumn('journal_head', 'text', (c) => c.notNull())
    // Bumped by every ledger batch that writes: a writer whose cache holds this version knows nothing changed.
    .addColumn('ledger_version', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull().references('jurisdictions.id'))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) =>
      c.notNull().check(sql`type in ('authority_issuance','facility_compliance','general_holding','linked_transit','surrender','retirement','cancellation')`),
    )
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('facility_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open','blocked','closed')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('accounts_jurisdiction_type').on('accounts').columns(['jurisdiction_id', 'type']).execute();

  await db.schema
    .createTable('unit_types')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull().references('jurisdictions.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('issuing_jurisdiction', 'text', (c) => c.notNull())
    .addColumn('vintage', 'integer')
    .addColumn('originating_facility_id', 'text')
    .addColumn('issued_t', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`issued_t >= 0`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('unit_types_jurisdiction_code', ['jurisdiction_id', 'code'])
    .execute();

  // A block is keyed by its holding and last serial: one B-tree, a holding's blocks adjacent in it, and taking the
  // oldest serials of a block (the common case) changes only its serial_start.
  await db.schema
    .createTable('unit_blocks')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('unit_type_id', 'text', (c) => c.notNull().references('unit_types.id'))
    .addColumn('serial_start', 'bigint', (c) => c.notNull())
    .addColumn('serial_end', 'bigint', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('unit_blocks_pk', ['account_id', 'unit_type_id', 'serial_end'])
    .addCheckConstraint('unit_blocks_range', sql`serial_start >= 1 and serial_end >= serial_start`)
    .modifyEnd(compact)
    .execute();

  await db.schema
    .createTable('balances')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('unit_type_id', 'text', (c) => c.notNull().references('unit_types.id'))
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull())
    .addColumn('quantity_t', 'bigint', (c) => c.notNull().check(sql`quantity_t >= 0`))
    .addPrimaryKeyConstraint('balances_pk', ['account_id', 'unit_type_id'])
    .modifyEnd(compact)
    .execute();

  await db.schema
    .createTable('transactions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) =>
      c.notNull().check(sql`type in ('issuance','transfer','surrender','retirement','cancellation','reversal')`),
    )
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('proposed','approved','completed','rejected','cancelled')`))
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('unit_type_id', 'text', (c) => c.notNull().references('unit_types.id'))
    .addColumn('quantity_t', 'bigint', (c) => c.notNull().check(sql`quantity_t > 0`))
    .addColumn('from_account_id', 'text', (c) => c.references('accounts.id'))
    .addColumn('to_account_id', 'text', (c) => c.references('accounts.id'))
    .addColumn('reverses_tx_id', 'text', (c) => c.references('transactions.id'))
    .addColumn('proposed_by', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('reason', 'text')
    .addColumn('proposed_at', 'text', (c) => c.notNull())
    .addColumn('approved_at', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('journal_seq', 'bigint')
    // Key first: the lookup by key stays an index seek even when the planner's statistics are stale.
    .addUniqueConstraint('transactions_idempotency', ['idempotency_key', 'jurisdiction_id'])
    .modifyEnd(compact)
    .execute();
  // Partial indexes: completed transactions, the vast majority, stay out of them.
  await db.schema.createIndex('transactions_reverses').on('transactions').column('reverses_tx_id').where(sql.ref('reverses_tx_id'), 'is not', null).execute();
  await db.schema
    .createIndex('transactions_open')
    .on('transactions')
    .columns(['jurisdiction_id', 'status'])
    .where(sql.ref('status'), 'in', ['proposed', 'approved'])
    .execute();

  await db.schema
    .createTable('journal')
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull().check(sql`seq >= 1`))
    // Unique in fact (ledger verify checks it); no index of its own, transactions.journal_seq finds the entry.
    .addColumn('tx_id', 'text', (c) => c.notNull().references('transactions.id'))
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('journal_pk', ['jurisdiction_id', 'seq'])
    .modifyEnd(compact)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['journal', 'transactions', 'balances', 'unit_blocks', 'unit_types', 'accounts', 'jurisdictions']) {
    await db.schema.dropTable(table).execute();
  }
}
