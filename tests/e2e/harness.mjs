// Shared pieces of the browser tests: a static server for dist/ (with or
// without the isolation headers) and Debian's Chromium driven by
// playwright-core, which never downloads a browser of its own.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
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
};

/**
 * Serves `dir` on 127.0.0.1 at a free port; `isolated` adds COOP/COEP.
 * `pages` adds HTML documents by path (an embedding course page, say), on
 * the same origin and with the same headers as the playground.
 */
export async function serve({ dir = distDir, isolated = true, pages = {} } = {}) {
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`${dir}/index.html is missing: build the page first (trunk build --release)`);
  }
  const server = http.createServer((req, res) => {
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
      : (cb) => { file = 'page.html'; cb(null, Buffer.from(extra)); };
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
      res.writeHead(200, headers).end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh Chromium profile; `pageErrors` collects uncaught errors of every page. */
export async function launch({ width = 1280, height = 900, serviceWorkers = 'allow' } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tvp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
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
