// A tab in the background (Report::background): browsers slow a hidden
// page's timers and workers, so what is measured while the page is hidden
// is marked suspect, left out of the verdicts and said in words, in the
// report and in the link. The page is hidden by emulation: its
// visibilityState and hidden read "hidden" and a visibilitychange event
// fires, as when the reader switches tabs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, waitForState, reportJson } from './harness.mjs';

let server;
let browser;
let page;

before(async () => {
  server = await serve();
  browser = await launch();
  page = await browser.page();
  await page.addInitScript(() => {
    let hidden = false;
    Object.defineProperty(document, 'hidden', { get: () => hidden, configurable: true });
    Object.defineProperty(document, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible'), configurable: true });
    window.__setHidden = (h) => {
      hidden = h;
      document.dispatchEvent(new Event('visibilitychange'));
    };
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const WHY = /: suspect, not a result: measured while the tab was in the background/;

test('hidden while one model runs: that model is suspect, the others are judged, and the link says so again', async () => {
  // Each model takes a while, so that the page is hidden inside procs' rounds.
  await page.goto(`${server.url}/?w=cpu&tasks=2&n=30000000&models=seq,threads,procs&workers=2&repeats=3&warmup=0&predict=0`);
  await page.locator('#run').click();
  await page.waitForFunction(() => /model procs/.test(document.querySelector('#status')?.textContent || ''), null, { timeout: 120_000 });
  await page.evaluate(() => window.__setHidden(true));
  await page.evaluate(() => window.__setHidden(false));
  assert.equal(await waitForState(page, ['done', 'error']), 'done');
  const report = await reportJson(page);
  assert.deepEqual(report.background, ['procs']);
  const procs = report.results.find((r) => r.model === 'procs');
  assert.match(procs.suspect, /^measured while the tab was in the background/);
  for (const m of ['seq', 'threads']) assert.equal(report.results.find((r) => r.model === m).suspect ?? null, null, m);
  assert.match(await page.locator('#verdicts li[data-model="procs"]').textContent(), WHY);
  assert.doesNotMatch(await page.locator('#verdicts li[data-model="threads"]').textContent(), /suspect/);
  const warning = await page.locator('#background-warning').textContent();
  assert.match(warning, /Measured while the tab was in the background: procs\. .* its figure is left out of the verdicts/);
  // The share link carries it: opened elsewhere, the same warning and verdict.
  const link = await page.locator('#share-link').inputValue();
  const other = await browser.context.newPage();
  await other.goto(link);
  await other.locator('#background-warning').waitFor();
  assert.equal(await other.locator('#background-warning').textContent(), warning);
  assert.match(await other.locator('#verdicts li[data-model="procs"]').textContent(), WHY);
  await other.close();
});

test('hidden from the start: every model is suspect, seq with them, and no speedup is a verdict', async () => {
  await page.goto(`${server.url}/?w=cpu&tasks=2&n=2000000&models=seq,gil,procs&workers=2&repeats=2&warmup=0&predict=0`);
  await page.evaluate(() => window.__setHidden(true));
  await page.locator('#run').click();
  assert.equal(await waitForState(page, ['done', 'error']), 'done');
  await page.evaluate(() => window.__setHidden(false));
  const report = await reportJson(page);
  assert.deepEqual(report.background, ['seq', 'gil', 'procs']);
  for (const li of await page.locator('#verdicts li').allTextContents()) assert.match(li, /suspect, not a result/);
  assert.match(await page.locator('#background-warning').textContent(), /and so is every speedup over seq/);
  // In view again, the next run is clean.
  await page.locator('#run').click();
  assert.equal(await waitForState(page, ['done', 'error']), 'done');
  assert.equal((await reportJson(page)).background, undefined);
  assert.equal(await page.locator('#background-warning').count(), 0);
});

test('no page errors were thrown', () => {
  assert.deepEqual(browser.pageErrors, []);
});
