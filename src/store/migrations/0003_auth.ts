// Authentication: users, TOTP secrets, recovery codes, sessions, API tokens and sign-in attempts (docs/security.md).
// No secret is stored as presented: passwords as argon2id hashes, session/CSRF/API tokens and recovery codes as
// SHA-256 hashes of long random values, TOTP secrets encrypted with AES-256-GCM when a key is configured.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Normalised (trimmed, lower case): the name a person types to sign in.
    .addColumn('login', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    // PHC string, $argon2id$v=19$m=…,t=…,p=…$salt$hash.
    .addColumn('password_hash', 'text', (c) => c.notNull().check(sql`password_hash like '$argon2id$%'`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active','disabled')`))
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('password_changed_at', 'text', (c) => c.notNull())
    .execute();

  // At most one pending and one active secret per user; confirming a pending one replaces the active one.
  await db.schema
    .createTable('totp_secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending','active')`))
    // `gcm:v1:…` (AES-256-GCM, key from CITYCAP_TOTP_KEY) or `plain:…` (development only).
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    // The RFC 6238 time step of the last accepted code: a code is never accepted twice.
    .addColumn('last_used_step', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addUniqueConstraint('totp_secrets_user_state', ['user_id', 'state'])
    .execute();

  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addUniqueConstraint('recovery_codes_user_hash', ['user_id', 'code_hash'])
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('csrf_hash', 'text', (c) => c.notNull())
    // 'second_factor' (password given, TOTP or recovery code due), 'enrolment' (no TOTP yet: may only enrol),
    // 'complete' (both factors given).
    .addColumn('stage', 'text', (c) => c.notNull().check(sql`stage in ('second_factor','enrolment','complete')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('idle_expires_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('rotated_from', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('end_reason', 'text')
    .addColumn('address', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id', 'ended_at']).execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON array of scope names.
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();

  // Every password or second-factor attempt, for per-account lockout and per-address throttling. Logins are
  // recorded whether or not a user has them, so that lockout looks the same for unknown logins.
  await db.schema
    .createTable('sign_in_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('password','second_factor')`))
    // 'success', 'failure' (counts toward limits), 'locked' and 'throttled' (refused unchecked; do not count).
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('success','failure','locked','throttled')`))
    .execute();
  await db.schema.createIndex('sign_in_attempts_login').on('sign_in_attempts').columns(['login', 'attempted_at']).execute();
  await db.schema.createIndex('sign_in_attempts_address').on('sign_in_attempts').columns(['address', 'attempted_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['sign_in_attempts', 'api_tokens', 'sessions', 'recovery_codes', 'totp_secrets', 'users']) {
    await db.schema.dropTable(table).execute();
  }
}
