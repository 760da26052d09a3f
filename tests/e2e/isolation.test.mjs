// Served without COOP/COEP (any static host), the page isolates itself with
// its service worker and one reload; where service workers are unavailable
// it explains what is missing and runs its reduced build (one thread, an event loop and the process models).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, waitForState, reportJson, screenshot } from './harness.mjs';

test('a plain static server: the service worker isolates the page and a run=1 link completes', async () => {
  const server = await serve({ isolated: false });
  const browser = await launch();
  try {
    const page = await browser.page();
    await page.goto(`${server.url}/?w=cpu&tasks=2&n=200000&models=seq,threads,procs&workers=2&repeats=2&warmup=0&run=1`);
    assert.equal(await waitForState(page, ['done', 'error'], 60_000), 'done');
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), 'served through the service worker');
    const report = await reportJson(page);
    assert.ok(report.results.every((r) => r.correct));
    assert.equal(report.env.isolated, true);
    // A later visit is isolated from the start: no second reload.
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`${server.url}/?w=cpu`);
    await page.locator('#run').waitFor();
    assert.equal(loads, 1);
    assert.deepEqual(browser.pageErrors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});

test('without headers and without service workers the page explains how to fix it and runs processes', async () => {
  const server = await serve({ isolated: false });
  const browser = await launch({ serviceWorkers: 'block' });
  try {
    const page = await browser.page();
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`${server.url}/?w=cpu&tasks=4&n=200000&workers=2&repeats=1&warmup=0&run=1`);
    const explain = page.locator('#no-isolation');
    await explain.waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    const text = await explain.textContent();
    assert.match(text, /cross-origin isolated/);
    assert.match(text, /Cross-Origin-Opener-Policy: same-origin/);
    assert.match(text, /Cross-Origin-Embedder-Policy: require-corp/);
    assert.match(text, /threads,\s+gil\s+and\s+oldgil/);
    assert.equal(await page.locator('body').getAttribute('data-memory'), 'reduced');
    // The default models less those that need shared memory, quietly.
    assert.equal(await waitForState(page, ['done', 'error']), 'done');
    const report = await reportJson(page);
    assert.deepEqual(report.results.map((r) => r.model), ['seq', 'procs']);
    assert.ok(report.results.every((r) => r.correct));
    assert.equal(report.env.shared_memory, false);
    assert.ok(loads <= 2, `the page reloaded ${loads} times: it must never loop`);
    await screenshot(page, 'not-isolated.png');
    assert.deepEqual(browser.pageErrors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
