// The real `citycap` command line, spawned as a user would run it, against a SQLite file and a PostgreSQL
// database: migrate, demo, verify, stats, a tampered balance, bad input, and reproducible demo runs.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { JournalBody } from '../../src/domain/registry/journal.js';
import { openDatabase, type Engine } from '../../src/store/db.js';
import { scratchPostgres } from '../support/engines.js';
import { expectExit } from './support.js';


interface Target {
  readonly url: string;
  drop(): Promise<void>;
}

/** An empty database the CLI has not seen yet: a path in a new temporary directory, or a new PostgreSQL database. */
async function freshTarget(engine: Engine): Promise<Target> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'citycap-cli-'));
    const drop = (): Promise<void> => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    };
    return { url: `sqlite:${join(dir, 'citycap.db')}`, drop };
  }
  return scratchPostgres('citycap_cli');
}

interface DemoSummary {
  jurisdiction: string;
  accounts: number;
  commands: number;
  completed: number;
  replayed: number;
  refused: Record<string, number>;
}

interface Stats {
  unitTypes: { jurisdiction: string; unitType: string; kind: string; issuedT: string; byStatusT: Record<string, string> }[];
  transactions: { jurisdiction: string; type: string; status: string; count: string; quantityT: string }[];
}

interface VerifyJson {
  ok: boolean;
  firstSeq: string | null;
  jurisdictions: { code: string; entries: string; head: string; problems: { seq: string; place: string; message: string }[] }[];
}

const DEMO_ARGS = ['demo', 'ledger', '--accounts', '8', '--transfers', '200', '--seed', '5', '--json'];
/** Stats per engine, to compare the engines with each other at the end. */
const statsByEngine = new Map<Engine, Stats>();

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`citycap CLI on ${engine}`, () => {
    const targets: Target[] = [];
    let target: Target;
    let demo: DemoSummary;
    let stats: Stats;
    before(async () => {
      target = await freshTarget(engine);
      targets.push(target);
    });
    after(async () => {
      for (const t of targets) await t.drop();
    });

    it('db migrate applies the schema, then says it is up to date', async () => {
      const first = await expectExit(0, ['db', 'migrate', '--db', target.url]);
      assert.match(first.stdout, /applied 0001_ledger/);
      const second = await expectExit(0, ['db', 'migrate', '--db', target.url]);
      assert.match(second.stdout, /schema is up to date/);
    });

    it('demo ledger --json completes transactions and refuses some for insufficient units', async () => {
      const run = await expectExit(0, [...DEMO_ARGS, '--db', target.url]);
      demo = JSON.parse(run.stdout) as DemoSummary;
      assert.equal(demo.jurisdiction, 'DEMO');
      assert.equal(demo.accounts, 8);
      assert.equal(demo.commands, 8 + 200);
      assert.ok(demo.completed > 0);
      assert.equal(demo.replayed, 0);
      assert.ok((demo.refused.INSUFFICIENT_UNITS ?? 0) > 0, `refused: ${JSON.stringify(demo.refused)}`);
      const refused = Object.values(demo.refused).reduce((a, b) => a + b, 0);
      assert.equal(demo.completed + demo.replayed + refused, demo.commands);
    });

    it('ledger verify --json exits 0 with ok true; --expect-head checks the published head', async () => {
      const run = await expectExit(0, ['ledger', 'verify', '--json', '--db', target.url]);
      const report = JSON.parse(run.stdout) as VerifyJson;
      assert.equal(report.ok, true);
      assert.equal(report.firstSeq, null);
      assert.equal(report.jurisdictions.length, 1);
      const j = report.jurisdictions[0]!;
      assert.equal(j.code, 'DEMO');
      assert.equal(j.entries, String(demo.completed));
      assert.deepEqual(j.problems, []);
      assert.match(j.head, /^[0-9a-f]{64}$/);

      const text = await expectExit(0, ['ledger', 'verify', '--expect-head', j.head, '--db', target.url]);
      assert.match(text.stdout, new RegExp(`DEMO: OK — ${j.entries} journal entries, head ${j.head}`));
      const wrong = await expectExit(1, ['ledger', 'verify', '--expect-head', '0'.repeat(64), '--db', target.url]);
      assert.match(wrong.stdout, new RegExp(`first disagreement at journal entry ${j.entries}\\b`));
      assert.match(wrong.stdout, /is not the expected 0{64}/);
    });

    it('ledger stats --json: every unit type has issued = the sum over its statuses', async () => {
      const run = await expectExit(0, ['ledger', 'stats', '--json', '--db', target.url]);
      stats = JSON.parse(run.stdout) as Stats;
      assert.deepEqual(stats.unitTypes.map((u) => u.unitType), ['ALLOWANCE-P1', 'ALLOWANCE-P2', 'ERC-P1']);
      for (const u of stats.unitTypes) {
        const sum = Object.values(u.byStatusT).reduce((a, b) => a + BigInt(b), 0n);
        assert.equal(BigInt(u.issuedT), sum, `${u.unitType}: issued ${u.issuedT}, statuses ${JSON.stringify(u.byStatusT)}`);
      }
      assert.ok(BigInt(stats.unitTypes[0]!.issuedT) >= 8n * 500n, 'the opening allocation is counted');
      const completed = stats.transactions.filter((t) => t.status === 'completed').reduce((a, t) => a + BigInt(t.count), 0n);
      assert.equal(completed, BigInt(demo.completed));
      statsByEngine.set(engine, stats);
    });

    it('the same seed on a fresh database gives identical stats (reproducible)', async () => {
      const again = await freshTarget(engine);
      targets.push(again);
      const run = await expectExit(0, [...DEMO_ARGS, '--db', again.url]);
      const summary = JSON.parse(run.stdout) as DemoSummary;
      assert.equal(summary.completed, demo.completed);
      assert.deepEqual(summary.refused, demo.refused);
      const other = JSON.parse((await expectExit(0, ['ledger', 'stats', '--json', '--db', again.url])).stdout) as Stats;
      assert.deepEqual(other.unitTypes, stats.unitTypes);
      assert.deepEqual(other.transactions, stats.transactions);
    });

    it('a balance edited in SQL makes ledger verify exit 1, naming the entry and the account', async () => {
      // Tamper with the holding last touched earliest, so the entry named is not simply the last one.
      const db = openDatabase(target.url);
      let seq = 0n;
      let label: string;
      try {
        const k = db.kysely;
        const bodies = (await k.selectFrom('journal').select('body').orderBy('seq').execute()).map((r) => JSON.parse(r.body) as JournalBody);
        const lastSeq = new Map<string, bigint>();
        for (const b of bodies) for (const a of [b.tx.from, b.tx.to]) if (a !== null) lastSeq.set(`${a}|${b.tx.unit_type}`, BigInt(b.seq));
        const balances = await k
          .selectFrom('balances as b')
          .innerJoin('accounts as a', 'a.id', 'b.account_id')
          .innerJoin('unit_types as u', 'u.id', 'b.unit_type_id')
          .select(['b.account_id', 'b.unit_type_id', 'a.number', 'u.code'])
          .where('a.type', 'in', ['facility_compliance', 'general_holding'])
          .where('b.quantity_t', '>', 0n)
          .orderBy('a.number')
          .orderBy('u.code')
          .execute();
        let pick: (typeof balances)[number] | undefined;
        for (const b of balances) {
          const s = lastSeq.get(`${b.account_id}|${b.unit_type_id}`) ?? 0n;
          if (pick === undefined || s < seq) [pick, seq] = [b, s];
        }
        assert.ok(pick !== undefined && seq > 0n);
        label = `account ${pick.number}, unit type ${pick.code}`;
        await k.updateTable('balances').set({ quantity_t: sql<bigint>`quantity_t + 1` }).where('account_id', '=', pick.account_id).where('unit_type_id', '=', pick.unit_type_id).execute();
      } finally {
        await db.close();
      }

      const text = await expectExit(1, ['ledger', 'verify', '--db', target.url]);
      const n = seq.toString();
      assert.match(text.stdout, new RegExp(`DEMO: FAILED — first disagreement at journal entry ${n}\\n`));
      assert.ok(text.stdout.includes(`seq ${n} [balance] ${label}: stored balance`), text.stdout);

      const json = JSON.parse((await expectExit(1, ['ledger', 'verify', '--json', '--db', target.url])).stdout) as VerifyJson;
      assert.equal(json.ok, false);
      assert.equal(json.firstSeq, n);
      assert.deepEqual(json.jurisdictions[0]!.problems.map((p) => [p.seq, p.place]), [[n, 'balance']]);
    });
  });
}

