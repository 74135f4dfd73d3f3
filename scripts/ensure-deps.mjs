// Installs dependencies (`npm ci`) when node_modules is missing or older than package-lock.json,
// so that `npm start` and `npm test` work on a fresh clone.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const installed = 'node_modules/.package-lock.json';
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs) {
  console.log('citycap: installing dependencies (npm ci; better-sqlite3 compiles for about 2 minutes)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
