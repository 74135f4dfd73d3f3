// API throughput over loopback: requests/s and p99 latency of a bare Fastify route (the baseline, measured in the
// same run), of public disclosure reads through the real server (security headers, rate limiting, validation,
// schema serialization, the database) with the public read cache off and on, and of authenticated transfers:
// a representative proposes (API token, Idempotency-Key), a second representative approves, and the transfer — to
// an account on the source's active trusted list — completes at approval. The servers run in a child process so
// that the load generator does not share their event loop.
// Usage: npm run bench:api [-- --json] [--duration S] [--connections N] [--transfer-clients N] [--transfers-only]
//        [--cpu-prof DIR] (a V8 CPU profile of the server process, written to DIR when it stops)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { Agent, request as httpRequest } from 'node:http';
import { generate } from 'otplib';
import { AccessControl } from '../src/app/authorization.js';
import { runLedgerDemo } from '../src/app/demo-ledger.js';
import { Facilities } from '../src/app/facilities.js';
import { jurisdictionForProgram } from '../src/app/programs.js';
import { Registry } from '../src/app/registry.js';
import { EU_DEFAULT_ACCESS_SETTINGS } from '../src/domain/access/settings.js';
import { systemActor } from '../src/domain/access/roles.js';
import { tokyoProgram } from '../src/domain/program/presets/index.js';
import { HttpAuth } from '../src/http/auth-adapter.js';
import { buildServer } from '../src/http/server.js';
import { openDatabase, type Database } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  const n = i < 0 ? fallback : Number(args[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
};
const FACILITIES = 500;
const BENCH_CODE = 'BENCH';
const FUNDING_T = 1_000_000_000n;
const PASSWORD = 'bench-plover-quartz-ledger-9137';

/** What the parent needs to drive transfers: the jurisdiction, two mutually trusted accounts, two API tokens. */
interface TransferSetup {
  readonly code: string;
  readonly accounts: readonly [string, string];
  readonly unitTypeId: string;
  /** Bearer tokens (registry:write) of the proposer and the approver, both representatives of both accounts. */
  readonly proposer: string;
  readonly approver: string;
}

/**
 * A jurisdiction with two general holding accounts, each funded and each on the other's trusted list (added eight
 * days ago, so active past the EU default's 7-day activation delay: a transfer between them completes at approval),
 * and two representatives who signed in with password and TOTP and created API tokens, all through the use-cases.
 */
async function transferSetup(db: Database, registry: Registry, auth: HttpAuth): Promise<TransferSetup> {
  const setup = systemActor('bench-setup');
  const j = await registry.createJurisdiction({ code: BENCH_CODE, nameEn: 'Bench City', nameJa: 'ベンチ市', timeZone: 'Asia/Tokyo', fyStartMonth: 4 });
  const unitType = await registry.createUnitType({ jurisdictionId: j.id, code: 'BENCH-A', kind: 'allowance', issuingJurisdiction: BENCH_CODE });
  await registry.openAccount({ jurisdictionId: j.id, type: 'authority_issuance', holder: 'Bench City Bureau' });
  const a = await registry.openAccount({ jurisdictionId: j.id, type: 'general_holding', holder: 'Trader A' });
  const b = await registry.openAccount({ jurisdictionId: j.id, type: 'general_holding', holder: 'Trader B' });
  for (const to of [a, b]) {
    const r = await registry.submit(j.id, { type: 'issuance', toAccountId: to.id, unitTypeId: unitType.id, quantityT: FUNDING_T }, { idempotencyKey: `bench-fund-${to.id}`, actor: 'bench', execute: true });
    if (!r.ok) throw new Error(`funding: ${r.refusal.code} ${r.refusal.message}`);
  }
  const eightDaysAgo = new Date(Date.now() - EU_DEFAULT_ACCESS_SETTINGS.trustedActivationDelayMs - 86_400_000);
  const past = new AccessControl(db, { clock: () => eightDaysAgo });
  await past.addTrustedAccount(setup, { accountId: a.id, trustedAccountId: b.id });
  await past.addTrustedAccount(setup, { accountId: b.id, trustedAccountId: a.id });

  const tokens: string[] = [];
  for (const login of ['bench-proposer', 'bench-approver']) {
    const ctx = auth.context({ ip: '127.0.0.1' });
    const user = await auth.recorded(auth.auth.createUser({ login, email: `${login}@example.test`, displayName: login, password: PASSWORD }, 'system:bench', ctx));
    if (!user.ok) throw new Error(`user ${login}: ${user.refusal.code}`);
    for (const acc of [a, b]) await auth.access.addRepresentative(setup, { accountId: acc.id, userId: user.value.id, rights: 'initiate_and_approve' });
    const signed = await auth.recorded(auth.auth.signIn({ login, password: PASSWORD }, ctx));
    if (!signed.ok) throw new Error(`sign-in ${login}: ${signed.refusal.code}`);
    const enrol = await auth.recorded(auth.auth.enrolTotp(signed.value.session.id, ctx));
    if (!enrol.ok) throw new Error(`TOTP enrolment ${login}: ${enrol.refusal.code}`);
    const code = await generate({ secret: enrol.value.secret, epoch: Math.floor(ctx.now.getTime() / 1000) });
    const confirmed = await auth.recorded(auth.auth.confirmTotp(signed.value.session.id, code, ctx));
    if (!confirmed.ok || confirmed.value.rotated === null) throw new Error(`TOTP confirmation ${login}: ${confirmed.ok ? 'no complete session' : confirmed.refusal.code}`);
    const token = await auth.recorded(auth.auth.createApiToken(confirmed.value.rotated.session.id, { name: 'bench', scopes: ['registry:write'] }, ctx));
    if (!token.ok) throw new Error(`token ${login}: ${token.refusal.code}`);
    tokens.push(`Bearer ${token.value.rawToken}`);
  }
  return { code: BENCH_CODE, accounts: [a.number, b.number], unitTypeId: unitType.id, proposer: tokens[0]!, approver: tokens[1]! };
}

// ---- child: the servers -------------------------------------------------------------------------------------

async function serve(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'citycap-bench-api-'));
  const db = openDatabase(`sqlite:${join(dir, 'citycap.db')}`);
  await migrateToLatest(db);
  const registry = new Registry(db);
  await runLedgerDemo(registry, { accounts: 50, transfers: 2000, seed: 1 });
  const tokyo = await jurisdictionForProgram(registry, tokyoProgram());
  const facilities = new Facilities(registry);
  for (let i = 1; i <= FACILITIES; i++) {
    await facilities.registerFacility({ jurisdictionId: tokyo.id, code: `F-${String(i).padStart(4, '0')}`, name: `Building ${i}`, owner: 'Owner KK', category: i % 3 === 0 ? 'II' : 'I-1', useType: 'office' }, 'bench');
  }
  // The real server, with the per-client rate limit raised so that one load generator is not throttled; the
  // plugin still runs on every request, so its cost is part of the figures. Public read cache off here (the
  // transfers also run on this one); a second server on the same database has it on at `npm start`'s default.
  const auth = new HttpAuth(db);
  const transfer = await transferSetup(db, registry, auth);
  const limits = { requestsPerMinute: 1_000_000_000, verificationsPerMinute: 1_000_000_000 };
  const api = await buildServer(db, { ...limits, auth, publicCacheMs: 0 });
  const apiAddress = await api.listen({ host: '127.0.0.1', port: 0 });
  const cached = await buildServer(db, limits);
  const cachedAddress = await cached.listen({ host: '127.0.0.1', port: 0 });
  const bare = Fastify({ logger: false });
  bare.get('/bare', () => ({ hello: 'world' }));
  const bareAddress = await bare.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ api: apiAddress, cached: cachedAddress, bare: bareAddress, transfer }));
  const stop = (): void => {
    void Promise.all([api.close(), cached.close(), bare.close()])
      .then(() => db.close())
      .finally(() => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// ---- parent: the load -------------------------------------------------------------------------------------

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (options: { url: string; connections: number; duration: number; pipelining?: number }) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface Row {
  target: string;
  url: string;
  requests_per_s: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx: number;
  errors: number;
  ratio_to_baseline: number;
}

// ---- transfers: concurrent clients, each proposing then approving -------------------------------------------

interface Reply {
  readonly status: number;
  readonly body: string;
}

function post(agent: Agent, base: URL, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { agent, host: base.hostname, port: base.port, method: 'POST', path, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface TransferRun {
  readonly completed: number;
  readonly seconds: number;
  readonly propose: number[];
  readonly approve: number[];
  readonly failures: Record<string, number>;
}

/** `clients` loops, each: POST a transfer proposal (fresh Idempotency-Key) as the proposer, then approve it as the approver. */
async function transfers(api: string, setup: TransferSetup, clients: number, seconds: number, runId: string): Promise<TransferRun> {
  const base = new URL(api);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const txPath = `/api/v1/jurisdictions/${setup.code}/transactions`;
  const propose: number[] = [];
  const approve: number[] = [];
  const failures: Record<string, number> = {};
  const fail = (what: string, r: Reply): void => {
    let code = String(r.status);
    try {
      code += ` ${(JSON.parse(r.body) as { error?: { code?: string } }).error?.code ?? ''}`;
    } catch {
      // not JSON
    }
    failures[`${what} ${code}`] = (failures[`${what} ${code}`] ?? 0) + 1;
  };
  let completed = 0;
  let n = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const i = n++;
        const [from, to] = i % 2 === 0 ? setup.accounts : [setup.accounts[1], setup.accounts[0]];
        const body = JSON.stringify({ type: 'transfer', fromAccountId: from, toAccountId: to, unitTypeId: setup.unitTypeId, quantityT: '1' });
        let t = performance.now();
        const p = await post(agent, base, txPath, { authorization: setup.proposer, 'idempotency-key': `bench-${runId}-${i}` }, body);
        propose.push(performance.now() - t);
        if (p.status !== 201) {
          fail('propose', p);
          continue;
        }
        const txId = (JSON.parse(p.body) as { transaction: { id: string } }).transaction.id;
        t = performance.now();
        const a = await post(agent, base, `${txPath}/${txId}/approve`, { authorization: setup.approver });
        approve.push(performance.now() - t);
        if (a.status !== 200) {
          fail('approve', a);
          continue;
        }
        const status = (JSON.parse(a.body) as { transaction: { status: string } }).transaction.status;
        if (status === 'completed') completed++;
        else failures[`approved but ${status}`] = (failures[`approved but ${status}`] ?? 0) + 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  propose.sort((x, y) => x - y);
  approve.sort((x, y) => x - y);
  return { completed, seconds: elapsed, propose, approve, failures };
}

// ---- the run -----------------------------------------------------------------------------------------------

const TRANSFER_GOAL_PER_S = 1500;
const READ_GOAL_RATIO = 0.5;
const ms = (x: number): number => Number(x.toFixed(1));

async function load(): Promise<void> {
  const json = args.includes('--json');
  const duration = option('--duration', 8);
  const connections = option('--connections', 50);
  const transferClients = option('--transfer-clients', 64);
  const profIndex = args.indexOf('--cpu-prof');
  const profile = profIndex < 0 ? [] : ['--cpu-prof', `--cpu-prof-dir=${args[profIndex + 1] ?? '.'}`];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => {
      reject(new Error(`the server process exited (${code})`));
    });
  });
  const { api, cached, bare, transfer } = JSON.parse(first) as { api: string; cached: string; bare: string; transfer: TransferSetup };
  const print = (row: Record<string, unknown>, text: string): void => {
    console.log(json ? JSON.stringify(row) : text);
  };
  try {
    const facilities = '/api/v1/jurisdictions/TOKYO/facilities?limit=50';
    const targets: [string, string][] = [
      ['baseline: bare Fastify route', `${bare}/bare`],
      ['public: facility register page, cache off', `${api}${facilities}`],
      ['public: facility register page, cache 1 s', `${cached}${facilities}`],
      ['public: jurisdictions list, cache off', `${api}/api/v1/jurisdictions`],
      ['public: jurisdictions list, cache 1 s', `${cached}/api/v1/jurisdictions`],
    ];
    let baseline = 0;
    for (const [target, url] of args.includes('--transfers-only') ? targets.slice(0, 1) : targets) {
      await autocannon({ url, connections, duration: 1 }); // warm-up
      const r = await autocannon({ url, connections, duration });
      if (baseline === 0) baseline = r.requests.average;
      const row: Row = {
        target,
        url: url.replace(/^http:\/\/[^/]+/, ''),
        requests_per_s: Math.round(r.requests.average),
        p50_ms: r.latency.p50,
        p99_ms: r.latency.p99,
        non_2xx: r.non2xx,
        errors: r.errors + r.timeouts,
        ratio_to_baseline: Number((r.requests.average / baseline).toFixed(2)),
      };
      const goal = target.startsWith('public') ? (row.ratio_to_baseline >= READ_GOAL_RATIO ? 'met' : 'NOT MET') : '';
      print(
        { ...row, ...(goal === '' ? {} : { goal: `>= ${READ_GOAL_RATIO} x baseline: ${goal}` }) },
        `${target.padEnd(46)} ${String(row.requests_per_s).padStart(7)} req/s   p50 ${String(row.p50_ms).padStart(3)} ms   p99 ${String(row.p99_ms).padStart(3)} ms   ratio ${row.ratio_to_baseline.toFixed(2)}   non-2xx ${row.non_2xx}   errors ${row.errors}${goal === '' ? '' : `   goal ${goal}`}`,
      );
    }

    await transfers(api, transfer, transferClients, 1, 'warm'); // warm-up
    const t = await transfers(api, transfer, transferClients, duration, 'run');
    const perS = t.completed / t.seconds;
    const row = {
      target: 'transfer: propose + approve (API tokens, trusted destination, completes at approval)',
      clients: transferClients,
      completed_transfers_per_s: Math.round(perS),
      http_requests_per_s: Math.round((t.propose.length + t.approve.length) / t.seconds),
      propose_p50_ms: ms(percentile(t.propose, 50)),
      propose_p99_ms: ms(percentile(t.propose, 99)),
      approve_p50_ms: ms(percentile(t.approve, 50)),
      approve_p99_ms: ms(percentile(t.approve, 99)),
      ratio_to_baseline: Number((perS / baseline).toFixed(3)),
      failures: t.failures,
      goal: `>= ${TRANSFER_GOAL_PER_S} completed/s on SQLite: ${perS >= TRANSFER_GOAL_PER_S ? 'met' : 'NOT MET'}`,
    };
    print(
      row,
      `${'transfer: propose + approve (completed)'.padEnd(46)} ${String(row.completed_transfers_per_s).padStart(7)} tx/s    propose p50 ${row.propose_p50_ms} ms p99 ${row.propose_p99_ms} ms   approve p50 ${row.approve_p50_ms} ms p99 ${row.approve_p99_ms} ms   ${transferClients} clients   failures ${JSON.stringify(t.failures)}   goal ${row.goal}`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

if (args.includes('--serve')) await serve();
else await load();
