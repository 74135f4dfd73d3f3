// The demo and disclosure commands, spawned as a user runs them: `demo reset` (and its refusals), `disclosure summary`
// as JSON and as a table, `demo code`, and `serve --demo` — the demo city on a first start with the address and the
// users' sign-in details printed, nothing of it without --demo or with CITYCAP_DEMO=0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { demoPassword, demoTotpCode, demoTotpSecret } from '../../src/app/demo-city/users.js';
import { megatonnes } from '../../src/cli/disclosure.js';
import { CLI_ENV, expectExit, ROOT } from './support.js';


function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/**
 * Starts `citycap serve`, waits until its output contains `until` (or it exits), stops it with SIGTERM, and returns
 * its output.
 */
async function serveUntil(args: readonly string[], until: RegExp, env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; port: number; body: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/citycap.mjs', 'serve', ...args], {
    cwd: ROOT,
    env: { ...CLI_ENV, PORT: String(port), HOST: '127.0.0.1', CITYCAP_COMPLETE_DUE_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const closed = new Promise<void>((resolve) => child.on('close', () => { resolve(); }));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`serve did not print ${until} within 150 s\nstdout: ${stdout}\nstderr: ${stderr}`)); }, 150_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (until.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    void closed.then(() => {
      clearTimeout(timer);
      reject(new Error(`serve exited early\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
  try {
    await ready;
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/jurisdictions`);
    return { stdout, stderr, port, body: await res.text() };
  } finally {
    child.kill('SIGTERM');
    await closed;
  }
}

describe('demo and disclosure commands', () => {
  let dir: string;
  const db = (name: string): string => `sqlite:${join(dir, `${name}.db`)}`;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'citycap-demo-cli-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('demo reset creates the demo city; disclosure summary prints one object per fiscal year', async () => {
    const reset = await expectExit(0, ['demo', 'reset', '--facilities', '40', '--db', db('small')]);
    assert.match(reset.stdout, /demo city TOKYO: 40 facilities, 800 accepted reports; P1 40 compliant/);
    assert.ok(reset.stdout.includes(demoPassword(1, 'demo-admin')) && reset.stdout.includes(demoTotpSecret(1, 'demo-officer')));
    assert.match(reset.stdout, /npx citycap demo code <login>/);

    const json = JSON.parse((await expectExit(0, ['disclosure', 'summary', '--jurisdiction', 'TOKYO', '--json', '--db', db('small')])).stdout) as unknown[];
    assert.equal(json.length, 14);
    for (const row of json) {
      assert.deepEqual(Object.keys(row as object).sort(), ['emissions_t', 'fiscal_year', 'reduction_pct']);
      const r = row as { fiscal_year: unknown; emissions_t: unknown; reduction_pct: unknown };
      assert.ok(Number.isInteger(r.fiscal_year));
      assert.match(r.emissions_t as string, /^\d+$/);
      assert.ok(Number.isInteger(r.reduction_pct));
    }
    const byYear = new Map((json as { fiscal_year: number; emissions_t: string; reduction_pct: number }[]).map((r) => [r.fiscal_year, r]));
    assert.equal(megatonnes(BigInt(byYear.get(2015)!.emissions_t)), '12.25');
    assert.equal(megatonnes(BigInt(byYear.get(2023)!.emissions_t)), '11.32');
    assert.deepEqual([2016, 2020, 2022, 2023].map((fy) => byYear.get(fy)!.reduction_pct), [26, 33, 32, 31]);

    const table = await expectExit(0, ['disclosure', 'summary', '--jurisdiction', 'TOKYO', '--db', db('small')]);
    assert.match(table.stdout, /TOKYO: base-year emissions 16,500,\d{3} t \(16\.50 Mt\)/);
    assert.match(table.stdout, /FY2020\s+│\s+11,040,\d{3}\s+│\s+11\.04\s+│\s+40\s+│\s+33 %/);
  });

  it('refuses an unknown jurisdiction, naming the option', async () => {
    const run = await expectExit(2, ['disclosure', 'summary', '--jurisdiction', 'NOWHERE', '--db', db('small')]);
    assert.match(run.stderr, /--jurisdiction: No jurisdiction NOWHERE/);
  });

  it('demo reset refuses a database with other data unless --force, and refuses everything under CITYCAP_DEMO=0', async () => {
    await expectExit(0, ['demo', 'ledger', '--accounts', '3', '--transfers', '5', '--jurisdiction', 'REAL', '--db', db('other')]);
    const refused = await expectExit(2, ['demo', 'reset', '--facilities', '20', '--db', db('other')]);
    assert.match(refused.stderr, /holds data other than the demo's/);
    const forced = await expectExit(0, ['demo', 'reset', '--facilities', '20', '--force', '--json', '--db', db('other')]);
    assert.equal((JSON.parse(forced.stdout) as { facilities: number }).facilities, 20);
    const again = await expectExit(0, ['demo', 'reset', '--facilities', '20', '--db', db('other')]);
    assert.match(again.stdout, /20 facilities/);
    const off = await expectExit(2, ['demo', 'reset', '--db', db('other')], { CITYCAP_DEMO: '0' });
    assert.match(off.stderr, /CITYCAP_DEMO=0/);
    await expectExit(2, ['demo', 'code', 'demo-admin'], { CITYCAP_DEMO: '0' });
  });

  it('demo code prints the current code of a demo user, and refuses other logins', async () => {
    const before = await demoTotpCode(1, 'demo-verifier', new Date());
    const run = await expectExit(0, ['demo', 'code', 'demo-verifier']);
    const afterward = await demoTotpCode(1, 'demo-verifier', new Date());
    assert.ok([before.code, afterward.code].includes(run.stdout.trim()), run.stdout);
    const seeded = await expectExit(0, ['demo', 'code', 'demo-verifier', '--seed', '5']);
    assert.match(seeded.stdout.trim(), /^\d{6}$/);
    const nobody = await expectExit(2, ['demo', 'code', 'admin']);
    assert.match(nobody.stderr, /not a demo user/);
  });

  it('serve --demo creates the demo city on an empty database and prints the address and the users\' sign-in details', async () => {
    const first = await serveUntil(['--demo', '--db', db('served')], /npx citycap demo code <login>/);
    assert.match(first.stdout, /creating the demo city/);
    assert.match(first.stdout, new RegExp(`citycap is running at http://127\\.0\\.0\\.1:${first.port}`));
    for (const login of ['demo-admin', 'demo-officer', 'demo-operator', 'demo-factory', 'demo-verifier', 'demo-trader', 'demo-rep1', 'demo-rep2']) {
      assert.ok(first.stdout.includes(login) && first.stdout.includes(demoPassword(1, login)) && first.stdout.includes(demoTotpSecret(1, login)), login);
    }
    assert.match(first.body, /"code":"TOKYO"/);
    // A second start finds the demo: nothing is created again, the details are printed again.
    const second = await serveUntil(['--demo', '--db', db('served')], /npx citycap demo code <login>/);
    assert.doesNotMatch(second.stdout, /creating the demo city/);
    assert.ok(second.stdout.includes(demoPassword(1, 'demo-admin')));
  });

  it('serve without --demo, or with CITYCAP_DEMO=0, creates and prints nothing of the demo', async () => {
    const plain = await serveUntil(['--db', db('production')], /citycap is running at/);
    const off = await serveUntil(['--demo', '--db', db('refused')], /citycap is running at/, { CITYCAP_DEMO: '0' });
    for (const run of [plain, off]) {
      assert.doesNotMatch(run.stdout, /demo-admin|creating the demo city/);
      assert.match(run.body, /"items":\[\]/);
    }
    assert.match(off.stdout, /CITYCAP_DEMO=0/);
  });
});
