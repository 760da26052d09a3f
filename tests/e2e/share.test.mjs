// Share links, comparison across machines, local history and export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve, launch, waitForState, reportJson, screenshot, chromiumPage, run } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serve({ isolated: true });
  browser = await launch();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const QUERY = 'w=cpu&tasks=4&n=300000&models=seq,threads,gil,procs&workers=2&repeats=3&warmup=0';

const runHere = (page, query = QUERY) => run(chromiumPage(page), server.url, query);

test('run, copy the link, open it in a fresh profile: the same medians, and a comparison after running there', async () => {
  const page = await browser.page();
  const report = await runHere(page);
  await page.locator('#copy-link').click();
  await page.locator('#copy-feedback').waitFor();
  assert.equal(await page.locator('#copy-feedback').textContent(), 'Copied.');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(link, await page.locator('#share-link').inputValue());
  assert.equal(link, report.share_url);
  assert.match(link, /\?w=cpu&.*#r=[A-Za-z0-9_-]+$/);
  assert.ok(link.length <= 2000, `a typical cpu link is ${link.length} characters`);

  const other = await launch();
  try {
    const fresh = await other.page();
    await fresh.goto(link);
    assert.equal(await waitForState(fresh, ['shared', 'error', 'done']), 'shared');
    const shared = await reportJson(fresh);
    assert.deepEqual(shared.results.map((r) => [r.model, r.median_ms, r.speedup]), report.results.map((r) => [r.model, r.median_ms, r.speedup]));
    assert.deepEqual(shared.results.map((r) => r.samples_ms), report.results.map((r) => r.samples_ms));
    assert.equal(shared.env.user_agent, report.env.user_agent);
    assert.match(await fresh.locator('#shared-source').textContent(), /\d+ cores · .*Chrome \d+/);
    // The medians shown are the link's.
    for (const r of report.results) {
      const shown = Number(await fresh.locator(`#results tr[data-model="${r.model}"] td.median .value`).textContent());
      assert.ok(Math.abs(shown - r.median_ms) <= 0.05 + 1e-9, `${r.model}: ${shown} shows ${r.median_ms}`);
    }
    await screenshot(fresh, 'shared-1280.png');

    await fresh.locator('#run-here').click();
    assert.equal(await waitForState(fresh, ['done', 'error']), 'done');
    const rows = fresh.locator('#compare-table tbody tr');
    assert.equal(await rows.count(), report.results.length);
    const pairs = await fresh.locator('#compare-chart rect.pair').evaluateAll((els) => els.map((e) => e.dataset.source));
    assert.equal(pairs.filter((s) => s === 'a').length, 4, 'the link side, one bar per model');
    assert.equal(pairs.filter((s) => s === 'b').length, 4, 'this machine');
    await screenshot(fresh, 'compare-1280.png');
    assert.deepEqual(other.pageErrors, []);
  } finally {
    await other.close();
  }
});

test('a tampered link says what is wrong and keeps the valid settings', async () => {
  const page = await browser.page();
  const report = await runHere(page);
  const link = report.share_url;
  const [base, fragment] = link.split('#');
  const cases = [
    ['flipped', `${base.replace('repeats=3', 'repeats=4')}#${fragment.slice(0, 20)}${fragment[20] === 'A' ? 'B' : 'A'}${fragment.slice(21)}`, /damaged|truncated/],
    ['truncated', `${base}#${fragment.slice(0, fragment.length - 12)}`, /truncated|damaged/],
    ['bad characters', `${base}#r=abc$def`, /not valid base64url at character/],
    ['newer version', `${base}#r=Aw`, /newer version|truncated/],
  ];
  for (const [name, url, message] of cases) {
    await page.goto(url);
    const error = page.locator('#link-error');
    await error.waitFor();
    assert.match(await error.textContent(), message, name);
    assert.notEqual(await page.locator('body').getAttribute('data-run-state'), 'shared', name);
    assert.equal(await page.locator('#f-n').inputValue(), '300000', `${name}: the query part is kept`);
  }
  // The page still works after a bad link.
  await page.locator('#run').click();
  assert.equal(await waitForState(page, ['done', 'error']), 'done');
  assert.deepEqual(browser.pageErrors, []);
});

test('history survives a reload; reopen, compare two, delete, clear', async () => {
  const page = await browser.page();
  await page.goto(`${server.url}/`);
  await page.evaluate(() => localStorage.clear());
  await runHere(page, QUERY);
  await runHere(page, QUERY.replace('n=300000', 'n=200000'));
  // Reload without run=1, which would add a third run.
  await page.goto(`${server.url}/?w=cpu`);
  const items = page.locator('#history-list li');
  await items.first().waitFor();
  assert.equal(await items.count(), 2);

  await items.nth(1).locator('button.open').click();
  assert.equal(await waitForState(page, ['shared']), 'shared');
  assert.equal((await reportJson(page)).config.n, 300000, 'the older run');

  await items.nth(0).locator('input.pick').check();
  await items.nth(1).locator('input.pick').check();
  await page.locator('#compare-table').waitFor();
  assert.equal(await page.locator('#compare-table tbody tr').count(), 4);

  await items.nth(0).locator('button.delete').click();
  await page.waitForFunction(() => document.querySelectorAll('#history-list li').length === 1);
  await page.goto(`${server.url}/?w=cpu`);
  await page.waitForFunction(() => document.querySelectorAll('#history-list li').length === 1);
  await page.locator('#clear-history').click();
  await page.waitForFunction(() => !document.querySelector('#history-list'));
  assert.equal(await page.evaluate(() => localStorage.getItem('tvp-history-v1')), '[]');
});

test('a full or broken storage gives a message, not a crash', async () => {
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    Storage.prototype.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
  });
  await runHere(page);
  assert.match(await page.locator('#history-error').textContent(), /storage is full or blocked/);
  await page.close();
});

