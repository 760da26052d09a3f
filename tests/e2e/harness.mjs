// Shared pieces of the browser tests: a static server for dist/ (with or
// without the isolation headers), Debian's Chromium driven by
// playwright-core (which never downloads a browser of its own), and what
// every suite does with a page in any engine: run a link, check its
// results against their oracles, know which models a lesson runs.
import http from 'node:http';
import net from 'node:net';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const distDir = process.env.TVP_DIST || path.join(root, 'dist');
export const outDir = path.join(root, 'test-output');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Serves `dir` on 127.0.0.1 at a free port; `isolated` adds COOP/COEP,
 * `gzip` compresses what the client accepts compressed.
 * `pages` adds documents by path (an embedding course page, say; HTML
 * unless the path ends otherwise), read at each request, on
 * the same origin and with the same headers as the playground.
 */
export async function serve({ dir = distDir, isolated = true, pages = {}, gzip = false } = {}) {
  const packed = new Map();
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`${dir}/index.html is missing: build the page first (trunk build --release)`);
  }
  let down = false;
  const server = http.createServer((req, res) => {
    // Offline: the connection drops, as when the network is gone.
    if (down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url, 'http://x');
    let file = path.normalize(path.join(dir, decodeURIComponent(url.pathname)));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    const extra = pages[url.pathname];
    const read = extra === undefined
      ? (cb) => fs.readFile(file, cb)
      : (cb) => { file = `page${path.extname(url.pathname) || '.html'}`; cb(null, Buffer.from(extra)); };
    read((err, body) => {
      if (err) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      const headers = { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' };
      if (isolated) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
        headers['Cross-Origin-Resource-Policy'] = 'same-origin';
      }
      // As a host would (Lighthouse's transfer sizes): text and wasm gzipped.
      if (gzip && /\bgzip\b/.test(req.headers['accept-encoding'] || '') && !/\.png$/.test(file)) {
        if (!packed.has(url.pathname)) packed.set(url.pathname, zlib.gzipSync(body, { level: 9 }));
        body = packed.get(url.pathname);
        headers['Content-Encoding'] = 'gzip';
        headers['Vary'] = 'Accept-Encoding';
      }
      res.writeHead(200, headers).end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    /** Every request fails from now (`true`) or is answered again. */
    offline: (on) => {
      down = on;
      if (on) server.closeAllConnections();
    },
    close: () => new Promise((r) => {
      server.close(r);
      server.closeAllConnections();
    }),
  };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh Chromium profile; `pageErrors` collects uncaught errors of every page. */
export async function launch({ width = 1280, height = 900, serviceWorkers = 'allow', args = [] } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tvp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
    viewport: { width, height },
    serviceWorkers,
  });
  const pageErrors = [];
  const consoleErrors = [];
  context.on('page', (page) => watch(page));
  function watch(page) {
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
  }
  context.pages().forEach(watch);
  return {
    context,
    profile,
    pageErrors,
    consoleErrors,
    page: async () => context.pages()[0] || context.newPage(),
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Waits until the page's run state is one of `states` and returns it. */
export async function waitForState(page, states, timeout = 120_000) {
  const handle = await page.waitForFunction(
    (wanted) => {
      const s = document.body.dataset.runState;
      return wanted.includes(s) ? s : false;
    },
    states,
    { timeout },
  );
  return handle.jsonValue();
}

export async function reportJson(page) {
  const text = await page.locator('#report-json').textContent();
  return JSON.parse(text);
}

export async function screenshot(page, name) {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A port nobody listens on yet. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// The models, and those each lesson leaves out, as the code says them: from
// docs/url.md, which `cargo test --test docs` keeps equal to the code.
const urlDoc = fs.readFileSync(path.join(root, 'docs', 'url.md'), 'utf8');
const modelsRow = urlDoc.split('\n').find((l) => l.startsWith('| `models` |'));
export const MODELS = [...modelsRow.split('|')[4].matchAll(/`(\w+)`/g)].map((m) => m[1]).join(',');
const LEFT_OUT = [...urlDoc.matchAll(/^\| `(\w+)` \| `(\w+)` \| .+ \|$/gm)].map((m) => [m[1], m[2]]);

/** `models` without those the lesson of `query` leaves out. */
export function modelsFor(query, models = MODELS) {
  const lesson = /(?:^|&)w=(\w+)/.exec(query)?.[1] ?? 'cpu';
  return models
    .split(',')
    .filter((m) => !LEFT_OUT.some(([l, x]) => l === lesson && x === m))
    .join(',');
}

/** A playwright page behind the same small interface as engines.mjs's Firefox and WebKit. */
export function chromiumPage(page) {
  return {
    name: 'chromium',
    page,
    goto: (url) => page.goto(url),
    waitForState: (states, timeout) => waitForState(page, states, timeout),
    report: () => reportJson(page),
    text: (selector) => page.locator(selector).textContent(),
    eval: (fn, arg) => page.evaluate(fn, arg),
    frameEval: (fn, arg) => page.frames().find((f) => f !== page.mainFrame()).evaluate(fn, arg),
  };
}

/**
 * `fn`, once more in a new session if the browser crashed (`b.isCrash`): a
 * crashed browser process is the engine's flake, not the page's answer,
 * and the retry is said aloud. A page that errs, hangs or crashes twice
 * still fails.
 */
export async function twice(b, what, fn) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt > 1 || !b.isCrash?.(e)) throw e;
      console.error(`${b.name} ${what}: the browser's page crashed (${e.message}); once more`);
    }
  }
}

/** Opens `query` on `base` with `run=1`, waits for the run to end and returns its report. */
export function run(b, base, query, timeout = 180_000) {
  return twice(b, query, async () => {
    await b.goto(`${base}/?${query}&run=1`);
    const state = await b.waitForState(['done', 'error'], timeout);
    assert.equal(state, 'done', `${b.name} ${query}: ${await b.text('#status')}`);
    return await b.report();
  });
}

/** Every model of `models` ran, in order, and met its oracle and `check`. */
export function checkCorrect(report, models, check = () => {}) {
  assert.deepEqual(report.results.map((r) => r.model), models.split(','));
  for (const r of report.results) {
    assert.equal(r.correct, true, `${r.model}: ${r.value} of ${r.expected} ${JSON.stringify(r.errors)}`);
    assert.equal(r.value, r.expected, r.model);
    assert.deepEqual(r.errors, [], r.model);
    check(r, report);
  }
}
