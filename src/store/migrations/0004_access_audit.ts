// Access control and audit: role assignments, account representatives, trusted-account lists, scheduled
// completions (the transfer delay) and the append-only audit log (docs/access-control.md).
// Nothing here is ever deleted by the application: grants, representatives and trusted entries end by a
// revoked_at / removed_at time, so who could do what at any moment can be answered later.
import { sql, SqliteAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Roles held at jurisdiction level, optionally narrowed to one account. user_id is plain text: the users table
  // belongs to authentication (0003) and roles may be granted before a user first signs in.
  await db.schema
    .createTable('role_assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('authority_admin','authority_officer','facility_operator','verifier','trader')`),
    )
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull().references('jurisdictions.id'))
    .addColumn('account_id', 'text', (c) => c.references('accounts.id'))
    .addColumn('granted_by', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_by', 'text')
    .execute();
  await db.schema.createIndex('role_assignments_user').on('role_assignments').columns(['user_id', 'jurisdiction_id']).execute();
  await sql`create unique index role_assignments_live on role_assignments (user_id, role, jurisdiction_id, coalesce(account_id, '')) where revoked_at is null`.execute(db);

  // Authorised representatives (Delegated Reg. (EU) 2019/1122 Art. 20): who may initiate and/or approve for an account.
  await db.schema
    .createTable('account_representatives')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull().references('jurisdictions.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('rights', 'text', (c) => c.notNull().check(sql`rights in ('initiate','approve','initiate_and_approve')`))
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .addColumn('removed_by', 'text')
    .execute();
  await db.schema.createIndex('account_representatives_user').on('account_representatives').column('user_id').execute();
  await sql`create unique index account_representatives_live on account_representatives (account_id, user_id) where removed_at is null`.execute(db);

  // Trusted account list (Art. 23): an addition counts from active_from (added_at + the activation delay);
  // a removal counts at once.
  await db.schema
    .createTable('trusted_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull().references('jurisdictions.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('trusted_account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('active_from', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'text')
    .addColumn('removed_by', 'text')
    .addCheckConstraint('trusted_accounts_not_self', sql`account_id <> trusted_account_id`)
    .addCheckConstraint('trusted_accounts_activation', sql`active_from >= added_at`)
    .execute();
  await sql`create unique index trusted_accounts_live on trusted_accounts (account_id, trusted_account_id) where removed_at is null`.execute(db);

  // When an approved transaction may complete. Every approval through the policy writes one row before the ledger
  // approves, so an approved transaction is never forgotten: the completeDue job finishes whatever is due.
  await db.schema
    .createTable('transaction_holds')
    .addColumn('tx_id', 'text', (c) => c.primaryKey().references('transactions.id'))
    .addColumn('jurisdiction_id', 'text', (c) => c.notNull())
    .addColumn('execute_after', 'text', (c) => c.notNull())
    // The rule that delayed it ('UNTRUSTED_DESTINATION_DELAY'), or null when it may complete at once.
    .addColumn('delay_rule', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('completed','rejected','void')`))
    .addColumn('outcome_code', 'text')
    .execute();
  await sql`create index transaction_holds_due on transaction_holds (execute_after) where closed_at is null`.execute(db);

  // The audit log: append-only, enforced by triggers on both engines (a correction is a new event).
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('jurisdiction_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull().check(sql`actor_kind in ('user','token','system','anonymous')`))
    .addColumn('token_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text', (c) => c.notNull())
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .addColumn('address', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('audit_events_jurisdiction').on('audit_events').columns(['jurisdiction_id', 'id']).execute();
  await db.schema.createIndex('audit_events_object').on('audit_events').columns(['object_type', 'object_id']).execute();
  await db.schema.createIndex('audit_events_actor').on('audit_events').columns(['actor', 'id']).execute();

  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    for (const op of ['update', 'delete']) {
      await sql`${sql.raw(`create trigger audit_events_no_${op} before ${op} on audit_events begin select raise(abort, 'audit_events is append-only'); end`)}`.execute(db);
    }
  } else {
    await sql`create function audit_events_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_events is append-only'; end $$`.execute(db);
    await sql`create trigger audit_events_no_change before update or delete on audit_events
      for each statement execute function audit_events_append_only()`.execute(db);
    // TRUNCATE bypasses row and statement triggers on UPDATE/DELETE; it gets its own.
    await sql`create trigger audit_events_no_truncate before truncate on audit_events
      for each statement execute function audit_events_append_only()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['audit_events', 'transaction_holds', 'trusted_accounts', 'account_representatives', 'role_assignments']) {
    await db.schema.dropTable(table).execute();
  }
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
    await sql`drop function if exists audit_events_append_only()`.execute(db);
  }
}
