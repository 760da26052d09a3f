// End-to-end tests of the built page (dist/) in Debian's headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, waitForState, reportJson, screenshot } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serve({ isolated: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(query) {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/${query}`);
  return page;
}

test('the page is cross-origin isolated and starts idle', async () => {
  const page = await open('');
  await page.locator('#run').waitFor();
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  assert.equal(await page.evaluate(() => typeof SharedArrayBuffer), 'function');
  assert.equal(await page.locator('body').getAttribute('data-run-state'), 'idle');
  assert.match(await page.locator('#env-isolated').textContent(), /cross-origin isolated ✓/);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal(await page.locator('#f-workers').inputValue(), String(cores), 'workers default to the core count');
  await page.close();
});

test('a run=1 link runs seq, threads and procs to correct results', async () => {
  const query = '?w=cpu&tasks=4&n=200000&models=seq,threads,procs&workers=2&repeats=3&warmup=1&run=1';
  const page = await open(query);
  const state = await waitForState(page, ['done', 'error']);
  assert.equal(state, 'done', await page.locator('#status').textContent());
  const report = await reportJson(page);

  assert.equal(report.version, 1);
  assert.equal(report.env.isolated, true);
  assert.ok(report.env.cores >= 1);
  assert.match(report.env.user_agent, /Chrome/);
  assert.deepEqual(report.config.models, ['seq', 'threads', 'procs']);
  assert.equal(report.config.w, 'cpu');
  assert.equal(report.config.n, 200000);
  assert.equal(report.config.workers, 2);
  assert.match(report.share_url, /[?&]models=seq,threads,procs(&|$)/);

  assert.deepEqual(report.results.map((r) => r.model), ['seq', 'threads', 'procs']);
  const seq = report.results[0];
  for (const r of report.results) {
    assert.equal(r.correct, true, `${r.model} is correct`);
    assert.equal(r.value, String(4 * 200000), `${r.model} counted every step`);
    assert.equal(r.samples_ms.length, 3, 'one sample per measured repeat');
    assert.ok(r.samples_ms.every((v) => v > 0));
    const sorted = [...r.samples_ms].sort((a, b) => a - b);
    assert.equal(r.median_ms, sorted[1]);
    assert.ok(Math.abs(r.speedup - seq.median_ms / r.median_ms) < 1e-9, 'speedup = median(seq) / median(model)');
    assert.deepEqual(r.errors, []);
    // Every task ran exactly once, on a worker the model has.
    assert.deepEqual(r.spans.map((s) => s.task).sort(), [0, 1, 2, 3]);
    const limit = r.model === 'seq' ? 1 : 2;
    assert.ok(r.spans.every((s) => s.worker < limit && s.kind === 'run' && s.end_ms >= s.start_ms));
  }
  assert.equal(seq.speedup, 1);
  assert.equal(report.results[1].workers, 2);
  assert.equal(report.results[2].workers, 2);

  // The table shows what the report says.
  const rows = page.locator('#results tbody tr');
  assert.equal(await rows.count(), 3);
  for (const r of report.results) {
    const row = page.locator(`#results tr[data-model="${r.model}"]`);
    const shown = Number(await row.locator('td.median .value').textContent());
    assert.ok(Math.abs(shown - r.median_ms) <= 0.05 + 1e-9, `${r.model}: ${shown} shows ${r.median_ms}`);
    assert.match(await row.textContent(), /✓ correct/);
  }
  await screenshot(page, 'run-1280.png');
  await page.setViewportSize({ width: 375, height: 800 });
  await screenshot(page, 'run-375.png');
  await page.close();
});

test('the Run button runs the form and the URL follows the form', async () => {
  const page = await open('?n=100000&models=seq,threads&repeats=1&warmup=0&workers=1');
  await page.locator('#run').waitFor();
  await page.locator('#f-tasks').fill('3');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('tasks') === '3');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('n'), '100000', 'other keys stay in the URL');
  await page.locator('#run').click();
  assert.equal(await waitForState(page, ['done', 'error']), 'done');
  const report = await reportJson(page);
  assert.equal(report.config.tasks, 3);
  assert.deepEqual(report.results.map((r) => [r.model, r.value, r.correct]), [
    ['seq', '300000', true],
    ['threads', '300000', true],
  ]);
  await page.close();
});

test('bad parameters are named with their limit and the rest is kept', async () => {
  const page = await open('?w=cpu&workers=0&n=12abc&repeats=3&models=seq,fibers&run=1');
  const errors = page.locator('#config-errors li');
  await errors.first().waitFor();
  const texts = await errors.allTextContents();
  assert.equal(texts.length, 3, texts.join('\n'));
  const byKey = Object.fromEntries(
    await Promise.all((await errors.all()).map(async (li) => [await li.getAttribute('data-key'), await li.textContent()])),
  );
  assert.match(byKey.workers, /workers = "0" is not allowed: a whole number from 1 to 64/);
  assert.match(byKey.n, /n = "12abc" is not allowed: a whole number from 1 to 10,000,000,000/);
  assert.match(byKey.models, /"fibers" is not a model/);
  // What the user entered stays in its field; valid keys keep their values.
  assert.equal(await page.locator('#f-workers').inputValue(), '0');
  assert.equal(await page.locator('#f-n').inputValue(), '12abc');
  assert.equal(await page.locator('#f-repeats').inputValue(), '3');
  assert.equal(await page.locator('#f-workers').getAttribute('aria-invalid'), 'true');
  // A link with errors does not start, and Run waits for a fix.
  assert.equal(await page.locator('body').getAttribute('data-run-state'), 'idle');
  assert.equal(await page.locator('#run').isDisabled(), true);
  await screenshot(page, 'invalid.png');

  await page.locator('#f-workers').fill('2');
  await page.locator('#f-n').fill('1000');
  // The models field fell back to its default; editing it replaces the bad list.
  await page.locator('#m-procs').uncheck();
  await page.locator('#m-gil').uncheck();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('models') === 'seq,threads');
  await page.waitForFunction(() => !document.querySelector('#config-errors'));
  assert.equal(await page.locator('#run').isDisabled(), false);
  await page.close();
});

test('the progress line counts finished tasks between the engine\'s messages', async () => {
  const page = await open('?w=io&tasks=8&wait_ms=150&models=seq&repeats=1&warmup=0');
  await page.locator('#run').waitFor();
  // One round of one model: the engine says "round 1" once, so any count
  // above 0 comes from polling its counter, not from its messages.
  await page.evaluate(() => {
    window.seenStatus = new Set();
    new MutationObserver(() => window.seenStatus.add(document.querySelector('#status')?.textContent || ''))
      .observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.locator('#run').click();
  assert.equal(await waitForState(page, ['done', 'error']), 'done');
  const seen = await page.evaluate(() => [...window.seenStatus]);
  const counts = new Set(seen
    .map((t) => /measuring: round 1 of 1 · model seq · (\d) of 8 tasks done/.exec(t))
    .filter(Boolean)
    .map((m) => Number(m[1]))
    .filter((n) => n > 0));
  assert.ok(counts.size >= 2, `the count moved within one round: ${JSON.stringify(seen)}`);
  await page.close();
});

test('no page errors were thrown', () => {
  assert.deepEqual(browser.pageErrors, []);
});
