// Offline (www/coi-sw.js, scripts/precache.sh): after one visit, the page
// opens and runs every lesson with the server gone, in Chromium and
// Firefox; a new build waits until the reader agrees, and only then
// replaces the old one. Browsers under automation keep the page online
// unless asked (boot.js), so these tests ask, through localStorage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, distDir } from './harness.mjs';
import { launchFirefox } from './engines.mjs';
import { CASES } from './cases.mjs';

const SW = fs.readFileSync(path.join(distDir, 'coi-sw.js'), 'utf8');
const BUILD_ID = SW.match(/const BUILD = \{ id: "([0-9a-f]+)"/)?.[1];

/** Chromium through playwright, in the shape of the engines' adapter. */
async function chromium() {
  const browser = await launch();
  const page = await browser.page();
  const b = {
    name: 'chromium',
    goto: (url) => page.goto(url, { waitUntil: 'load' }),
    eval: (fn, arg) => page.evaluate(fn, arg),
    click: (selector) => page.click(selector),
    close: () => browser.close(),
    errors: () => browser.pageErrors,
  };
  return b;
}

async function firefox() {
  const b = await launchFirefox();
  b.errors = () => b.pageErrors;
  return b;
}

async function until(b, fn, arg, timeout = 60_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await b.eval(fn, arg).catch(() => null);
    if (v) return v;
    if (Date.now() > end) throw new Error(`${b.name}: not within ${timeout} ms: ${fn}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const state = (b) => until(b, () => ['done', 'error'].includes(document.body.dataset.runState) && document.body.dataset.runState, undefined, 120_000);
const cacheNames = (b) => b.eval(() => caches.keys().then((k) => k.filter((n) => n.startsWith('tvp-')).sort().join(',')));

test('the release build knows its files and version', () => {
  assert.match(BUILD_ID ?? '', /^[0-9a-f]{16}$/, 'scripts/precache.sh wrote the build into coi-sw.js');
  const files = JSON.parse(SW.match(/files: (\[[^\]]*\])/)[1]);
  for (const f of files) assert.ok(fs.existsSync(path.join(distDir, f)), f);
  assert.ok(files.includes('index.html') && files.some((f) => f.endsWith('_bg.wasm')) && files.includes('st/app_bg.wasm'));
  assert.match(fs.readFileSync(path.join(distDir, 'boot.js'), 'utf8'), /^const OFFLINE = true;$/m);
});

for (const [name, open] of [['Chromium', chromium], ['Firefox', firefox]]) {
  test(`${name}: after one visit, every lesson runs with the network off; a new version waits for the reader`, async () => {
    const pages = {};
    const server = await serve({ pages });
    const b = await open();
    try {
      await b.goto(`${server.url}/?w=cpu`);
      await b.eval(() => localStorage.setItem('tvp-offline', '1'));
      await b.goto(`${server.url}/?w=cpu`);
      // Installed, precached, and in charge of this page.
      await until(b, () => navigator.serviceWorker.controller !== null);
      assert.equal(await until(b, () => caches.keys().then((k) => k.find((n) => n.startsWith('tvp-')))), `tvp-${BUILD_ID}`);

      server.offline(true);
      let restarts = 0;
      for (const [query, check] of CASES) {
        const link = `${server.url}/?${query}&models=seq,threads,procs&workers=2&repeats=1&warmup=0&predict=0&run=1`;
        await b.goto(link);
        let ended = await state(b);
        const status = () => b.eval(() => document.querySelector('#status')?.textContent);
        // Firefox can deadlock a worker that starts workers (rayon's, at the
        // engine's start: src/web/client.rs); the page gives up after three
        // watchdog tries. A fresh load is what a reader would do: once.
        if (ended === 'error' && b.name === 'firefox' && /engine worker did not start/.test(await status()) && restarts === 0) {
          restarts += 1;
          await b.goto(link);
          ended = await state(b);
        }
        assert.equal(ended, 'done', `${query}: ${await status()}`);
        const report = JSON.parse(await b.eval(() => document.querySelector('#report-json').textContent));
        for (const r of report.results) {
          assert.ok(r.correct, `${query} ${r.model}: ${r.value} vs ${r.expected}`);
          check(r, report);
        }
      }
      // Online again, with a new build: it installs and waits.
      server.offline(false);
      pages['/coi-sw.js'] = SW.replace(`id: "${BUILD_ID}"`, 'id: "0000000000000001"');
      await b.goto(`${server.url}/?w=cpu`);
      await until(b, () => navigator.serviceWorker.getRegistration().then((r) => r.update()).then(() => true));
      await until(b, () => document.querySelector('#update-ready') !== null);
      assert.match(await b.eval(() => document.querySelector('#update-ready').textContent), /A new version of the playground is ready/);
      // Until the reader agrees, pages keep the version they started with.
      await b.goto(`${server.url}/?w=spawn`);
      await until(b, () => document.querySelector('#update-ready') !== null);
      assert.match(await cacheNames(b), new RegExp(`tvp-${BUILD_ID}`));
      assert.equal(await b.eval(() => navigator.serviceWorker.getRegistration().then((r) => Boolean(r.waiting))), true);
      // Agreed: the page reloads into the new version, and the old cache goes.
      await b.click('#update-reload');
      await until(b, () => document.querySelector('#run') !== null && document.querySelector('#update-ready') === null);
      assert.equal(await until(b, async () => {
        const k = (await caches.keys()).filter((n) => n.startsWith('tvp-'));
        return k.length === 1 && k[0];
      }), 'tvp-0000000000000001');
      // Firefox reports a load its service worker answered, then dropped
      // as a page went away, under no address at all; in two of three full
      // runs one such line came, with every lesson done and correct. Any
      // other error, or that one naming a file, fails.
      const dropped = /^Error: Failed to load ‘’\. A ServiceWorker intercepted the request/;
      assert.deepEqual(b.errors().filter((e) => !(b.name === 'firefox' && dropped.test(e))), []);
    } finally {
      await b.close();
      await server.close();
    }
  });
}