test('export JSON and CSV', async () => {
  const page = await browser.page();
  const report = await runHere(page);
  const [json] = await Promise.all([page.waitForEvent('download'), page.locator('#export-json').click()]);
  const exported = JSON.parse(fs.readFileSync(await json.path(), 'utf8'));
  assert.deepEqual(exported, report);
  assert.match(json.suggestedFilename(), /^threads-vs-processes-cpu-\d{4}-\d\d-\d\d\.json$/);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('#export-csv').click()]);
  const lines = fs.readFileSync(await csv.path(), 'utf8').trim().split('\n');
  assert.equal(lines.length, 1 + report.results.reduce((n, r) => n + r.samples_ms.length, 0));
  assert.match(lines[1], /^cpu,seq,1,1,/);
  assert.deepEqual(browser.pageErrors, []);
});

test('export trace: the counter lesson\'s interleavings as instant events, one per example event, in ticket order', async () => {
  const page = await browser.page();
  await page.goto(`${server.url}/?w=counter&tasks=2&increments=200000&sync=racy&models=threads,procs&workers=2&repeats=1&warmup=0&run=1`);
  assert.equal(await waitForState(page, ['done', 'error']), 'done');
  const report = await reportJson(page);
  assert.equal(report.interleavings.length, 2);
  const [file] = await Promise.all([page.waitForEvent('download'), page.locator('#export-trace').click()]);
  const trace = JSON.parse(fs.readFileSync(await file.path(), 'utf8'));
  const names = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name');
  report.interleavings.forEach((seen, i) => {
    const pid = report.results.length + i + 1;
    assert.equal(names.find((e) => e.pid === pid).args.name, `${seen.model}: interleaving (ticket order, not time)`);
    const instant = trace.traceEvents.filter((e) => e.ph === 'i' && e.pid === pid);
    // Every event of every example once, each where the report has it.
    const expected = new Map();
    seen.examples.flat().forEach((e) => expected.set(`${e.order}/${e.worker}`, e));
    assert.equal(instant.length, expected.size, seen.model);
    for (const e of instant) {
      const want = expected.get(`${e.args.order}/${e.args.worker}`);
      assert.ok(want, `${seen.model}: event ${e.args.order} of worker ${e.args.worker} is in the report`);
      assert.equal(e.cat, 'interleaving');
      assert.equal(e.ts, want.order);
      assert.equal(e.tid, want.worker + 1);
      assert.equal(e.args.op, want.op);
      assert.equal(String(e.args.value), String(want.value));
    }
    const lost = instant.filter((e) => e.args.lost_update);
    if (seen.lost > 0) {
      // The last event of each example is the write that lost an update.
      const writes = new Set(seen.examples.map((x) => `${x.at(-1).order}/${x.at(-1).worker}`));
      assert.equal(lost.length, writes.size, seen.model);
      lost.forEach((e) => assert.equal(e.args.op, 'write'));
    } else {
      assert.equal(lost.length, 0, seen.model);
    }
  });
  await page.close();
});

test('export trace: every span of #report-json as a complete event, in microseconds', async () => {
  const page = await browser.page();
  await page.goto(`${server.url}/?w=cpu&tasks=4&n=2000000&models=seq,gil,procs&workers=2&repeats=1&warmup=0&switch_ms=1&run=1`);
  assert.equal(await waitForState(page, ['done', 'error']), 'done');
  const report = await reportJson(page);
  const [file] = await Promise.all([page.waitForEvent('download'), page.locator('#export-trace').click()]);
  assert.match(file.suggestedFilename(), /^threads-vs-processes-cpu-\d{4}-\d\d-\d\d\.trace\.json$/);
  const trace = JSON.parse(fs.readFileSync(await file.path(), 'utf8'));
  assert.equal(trace.displayTimeUnit, 'ms');
  const complete = trace.traceEvents.filter((e) => e.ph === 'X');
  assert.equal(complete.length, report.results.reduce((n, r) => n + r.spans.length, 0));
  const names = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => e.args.name);
  report.results.forEach((r, i) => {
    assert.match(names[i], new RegExp(`^${r.model} `));
    const mine = complete.filter((e) => e.pid === i + 1);
    assert.equal(mine.length, r.spans.length, r.model);
    r.spans.forEach((s, j) => {
      const e = mine[j];
      assert.equal(e.cat, s.kind);
      assert.equal(e.args.task, s.task);
      assert.ok(Math.abs(e.ts - s.start_ms * 1000) < 0.001, `${r.model} span ${j}: ts ${e.ts} vs ${s.start_ms} ms`);
      assert.ok(Math.abs(e.dur - (s.end_ms - s.start_ms) * 1000) < 0.002);
    });
  });
  assert.ok(complete.some((e) => e.cat === 'gil_wait' && /^GIL wait/.test(e.name)), 'GIL waits are named');
  await page.close();
});
