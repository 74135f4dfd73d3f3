// Installs dependencies (`npm ci`) when node_modules is missing or older than package-lock.json, and builds the
// web app (web/ → web/dist) when it is missing or older than its sources, so that `npm start` and `npm test` work
// on a fresh clone.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const installed = 'node_modules/.package-lock.json';
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs) {
  console.log('citycap: installing dependencies (npm ci; better-sqlite3 compiles for about 2 minutes)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}

/** Newest modification time of the files under `dir`. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const built = 'web/dist/index.html';
const sources = Math.max(newest('web/src'), statSync('web/index.html').mtimeMs, statSync('web/vite.config.ts').mtimeMs, statSync('package-lock.json').mtimeMs);
if (!existsSync(built) || statSync(built).mtimeMs < sources) {
  console.log('citycap: building the web app (vite build web)…');
  execSync('npx vite build web --logLevel warn', { stdio: 'inherit' });
}
