// Lighthouse (npm, pinned in package.json) on the release page, in Debian's
// Chromium: the four category scores, the load metrics and the audits that
// cost points, for desktop and for Lighthouse's mobile (slow 4G, 4 × CPU
// slowdown). Served with gzip and the isolation headers, as a host would.
// Used by the benchmark (figures) and by tests/e2e/lighthouse.test.mjs
// (audits only: scores that depend on timing never decide a test).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { CHROMIUM_ARGS } from '../tests/e2e/harness.mjs';

const require = createRequire(import.meta.url);
const CLI = path.join(path.dirname(require.resolve('lighthouse/package.json')), 'cli', 'index.js');
const CHROME_FLAGS = ['--headless=new', ...CHROMIUM_ARGS];
export const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
const METRICS = {
  'first-contentful-paint': 'first paint',
  'largest-contentful-paint': 'largest paint',
  interactive: 'interactive',
  'total-blocking-time': 'blocking',
  'cumulative-layout-shift': 'layout shift',
};

/** Lighthouse's report of `url` for `formFactor` ('desktop' or 'mobile'), summarised. */
export async function audit(url, formFactor) {
  // Lighthouse itself asks to be run again when its trace of the load
  // misses an event (NO_NAVSTART, NO_FCP on a busy machine): up to 3 tries.
  for (let tried = 1; ; tried++) {
    try {
      return await auditOnce(url, formFactor);
    } catch (e) {
      if (tried >= 3 || !/run Lighthouse again|NO_NAVSTART|NO_FCP/.test(e.message)) throw e;
    }
  }
}

async function auditOnce(url, formFactor) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tvp-lighthouse-'));
  const args = [
    CLI,
    url,
    '--output=json',
    '--output-path=stdout',
    '--quiet',
    `--only-categories=${CATEGORIES.join(',')}`,
    `--chrome-flags=${[...CHROME_FLAGS, `--user-data-dir=${profile}`].join(' ')}`,
  ];
  if (formFactor === 'desktop') args.push('--preset=desktop');
  const env = { ...process.env, CHROME_PATH: process.env.CHROMIUM || '/usr/bin/chromium' };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((r) => child.on('close', r));
  fs.rmSync(profile, { recursive: true, force: true });
  if (code !== 0) throw new Error(`lighthouse ${formFactor} exited ${code}: ${err.slice(-2000)}`);
  const lhr = JSON.parse(out);
  if (lhr.runtimeError) throw new Error(`lighthouse ${formFactor}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round(lhr.categories[c].score * 100)]));
  const metrics = Object.fromEntries(Object.entries(METRICS).map(([id, name]) => [name, lhr.audits[id].numericValue]));
  // Audits that count in a category and did not pass, by category.
  const failing = Object.fromEntries(CATEGORIES.map((c) => [
    c,
    lhr.categories[c].auditRefs
      .filter((ref) => ref.weight > 0)
      .map((ref) => lhr.audits[ref.id])
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative' && a.scoreDisplayMode !== 'notApplicable')
      .map((a) => a.id),
  ]));
  return { formFactor, scores, metrics, failing, version: lhr.lighthouseVersion, userAgent: lhr.environment?.hostUserAgent };
}

/** One line per form factor: the scores and the metrics, as the benchmark prints them. */
export function describe(result) {
  const s = result.scores;
  const m = result.metrics;
  const ms = (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
  const failing = Object.values(result.failing).flat();
  return `${result.formFactor.padEnd(8)} performance ${s.performance}, accessibility ${s.accessibility}, best practices ${s['best-practices']}, SEO ${s.seo}; ` +
    `first paint ${ms(m['first paint'])}, largest paint ${ms(m['largest paint'])}, interactive ${ms(m.interactive)}, blocking ${ms(m.blocking)}, layout shift ${m['layout shift'].toFixed(3)}` +
    (failing.length ? `; failing: ${failing.join(', ')}` : '');
}
