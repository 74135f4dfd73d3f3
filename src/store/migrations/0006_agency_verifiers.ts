// Which verification agency a verifier user works for. A verifier verifies a report only for an agency they belong
// to, and only when that agency is the one assigned to the facility for the report's year. Leaving an agency deletes
// the row; the audit log keeps the history (agency.verifier.add / agency.verifier.remove).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agency_verifiers')
    .addColumn('agency_id', 'text', (c) => c.notNull().references('verification_agencies.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('agency_verifiers_pk', ['agency_id', 'user_id'])
    .execute();
  await db.schema.createIndex('agency_verifiers_user').on('agency_verifiers').column('user_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('agency_verifiers').execute();
}
