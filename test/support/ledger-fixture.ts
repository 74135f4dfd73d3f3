// A small registry set up for ledger tests: one jurisdiction, a few accounts of each kind, two unit types.
import { Registry, type RegistryOptions } from '../../src/app/registry.js';
import type { Database } from '../../src/store/db.js';

export interface LedgerFixture {
  readonly registry: Registry;
  readonly jurisdictionId: string;
  readonly authority: string;
  readonly facilities: string[];
  readonly traders: string[];
  readonly unitTypes: string[];
}

export async function ledgerFixture(db: Database, options: RegistryOptions & { facilities?: number; traders?: number } = {}): Promise<LedgerFixture> {
  const registry = new Registry(db, options);
  const { id: jurisdictionId } = await registry.createJurisdiction({ code: 'TKY', nameEn: 'Tokyo', nameJa: '東京都', timeZone: 'Asia/Tokyo', fyStartMonth: 4 });
  const authority = (await registry.openAccount({ jurisdictionId, type: 'authority_issuance', holder: 'Bureau of Environment' })).id;
  const facilities: string[] = [];
  for (let i = 0; i < (options.facilities ?? 3); i++) {
    facilities.push((await registry.openAccount({ jurisdictionId, type: 'facility_compliance', holder: `Facility ${i + 1}` })).id);
  }
  const traders: string[] = [];
  for (let i = 0; i < (options.traders ?? 1); i++) {
    traders.push((await registry.openAccount({ jurisdictionId, type: 'general_holding', holder: `Trader ${i + 1}` })).id);
  }
  const unitTypes = [
    (await registry.createUnitType({ jurisdictionId, code: 'ALLOWANCE-P3', kind: 'allowance', issuingJurisdiction: 'TKY', vintage: 3 })).id,
    (await registry.createUnitType({ jurisdictionId, code: 'ERC-P3', kind: 'excess_reduction_credit', issuingJurisdiction: 'TKY', vintage: 3 })).id,
  ];
  return { registry, jurisdictionId, authority, facilities, traders, unitTypes };
}
