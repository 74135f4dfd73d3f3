import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Registry } from '../src/app/registry.js';
import { openDatabase } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
const dir = mkdtempSync(join(tmpdir(), 'prof-'));
const path = join(dir, 'c.db');
const db = openDatabase(`sqlite:${path}`);
await migrateToLatest(db);
const registry = new Registry(db);
const { id: j } = await registry.createJurisdiction({ code: 'BENCH', nameEn: 'B', nameJa: 'B', timeZone: 'UTC', fyStartMonth: 1 });
const { id: u } = await registry.createUnitType({ jurisdictionId: j, code: 'A', kind: 'allowance', issuingJurisdiction: 'B' });
const accts: string[] = [];
for (let i = 0; i < 100; i++) accts.push((await registry.openAccount({ jurisdictionId: j, type: 'general_holding', holder: 'h' })).id);
for (const [i, a] of accts.entries()) await registry.submit(j, { type: 'issuance', toAccountId: a, unitTypeId: u, quantityT: 1000000n }, { idempotencyKey: `f${i}`, actor: 'b', execute: true });
const raw = new SQLite(path);
for (let n = 0; n < 3000; n++) {
  const a = accts[n % 100]!, b = accts[(n * 7 + 1) % 100]!;
  await registry.submit(j, { type: 'transfer', fromAccountId: a, toAccountId: b, unitTypeId: u, quantityT: 3n }, { idempotencyKey: `w${n}`, actor: 'b', execute: true });
}
raw.pragma('wal_checkpoint(TRUNCATE)');
const N = 200;
for (let n = 0; n < N; n++) {
  const a = accts[n % 100]!, b = accts[(n * 7 + 1) % 100]!;
  await registry.submit(j, { type: 'transfer', fromAccountId: a, toAccountId: b, unitTypeId: u, quantityT: 3n }, { idempotencyKey: `t${n}`, actor: 'b', execute: true });
}
console.log(raw.pragma('wal_checkpoint(PASSIVE)'), 'per tx');
for (const t of ['transactions','journal','unit_blocks','balances']) console.log(t, raw.prepare(`select count(*) c from ${t}`).get());
console.log(raw.prepare("select name, tbl_name from sqlite_master where type='index'").all());
