// Served without COOP/COEP (any static host), the page isolates itself with
// its service worker and one reload; where service workers are unavailable
// it explains what is missing rather than fail.
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

test('without headers and without service workers the page explains how to fix it', async () => {
  const server = await serve({ isolated: false });
  const browser = await launch({ serviceWorkers: 'block' });
  try {
    const page = await browser.page();
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`${server.url}/?run=1`);
    const explain = page.locator('#no-isolation');
    await explain.waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    const text = await explain.textContent();
    assert.match(text, /cross-origin isolated/);
    assert.match(text, /Cross-Origin-Opener-Policy: same-origin/);
    assert.match(text, /Cross-Origin-Embedder-Policy: require-corp/);
    assert.equal(await page.locator('body').getAttribute('data-run-state'), 'error');
    assert.equal(await page.locator('#app').isVisible(), false);
    assert.ok(loads <= 2, `the page reloaded ${loads} times: it must never loop`);
    await screenshot(page, 'not-isolated.png');
    assert.deepEqual(browser.pageErrors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