describe('citycap CLI: both engines agree', () => {
  it('the same demo gives the same stats on SQLite and PostgreSQL', (t) => {
    const [a, b] = [statsByEngine.get('sqlite'), statsByEngine.get('postgres')];
    if (a === undefined || b === undefined) {
      t.skip('an engine suite did not record its stats');
      return;
    }
    assert.deepEqual(a, b);
  });
});

describe('citycap CLI: bad input exits 2 with a clear message', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'citycap-cli-bad-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('demo ledger --accounts abc names --accounts and touches no database', async () => {
    const path = join(dir, 'never.db');
    const run = await expectExit(2, ['demo', 'ledger', '--accounts', 'abc', '--transfers', '1', '--db', `sqlite:${path}`]);
    assert.match(run.stderr, /--accounts must be a whole number/);
    assert.equal(existsSync(path), false);
  });

  it('an out-of-range --transfers names --transfers', async () => {
    const run = await expectExit(2, ['demo', 'ledger', '--accounts', '3', '--transfers', '-1', '--db', `sqlite:${join(dir, 'never.db')}`]);
    assert.match(run.stderr, /--transfers/);
  });

  it('ledger verify on a missing SQLite file says there is no database there', async () => {
    const run = await expectExit(2, ['ledger', 'verify', '--db', 'sqlite:/nonexistent/x.db']);
    assert.match(run.stderr, /no database at \/nonexistent\/x\.db/);
    assert.match(run.stderr, /db migrate/);
    assert.equal(run.stdout, '');
    assert.equal(existsSync('/nonexistent/x.db'), false);
  });

  for (const command of [['ledger', 'verify'], ['ledger', 'stats'], ['db', 'migrate']]) {
    it(`${command.join(' ')} --db mysql://x names --db`, async () => {
      const run = await expectExit(2, [...command, '--db', 'mysql://x']);
      assert.match(run.stderr, /--db/);
      assert.match(run.stderr, /mysql:\/\/x/);
      assert.match(run.stderr, /sqlite:|postgres:\/\//);
    });
  }
});
