// The demo city's people: one user for every role, each with a password and a TOTP secret derived from the demo
// seed, so that the sign-in details printed on start (and `citycap demo code LOGIN`) are reproducible. Demo data
// only: anyone who knows the seed knows these credentials, which is why a production start never creates them.
import { createHmac } from 'node:crypto';
import { generate } from 'otplib';
import { DEFAULT_AUTH_SETTINGS } from '../../domain/auth/settings.js';
import { prng } from '../demo-ledger.js';

export const DEMO_SEED_DEFAULT = 1;

export interface DemoUserSpec {
  readonly login: string;
  readonly displayName: string;
  /** What the user is in the demo, for the printed table (docs/demo.md says what each does). */
  readonly role: string;
}

/** Every role of docs/access-control.md; the two representatives give four eyes on the accounts they share. */
export const DEMO_USERS = [
  { login: 'demo-admin', displayName: 'Sato Kenji (demo)', role: 'authority administrator' },
  { login: 'demo-officer', displayName: 'Suzuki Yumi (demo)', role: 'authority officer' },
  { login: 'demo-operator', displayName: 'Takahashi Hiroshi (demo)', role: 'facility operator, T-0001–T-0003' },
  { login: 'demo-factory', displayName: 'Tanaka Mei (demo)', role: 'facility operator, T-0004' },
  { login: 'demo-verifier', displayName: 'Watanabe Sho (demo)', role: 'verifier, Tokyo Demo Verification KK' },
  { login: 'demo-trader', displayName: 'Ito Naoki (demo)', role: 'trader, Demo Carbon Trading KK' },
  { login: 'demo-rep1', displayName: 'Yamamoto Aya (demo)', role: 'representative (initiate)' },
  { login: 'demo-rep2', displayName: 'Nakamura Ren (demo)', role: 'representative (approve): four eyes' },
] as const satisfies readonly DemoUserSpec[];

export type DemoLogin = (typeof DEMO_USERS)[number]['login'];

const WORDS = [
  'amber', 'birch', 'canal', 'delta', 'ember', 'fjord', 'garnet', 'harbor', 'indigo', 'juniper', 'kestrel', 'lantern',
  'meadow', 'nectar', 'orchid', 'pebble', 'quarry', 'raven', 'saffron', 'tundra', 'umber', 'velvet', 'willow', 'zephyr',
] as const;

function seedOf(seed: number, login: string): number {
  return createHmac('sha256', `citycap-demo-${seed}`).update(login).digest().readUInt32BE(0);
}

/** "willow-canal-raven-4821": three different words and a number from the seed and login (never the login, never common). */
export function demoPassword(seed: number, login: string): string {
  const random = prng(seedOf(seed, `password:${login}`));
  const words: string[] = [];
  while (words.length < 3) {
    const w = WORDS[Math.floor(random() * WORDS.length)]!;
    if (!words.includes(w)) words.push(w);
  }
  return `${words.join('-')}-${1000 + Math.floor(random() * 9000)}`;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A 32-character base32 TOTP secret (160 bits, as authenticator apps expect) from the seed and login. */
export function demoTotpSecret(seed: number, login: string): string {
  const bytes = createHmac('sha256', `citycap-demo-${seed}`).update(`totp:${login}`).digest().subarray(0, 20);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
  }
  return out;
}

/** The 6-digit TOTP code of a demo user at `now`, and the seconds it stays valid. */
export async function demoTotpCode(seed: number, login: string, now: Date): Promise<{ code: string; validForS: number }> {
  const period = DEFAULT_AUTH_SETTINGS.totpPeriodS;
  const epoch = Math.floor(now.getTime() / 1000);
  const code = await generate({ secret: demoTotpSecret(seed, login), epoch, period, digits: DEFAULT_AUTH_SETTINGS.totpDigits });
  return { code, validForS: period - (epoch % period) };
}

export function isDemoLogin(login: string): boolean {
  return DEMO_USERS.some((u) => u.login === login);
}
