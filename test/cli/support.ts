// Runs `citycap` as a user does (node bin/citycap.mjs from the repository root), in an environment without the
// settings a test must give explicitly (database, demo, open-data settings) and without node:test's own context.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UNSET = new Set(['CITYCAP_DB', 'CITYCAP_DEMO', 'CITYCAP_DEMO_SEED', 'CITYCAP_PDF_FONT', 'CITYCAP_TRANSACTION_LOG_DELAY_DAYS', 'CITYCAP_TRANSACTION_LOG_HOLDER_NAMES', 'NODE_TEST_CONTEXT']);
export const CLI_ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !UNSET.has(k)));

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function citycap(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/citycap.mjs', ...args], { cwd: ROOT, env: { ...CLI_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the command and asserts its exit code, showing its output when it differs. */
export async function expectExit(code: number, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const run = await citycap(args, env);
  assert.equal(run.code, code, `citycap ${args.join(' ')} exited ${String(run.code)}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return run;
}
