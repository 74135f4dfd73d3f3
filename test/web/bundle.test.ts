// The web app's first page stays small: the JavaScript a browser loads before it can show the home page (the entry
// script, its modulepreload links, and the home page's own chunk with what it imports) is at most 300 KB gzipped, and
// none of it is echarts — chart pages load it in their own chunks. Builds web/dist first when it is out of date.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ensureWebBuilt } from '../e2e/support/server.js';
import { WEB_DIST } from '../../src/http/routes/web-app.js';

const INITIAL_GZIP_BYTES_MAX = 300 * 1024;
/** Strings only echarts' core (and its renderer, zrender) carries; property names survive minification. */
const ECHARTS_MARKERS = ['ec_primitive__', '__zr'];

const asset = (file: string): string => readFileSync(join(WEB_DIST, 'assets', file), 'utf8');

/** The chunks a chunk imports statically (`import … from "./x.js"`, `import "./x.js"`), transitively. */
function withStaticImports(files: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...files];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of asset(file).matchAll(/(?:from|import)\s*"\.\/([\w.-]+\.js)"/g)) queue.push(m[1]!);
  }
  return seen;
}

describe('web bundle', () => {
  ensureWebBuilt();
  const html = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');
  const entry = [...html.matchAll(/<script[^>]+type="module"[^>]+src="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
  const preloads = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
  const entryCode = entry.map(asset).join('\n');
  const lazyChunk = (name: string): string | undefined => new RegExp(`import\\(\\s*[\`"']\\./(${name}-[\\w-]+\\.js)`).exec(entryCode)?.[1];
  const home = lazyChunk('Home');
  const initial = withStaticImports([...entry, ...preloads, ...(home === undefined ? [] : [home])]);

  it('has one entry script, and finds the home page chunk', () => {
    assert.equal(entry.length, 1, 'index.html loads one module script');
    assert.ok(home !== undefined, 'the entry names the home page chunk (lazy route)');
  });

  it(`loads at most ${String(INITIAL_GZIP_BYTES_MAX / 1024)} KB of gzipped JavaScript for the first page`, () => {
    let rawBytes = 0;
    let gzipBytes = 0;
    for (const file of initial) {
      const code = readFileSync(join(WEB_DIST, 'assets', file));
      rawBytes += code.length;
      gzipBytes += gzipSync(code, { level: 9 }).length;
    }
    console.log(`initial JavaScript: ${String(initial.size)} files, ${(rawBytes / 1024).toFixed(1)} KB, ${(gzipBytes / 1024).toFixed(1)} KB gzipped (limit ${String(INITIAL_GZIP_BYTES_MAX / 1024)} KB)`);
    assert.ok(gzipBytes <= INITIAL_GZIP_BYTES_MAX, `${String(gzipBytes)} bytes gzipped`);
  });

  it("is a production build (React's development build is several times larger)", () => {
    for (const file of initial) assert.ok(!asset(file).includes('_debugTask'), `${file} holds React's development build`);
  });

  it('does not load echarts on the first page', () => {
    for (const file of initial) {
      const code = asset(file);
      for (const marker of ECHARTS_MARKERS) assert.ok(!code.includes(marker), `${file} holds echarts (${marker})`);
    }
    // …and the markers do find echarts where it is, so the check above means something.
    const emissions = lazyChunk('Emissions');
    assert.ok(emissions !== undefined, 'the entry names the emissions page chunk');
    const all = withStaticImports([emissions]);
    const code = [...all].map(asset).join('\n');
    assert.ok(ECHARTS_MARKERS.every((m) => code.includes(m)), 'the emissions page brings echarts');
  });
});
