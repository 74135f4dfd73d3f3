// API throughput over loopback: requests/s and p99 latency of a bare Fastify route (the baseline, measured in the
// same run) and of public disclosure reads through the real server (security headers, rate limiting, validation,
// schema serialization, the database). The servers run in a child process so that the load generator (autocannon)
// does not share their event loop.
//   Not yet measured: the authenticated transfer proposal + approval (it waits for sign-in).
// Usage: npm run bench:api [-- --json] [--duration S] [--connections N]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { runLedgerDemo } from '../src/app/demo-ledger.js';
import { Facilities } from '../src/app/facilities.js';
import { jurisdictionForProgram } from '../src/app/programs.js';
import { Registry } from '../src/app/registry.js';
import { tokyoProgram } from '../src/domain/program/presets/index.js';
import { buildServer } from '../src/http/server.js';
import { openDatabase } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  const n = i < 0 ? fallback : Number(args[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
};
const FACILITIES = 500;

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
  // plugin still runs on every request, so its cost is part of the figures.
  const api = await buildServer(db, { requestsPerMinute: 1_000_000_000, verificationsPerMinute: 1_000_000_000 });
  const apiAddress = await api.listen({ host: '127.0.0.1', port: 0 });
  const bare = Fastify({ logger: false });
  bare.get('/bare', () => ({ hello: 'world' }));
  const bareAddress = await bare.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ api: apiAddress, bare: bareAddress }));
  const stop = (): void => {
    void Promise.all([api.close(), bare.close()])
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

async function load(): Promise<void> {
  const json = args.includes('--json');
  const duration = option('--duration', 8);
  const connections = option('--connections', 50);
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => {
      reject(new Error(`the server process exited (${code})`));
    });
  });
  const { api, bare } = JSON.parse(first) as { api: string; bare: string };
  try {
    const targets: [string, string][] = [
      ['baseline: bare Fastify route', `${bare}/bare`],
      ['public: facility register page (50 of 500)', `${api}/api/v1/jurisdictions/TOKYO/facilities?limit=50`],
      ['public: jurisdictions list', `${api}/api/v1/jurisdictions`],
    ];
    let baseline = 0;
    for (const [target, url] of targets) {
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
      if (json) console.log(JSON.stringify(row));
      else console.log(`${target.padEnd(46)} ${String(row.requests_per_s).padStart(7)} req/s   p50 ${String(row.p50_ms).padStart(3)} ms   p99 ${String(row.p99_ms).padStart(3)} ms   ratio ${row.ratio_to_baseline.toFixed(2)}   non-2xx ${row.non_2xx}   errors ${row.errors}`);
    }
    const note = { target: 'authenticated transfer proposal + approval', status: 'not measured: waits for sign-in' };
    if (json) console.log(JSON.stringify(note));
    else console.log(`${note.target.padEnd(46)} ${note.status}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

if (args.includes('--serve')) await serve();
else await load();
