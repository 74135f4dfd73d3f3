// A registry with people in it: an authority administrator and officers, representatives with different rights on
// a facility's and a trader's accounts, a second jurisdiction, and a clock the test moves.
import { AccessControl } from '../../src/app/authorization.js';
import { RegistryPolicy } from '../../src/app/policy.js';
import { txOrThrow } from '../../src/app/registry.js';
import { systemActor, type Actor } from '../../src/domain/access/roles.js';
import { EU_DEFAULT_ACCESS_SETTINGS, type AccessSettings } from '../../src/domain/access/settings.js';
import type { Database } from '../../src/store/db.js';
import { ledgerFixture, type LedgerFixture } from './ledger-fixture.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface AccessFixture extends LedgerFixture {
  readonly access: AccessControl;
  readonly policy: RegistryPolicy;
  now(): Date;
  advance(ms: number): Date;
  setSettings(s: AccessSettings): void;
  readonly otherJurisdictionId: string;
  readonly otherAccount: string;
  readonly people: Record<'admin' | 'officer' | 'otherOfficer' | 'alice' | 'bob' | 'carol' | 'dave' | 'erin' | 'mallory', Actor>;
}

export function person(id: string): Actor {
  return { kind: 'user', id, address: '203.0.113.7', userAgent: 'citycap-test/1' };
}

/**
 * Facility 1's account (facilities[0]): alice may initiate, bob may approve, carol may do both.
 * Trader 1's account (traders[0]): dave may do both, erin may approve. mallory has no standing at all.
 */
export async function accessFixture(db: Database): Promise<AccessFixture> {
  let now = new Date('2026-04-01T01:00:00.000Z');
  const clock = (): Date => now;
  let settings: AccessSettings = EU_DEFAULT_ACCESS_SETTINGS;
  const base = await ledgerFixture(db, { clock, facilities: 3, traders: 2 });
  const other = await base.registry.createJurisdiction({ code: 'SAI', nameEn: 'Saitama', nameJa: '埼玉県', timeZone: 'Asia/Tokyo', fyStartMonth: 4 });
  const otherAccount = (await base.registry.openAccount({ jurisdictionId: other.id, type: 'general_holding', holder: 'Saitama trader' })).id;
  const access = new AccessControl(db, { clock, settings: () => settings });
  const policy = new RegistryPolicy(base.registry, access);
  const people = {
    admin: person('admin-tky'),
    officer: person('officer-tky'),
    otherOfficer: person('officer-sai'),
    alice: person('alice'),
    bob: person('bob'),
    carol: person('carol'),
    dave: person('dave'),
    erin: person('erin'),
    mallory: person('mallory'),
  };
  const bootstrap = systemActor('bootstrap');
  await access.grantRole(bootstrap, { userId: 'admin-tky', role: 'authority_admin', jurisdictionId: base.jurisdictionId });
  await access.grantRole(people.admin, { userId: 'officer-tky', role: 'authority_officer', jurisdictionId: base.jurisdictionId });
  await access.grantRole(bootstrap, { userId: 'officer-sai', role: 'authority_officer', jurisdictionId: other.id });
  const [fac1] = base.facilities;
  const [trader1] = base.traders;
  await access.addRepresentative(people.admin, { accountId: fac1!, userId: 'alice', rights: 'initiate' });
  await access.addRepresentative(people.admin, { accountId: fac1!, userId: 'bob', rights: 'approve' });
  await access.addRepresentative(people.admin, { accountId: fac1!, userId: 'carol', rights: 'initiate_and_approve' });
  await access.addRepresentative(people.admin, { accountId: trader1!, userId: 'dave', rights: 'initiate_and_approve' });
  await access.addRepresentative(people.admin, { accountId: trader1!, userId: 'erin', rights: 'approve' });
  // Units to move: issued directly through the ledger, as set-up.
  txOrThrow(await base.registry.submit(base.jurisdictionId, { type: 'issuance', toAccountId: fac1!, unitTypeId: base.unitTypes[0]!, quantityT: 10_000n }, { idempotencyKey: 'setup-issue-1', actor: 'system:setup', execute: true }));
  txOrThrow(await base.registry.submit(base.jurisdictionId, { type: 'issuance', toAccountId: trader1!, unitTypeId: base.unitTypes[0]!, quantityT: 10_000n }, { idempotencyKey: 'setup-issue-2', actor: 'system:setup', execute: true }));
  return {
    ...base,
    access,
    policy,
    now: clock,
    advance: (ms) => {
      now = new Date(now.getTime() + ms);
      return now;
    },
    setSettings: (s) => {
      settings = s;
    },
    otherJurisdictionId: other.id,
    otherAccount,
    people,
  };
}
