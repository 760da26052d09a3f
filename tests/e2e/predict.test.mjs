// Predict, run, explain (src/predict.rs, src/verdict/): in every lesson the
// reader answers the lesson's question before Run, and after the run each
// answer stands beside its result, right or off as the results bear it out
// (recomputed here from #report-json), with its explanation; the answers
// travel in the report, the CSV and the share link; "Run without
// predicting" takes none; predict=0 never asks and predict=1 holds a run=1
// link until the reader runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, waitForState, reportJson, screenshot } from './harness.mjs';

let server;
let browser;
let page;

before(async () => {
  server = await serve({ isolated: true });
  browser = await launch();
  page = await browser.page();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const QUICK = 'workers=2&repeats=2&warmup=0';
const LESSONS = {
  cpu: 'tasks=4&n=400000&models=seq,threads,gil,procs',
  squares: 'n=200000&tasks=4&models=seq,threads,procs',
  io: 'tasks=4&wait_ms=20&models=seq,async,gil,procs',
  spawn: 'count=5&models=threads,procs,fork',
  counter: 'tasks=4&increments=100000&sync=racy&models=seq,async,threads,gil',
  transfer: 'tasks=2&mib=1&via=move&models=seq,threads,procs',
  failure: 'tasks=3&fail_at=1&n=200000&models=seq,threads,procs',
};

/** What a result bears out, as docs/contract.md says predictions are judged. */
function borneOut(report, p) {
  const w = report.config.w;
  const r = report.results.find((x) => x.model === p.model);
  if (w === 'spawn') {
    const timed = report.results.filter((x) => x.correct && Number.isFinite(x.figures.per_step_us));
    const by = (a, b) => a.figures.per_step_us - b.figures.per_step_us;
    const sorted = [...timed].sort(by);
    const pick = p.choice === 'fastest' ? sorted[0] : sorted[sorted.length - 1];
    return pick.model === p.model;
  }
  if (w === 'transfer') {
    const fastest = report.results.filter((x) => x.correct).sort((a, b) => a.median_ms - b.median_ms)[0];
    return fastest.model === p.model;
  }
  if (w === 'failure') {
    const e = r.errors.find((x) => x.task === report.config.fail_at);
    const got = !e ? 'nothing' : /as text/.test(e.message) ? 'text' : 'error';
    return got === p.choice;
  }
  if (!r.correct || r.suspect) return null;
  if (w === 'counter') {
    const lost = Number(r.lost_updates);
    const total = report.config.tasks * report.config.increments;
    return (lost === 0 ? 'none' : lost * 2 > total ? 'most' : 'some') === p.choice;
  }
  const s = r.speedup;
  if (w === 'io') {
    const n = Math.max(1, Math.min(report.config.tasks, r.model === 'async' ? report.config.tasks : r.workers));
    return (n >= 2 && s >= 0.6 * n ? 'all' : s < 1.5 ? 'one' : 'some') === p.choice;
  }
  return (s < 0.85 ? 'slower' : s <= 1.15 ? 'same' : 'faster') === p.choice;
}

for (const [w, params] of Object.entries(LESSONS)) {
  test(`${w}: predict each part, run, and read each answer beside its result`, async () => {
    await page.goto(`${server.url}/?w=${w}&${params}&${QUICK}`);
    await page.locator('#predict').waitFor();
    const asks = page.locator('#predict fieldset.ask:not(.confidence)');
    const n = await asks.count();
    assert.ok(n >= 1, `${w} asks something`);
    // The first answer of each part; the last for every other part, so
    // the two picks of the spawn lesson name different models.
    for (let i = 0; i < n; i++) {
      const radios = asks.nth(i).locator('input[type=radio]');
      await radios.nth(i % 2 ? (await radios.count()) - 1 : 0).check();
    }
    await page.locator('#confidence-sure').check();
    assert.match(await page.locator('#predict-count').textContent(), new RegExp(`^${n} of ${n} answered`));
    await page.locator('#run').click();
    assert.equal(await waitForState(page, ['done', 'error'], 180_000), 'done', await page.locator('#status').textContent());
    const report = await reportJson(page);
    assert.equal(report.predictions.length, n);
    for (const p of report.predictions) {
      assert.equal(p.confidence, 'sure');
      assert.equal(p.right, borneOut(report, p), `${w} ${JSON.stringify(p)}`);
    }
    const items = page.locator('#prediction-outcome li');
    assert.equal(await items.count(), n);
    for (let i = 0; i < n; i++) {
      const p = report.predictions[i];
      const li = items.nth(i);
      const said = p.right === true ? 'right' : p.right === false ? 'off' : 'not judged';
      assert.equal(await li.getAttribute('data-right'), said);
      // In words, not by colour alone, and leading with what was expected.
      assert.match(await li.textContent(), new RegExp(`^[✓✗–] ${said} \\(sure\\): You (expected|picked) `));
    }
    const right = report.predictions.filter((p) => p.right === true).length;
    const judged = report.predictions.filter((p) => p.right !== null).length;
    if (judged) {
      assert.match(await page.locator('#announce').textContent(), new RegExp(`Your prediction: ${right} of ${judged} right\\.`));
    }
    if (w === 'cpu') await screenshot(page, 'predict-cpu-outcome.png');
    // The link carries the answers: opened elsewhere, the same outcome.
    const link = await page.locator('#share-link').inputValue();
    await page.goto('about:blank');
    await page.goto(link);
    assert.equal(await waitForState(page, ['shared']), 'shared');
    assert.deepEqual((await reportJson(page)).predictions, report.predictions);
    assert.equal(await page.locator('#prediction-outcome li').count(), n);
  });
}

test('Run without predicting: one click, no answers in the report', async () => {
  await page.goto(`${server.url}/?w=cpu&${LESSONS.cpu}&${QUICK}`);
  await page.locator('#ask-model-gil-faster').check();
  await page.locator('#run-without-predicting').click();
  assert.equal(await waitForState(page, ['done', 'error']), 'done');
  const report = await reportJson(page);
  assert.equal(report.predictions, undefined);
  assert.equal(await page.locator('#prediction-outcome').count(), 0);
  const csv = await page.evaluate(() => document.querySelector('#report-json').textContent);
  assert.ok(csv.length > 0);
});

test('predict=0 never asks; predict=1 holds a run=1 link until the reader runs', async () => {
  await page.goto(`${server.url}/?w=cpu&${LESSONS.cpu}&${QUICK}&predict=0`);
  await page.locator('#run').waitFor();
  assert.equal(await page.locator('#predict').count(), 0);
  await page.goto(`${server.url}/?w=cpu&${LESSONS.cpu}&${QUICK}&predict=1&run=1`);
  await page.locator('#predict.required').waitFor();
  // Given time to start on its own, it does not.
  await page.waitForTimeout(1500);
  assert.equal(await page.evaluate(() => document.body.dataset.runState), 'idle');
  await page.locator('#ask-model-procs-faster').check();
  await page.locator('#run').click();
  assert.equal(await waitForState(page, ['done', 'error']), 'done');
  assert.equal((await reportJson(page)).predictions.length, 1);
  // The teacher's key is the page's, not the run's: the link leaves it out.
  assert.doesNotMatch(await page.locator('#share-link').inputValue(), /predict=/);
});

test('a bad predict or origin value is named with its limit', async () => {
  await page.goto(`${server.url}/?w=cpu&predict=maybe&origin=ftp://x`);
  const errors = await page.locator('ul.errors').textContent();
  assert.match(errors, /predict = "maybe" is not allowed: one of ask, 1, 0/);
  assert.match(errors, /origin = "ftp:\/\/x" is not allowed: an origin such as https:\/\/example\.org/);
});

test('the CSV export carries each model\'s answer', async () => {
  await page.goto(`${server.url}/?w=cpu&${LESSONS.cpu}&${QUICK}`);
  await page.locator('#ask-model-procs-faster').check();
  await page.locator('#run').click();
  assert.equal(await waitForState(page, ['done', 'error']), 'done');
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-csv').click()]);
  const csv = await (await download.createReadStream()).toArray().then((b) => Buffer.concat(b).toString('utf8'));
  const lines = csv.trim().split('\n');
  assert.match(lines[0], /,predicted,confidence,right$/);
  assert.ok(lines.some((l) => /^cpu,procs,.*,faster,guessing,(true|false)$/.test(l)), csv);
});

test('no page errors were thrown', () => {
  assert.deepEqual(browser.pageErrors, []);
});
