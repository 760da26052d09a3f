// The page as a teacher would use it: a view per lesson with charts that
// agree with #report-json, the scaling sweep, the size series, keyboard use,
// narrow and dark screens, and a main thread that stays free during a run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, waitForState, reportJson, screenshot, chromiumPage, run as runIn } from './harness.mjs';

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

const run = (query, timeout) => runIn(chromiumPage(page), server.url, query, timeout);

const attrs = (loc, name) => loc.evaluateAll((els, n) => els.map((e) => e.getAttribute(n)), name);

const VIEWS = {
  cpu: 'tasks=4&n=400000',
  squares: 'n=200000&tasks=4',
  io: 'tasks=4&wait_ms=10',
  spawn: 'count=2',
  counter: 'tasks=2&increments=5000&sync=atomic',
  transfer: 'tasks=2&mib=0.25&via=shared',
  failure: 'tasks=3&fail_at=1&n=100000',
};

for (const [w, params] of Object.entries(VIEWS)) {
  test(`the ${w} view explains the lesson and its charts match the report`, async () => {
    const report = await run(`w=${w}&${params}&models=seq,threads,gil,procs&workers=2&repeats=3&warmup=0`);
    assert.equal(await page.locator(`#tab-${w}`).getAttribute('aria-selected'), 'true');
    assert.match(await page.locator('#lesson-title').textContent(), /^Lesson \d · /);
    assert.ok((await page.locator('.lesson .question').textContent()).endsWith('?'));

    // One sentence per model, naming the model.
    const verdicts = page.locator('#verdicts li');
    assert.deepEqual(await attrs(verdicts, 'data-model'), report.results.map((r) => r.model));
    for (const text of await verdicts.allTextContents()) assert.ok(text.length > 20, text);
    assert.match(await page.locator('#result-env').textContent(), /2 cores|\d+ cores/);

    // Speedup bars: the same numbers, heights in the same order.
    const bars = page.locator('#speedup-chart g.bar');
    const withSpeedup = report.results.filter((r) => r.speedup !== null);
    assert.equal(await bars.count(), withSpeedup.length);
    const shown = (await attrs(bars, 'data-speedup')).map(Number);
    withSpeedup.forEach((r, i) => assert.ok(Math.abs(shown[i] - r.speedup) < 1e-3, `${r.model} bar`));
    const heights = await bars.locator('rect').evaluateAll((els) => els.map((e) => Number(e.getAttribute('height'))));
    for (let i = 0; i < heights.length; i++) {
      for (let j = 0; j < heights.length; j++) {
        if (withSpeedup[i].speedup > withSpeedup[j].speedup + 1e-9) assert.ok(heights[i] > heights[j], 'taller bar, larger speedup');
      }
    }

    // Every sample is a dot.
    const dots = await attrs(page.locator('#samples-chart circle.sample'), 'data-ms');
    assert.equal(dots.length, report.results.reduce((n, r) => n + r.samples_ms.length, 0));

    // A timeline per model, one row per worker that has spans (drawn a
    // moment after the rest, in tasks of their own).
    for (const r of report.results.filter((x) => x.spans.length)) {
      await page.locator(`#timeline-${r.model} g.row`).first().waitFor();
      const rows = page.locator(`#timeline-${r.model} g.row`);
      const workers = [...new Set(r.spans.map((s) => String(s.worker)))].sort();
      assert.deepEqual((await attrs(rows, 'data-worker')).sort(), workers, `${r.model} rows`);
      assert.equal(await page.locator(`#timeline-${r.model} rect.span`).count(), r.spans.length);
    }
    if (w === 'cpu' || w === 'io') {
      await screenshot(page, `view-${w}-1280.png`);
    }
  });
}

test('sweep=1 draws one point per worker count and model, with an Amdahl fit', async () => {
  const report = await run('w=cpu&tasks=4&n=300000&models=seq,threads,procs&workers=2&repeats=2&warmup=0&sweep=1');
  const cores = report.env.cores;
  const expected = ['threads', 'procs'].flatMap((m) => Array.from({ length: 2 * cores }, (_, i) => `${m}:${i + 1}`));
  assert.deepEqual(report.sweep.map((p) => `${p.model}:${p.workers}`).sort(), expected.sort());
  const points = page.locator('#sweep-chart circle.point');
  const drawn = await points.evaluateAll((els) => els.map((e) => `${e.dataset.model}:${e.dataset.workers}`));
  assert.deepEqual(drawn.sort(), expected.sort());
  for (const p of report.sweep) {
    const dot = page.locator(`#sweep-chart circle.point[data-model="${p.model}"][data-workers="${p.workers}"]`);
    assert.ok(Math.abs(Number(await dot.getAttribute('data-speedup')) - p.speedup) < 1e-3);
  }
  assert.match(await page.locator('#sweep-chart .fits').textContent(), /serial fraction ≈ \d/);
  // A USL fit per model with a point at every worker count, drawn and
  // worded with the report's own figures.
  assert.deepEqual(report.usl.map((u) => u.model).sort(), ['procs', 'threads']);
  for (const u of report.usl) {
    assert.ok(u.sigma >= 0 && u.kappa >= 0, `${u.model}: σ ${u.sigma}, κ ${u.kappa}`);
    const fit = page.locator(`#sweep-chart .fit.usl[data-model="${u.model}"]`);
    assert.ok(Math.abs(Number(await fit.getAttribute('data-sigma')) - u.sigma) < 1e-3);
    assert.match(await fit.textContent(), /contention σ ≈ [\d.]+%/);
    assert.equal(await page.locator(`#sweep-chart g.usl[data-model="${u.model}"] polyline.usl`).count(), 1);
  }
  await screenshot(page, 'sweep-1280.png');
});

// Type 7 quartiles, the raw MAD and Tukey's fences, computed here from the
// samples as a reader would, against what the page reports and draws.
function quantile(sorted, p) {
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] * (1 - (rank - lo)) + sorted[hi] * (rank - lo);
}
const median = (xs) => quantile([...xs].sort((a, b) => a - b), 0.5);

test('median ± MAD, outliers by Tukey\'s fences and warnings follow from the samples', async () => {
  const report = await run('w=cpu&tasks=2&n=200000&models=seq,threads,procs&workers=2&repeats=9&warmup=1');
  for (const r of report.results) {
    const s = r.samples_ms;
    const mad = median(s.map((v) => Math.abs(v - median(s))));
    assert.ok(Math.abs(r.mad_ms - mad) <= 1e-9 * Math.max(1, mad), `${r.model}: MAD ${r.mad_ms} vs ${mad}`);
    const sorted = [...s].sort((a, b) => a - b);
    const [q1, q3] = [quantile(sorted, 0.25), quantile(sorted, 0.75)];
    const iqr = q3 - q1;
    const far = (v, k) => v < q1 - k * iqr || v > q3 + k * iqr;
    const severe = s.flatMap((v, i) => (far(v, 3) ? [i] : []));
    const mild = s.flatMap((v, i) => (far(v, 1.5) && !far(v, 3) ? [i] : []));
    const o = r.outliers;
    assert.deepEqual([...o.low_severe, ...o.high_severe].sort(), severe, `${r.model} severe`);
    assert.deepEqual([...o.low_mild, ...o.high_mild].sort(), mild, `${r.model} mild`);
    const drawn = await page
      .locator(`#samples-chart g.samples[data-model="${r.model}"] circle.sample`)
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-outlier')));
    assert.deepEqual(drawn, s.map((_, i) => (severe.includes(i) ? 'severe' : mild.includes(i) ? 'mild' : null)));
    const shown = await page.locator(`#results tr[data-model="${r.model}"] .warning`).evaluateAll((els) => els.map((e) => e.dataset.kind));
    assert.deepEqual(shown, r.warnings.map((w) => w.kind));
  }
  // The share link carries them: its report recomputes the same figures.
  const link = await page.locator('#share-link').inputValue();
  await page.goto(link);
  assert.equal(await waitForState(page, ['shared']), 'shared');
  const shared = await reportJson(page);
  for (const [i, r] of report.results.entries()) {
    assert.equal(shared.results[i].mad_ms, r.mad_ms);
    assert.deepEqual(shared.results[i].outliers, r.outliers);
    assert.deepEqual(shared.results[i].warnings, r.warnings);
  }
});

test('concurrency vs parallelism: the I/O share sweep draws every model at every share from #report-json', async () => {
  await page.goto(`${server.url}/?w=io`);
  const href = await page.locator('#mix-view').getAttribute('href');
  assert.match(href, /mix=1/);
  assert.match(href, /models=seq,async,gil,threads,procs,hybrid/);
  const report = await run('w=io&tasks=4&wait_ms=10&cpu_n=2000000&models=seq,async,threads,procs,hybrid&workers=4&procs=2&threads=2&repeats=1&warmup=0&mix=1');
  const models = ['seq', 'async', 'threads', 'procs', 'hybrid'];
  assert.deepEqual(
    report.mix.map((p) => `${p.model}:${p.io_pct}`).sort(),
    models.flatMap((m) => [0, 25, 50, 75, 100].map((s) => `${m}:${s}`)).sort(),
  );
  for (const p of report.mix) {
    const dot = page.locator(`#mix-chart circle.point[data-model="${p.model}"][data-io-pct="${p.io_pct}"]`);
    assert.ok(Math.abs(Number(await dot.getAttribute('data-speedup')) - p.speedup) < 1e-3, `${p.model} at ${p.io_pct}%`);
  }
  for (const share of [0, 25, 50, 75, 100]) {
    const at = report.mix.filter((p) => p.io_pct === share);
    const best = at.reduce((a, b) => (b.speedup > a.speedup ? b : a));
    assert.equal(await page.locator(`#mix-winners [data-io-pct="${share}"]`).getAttribute('data-model'), best.model);
  }
  // All waiting: the event loop overlaps every wait on one thread.
  assert.ok(report.mix.find((p) => p.model === 'async' && p.io_pct === 100).speedup > 2);
  await screenshot(page, 'mix-1280.png');
});

test('the convoy: response times per model and switch interval, drawn from #report-json', async () => {
  await page.goto(`${server.url}/?w=io`);
  const href = await page.locator('#convoy-view').getAttribute('href');
  assert.match(href, /convoy=1/);
  assert.match(href, /models=seq,threads,gil,oldgil,procs,async/);
  const report = await run('w=io&tasks=3&wait_ms=5&cpu_n=100000000&convoy=1&requests=10&models=seq,threads,gil,procs,async&workers=3&repeats=1&warmup=0&switch_ms=5');
  assert.ok(report.results.every((r) => r.correct), 'every model answered and computed in full');
  const key = (p) => `${p.model}@${p.uses_switch ? p.switch_ms : '-'}`;
  assert.deepEqual(
    report.convoy.map(key).sort(),
    ['async@-', 'gil@0.5', 'gil@5', 'gil@50', 'procs@-', 'seq@-', 'threads@-'],
  );
  // seq runs the answering task before the others: nothing to compete with.
  assert.equal(report.convoy.find((p) => p.model === 'seq').answers, 0);
  for (const p of report.convoy.filter((q) => q.answers > 0)) {
    assert.ok(p.p50_ms > 0 && p.p99_ms >= p.p50_ms && p.max_ms >= p.p99_ms, JSON.stringify(p));
    const dot = page.locator(`#convoy-chart circle.convoy-point[data-model="${p.model}"][data-switch-ms="${p.switch_ms}"]`);
    assert.ok(Math.abs(Number(await dot.getAttribute('data-p50-ms')) - p.p50_ms) < 1e-3, key(p));
  }
  // A thread that gave the GIL up to wait asks for it back and gets it
  // about one switch interval later (the median: on a very busy machine
  // the GIL may be free when a request comes).
  // Judged where there are answers enough for a median: at 50 ms only a
  // few requests meet the computation, and one that comes as a task ends
  // finds the GIL free.
  const judged = report.convoy.filter((q) => q.model === 'gil' && q.answers >= 5);
  for (const p of judged) {
    assert.ok(p.p50_ms >= 0.9 * p.switch_ms, `gil at ${p.switch_ms} ms: p50 ${p.p50_ms} ms`);
  }
  assert.deepEqual(judged.map((p) => p.switch_ms).filter((x) => x <= 5), [0.5, 5], JSON.stringify(report.convoy));
  const words = await page.locator('#convoy-words').textContent();
  assert.match(words, /gil at a 5 ms switch interval: p50 [\d.]+ ms/);
  await page.locator('#convoy-chart').scrollIntoViewIfNeeded();
  await screenshot(page, 'convoy-1280.png');
  // The link carries the points: the shared view draws the same chart.
  await page.goto(report.share_url);
  assert.equal(await waitForState(page, ['shared', 'error', 'done']), 'shared');
  assert.deepEqual((await reportJson(page)).convoy, report.convoy);
  assert.equal(await page.locator('#convoy-chart circle.convoy-point').count(), report.convoy.filter((p) => p.answers > 0).length);
});

test("this machine's limits: measured before the first run, shown, in the report and the link, set against the models", async () => {
  const report = await run('w=spawn&count=2&models=threads,procs,fork&workers=2&repeats=1&warmup=0');
  const c = report.calibration;
  assert.ok(c, '#report-json has the calibration');
  for (const key of ['worker_start_ms', 'instantiate_ms', 'process_start_ms', 'message_rtt_us', 'atomics_rtt_us', 'memcpy_gbps', 'memcpy_cold_gbps', 'copy_in_gbps']) {
    assert.ok(Number.isFinite(c[key]) && c[key] > 0, `${key} = ${c[key]}`);
    const shown = Number(await page.locator(`#limits tr[data-key="${key}"]`).getAttribute('data-value'));
    assert.equal(shown, c[key], `${key} as shown`);
  }
  assert.ok(c.process_start_ms >= c.instantiate_ms, 'a start includes its instantiation');
  assert.equal(c.cores, report.env.cores);
  assert.equal(c.timer_resolution_ms, report.env.timer_resolution_ms);
  // Each start and dispatch against the limit that bounds it.
  const fork = report.results.find((r) => r.model === 'fork');
  const ratio = Number(await page.locator('#overheads li[data-model="fork"]').getAttribute('data-ratio'));
  assert.ok(Math.abs(ratio - fork.figures.per_step_us / 1e3 / c.instantiate_ms) < 1e-9);
  assert.match(await page.locator('#overheads li[data-model="procs"]').textContent(), /^procs: [\d.]+ µs per dispatch = [\d.]+ × a message round trip/);
  await page.locator('#limits').scrollIntoViewIfNeeded();
  await screenshot(page, 'limits-1280.png');
  // Measured once per page: the next run reuses them.
  const again = await reportJson(page);
  await page.locator('#run').click();
  assert.equal(await waitForState(page, ['done', 'error']), 'done');
  assert.deepEqual((await reportJson(page)).calibration, again.calibration);
  // The link carries them.
  await page.goto(report.share_url);
  assert.equal(await waitForState(page, ['shared', 'error', 'done']), 'shared');
  assert.deepEqual((await reportJson(page)).calibration, c);
});

test('the transfer breakdown stacks each phase, cold and warm, as the report says', async () => {
  const report = await run('w=transfer&tasks=2&mib=8&via=copy&models=seq,procs,fork&workers=2&repeats=2&warmup=1');
  const bars = report.handovers;
  // A pool's first touch of its memory was in the warm-up; a fork's always is.
  assert.deepEqual(bars.map((b) => `${b.model} ${b.cold ? 'cold' : 'warm'}`).filter((k) => k !== 'procs cold'), ['procs warm', 'fork cold']);
  const shown = page.locator('#handover-chart g.handover');
  assert.equal(await shown.count(), bars.length);
  for (const [i, b] of bars.entries()) {
    const g = shown.nth(i);
    assert.equal(await g.getAttribute('data-model'), b.model);
    assert.equal(await g.getAttribute('data-cold'), String(b.cold));
    const ms = (await g.locator('rect.phase').evaluateAll((els) => els.map((e) => Number(e.dataset.ms))));
    ms.forEach((v, k) => assert.ok(Math.abs(v - b.phases_ms[k]) < 1e-3, `${b.model} phase ${k}`));
    assert.ok(Math.abs(Number(await g.getAttribute('data-handing-ms')) - b.phases_ms.slice(0, 4).reduce((a, v) => a + v, 0)) < 1e-3);
  }
  assert.match(await page.locator('#handover-summary').textContent(), /^handing 8 MiB over took procs/);
  // The overhead is the handing over alone, against memcpy.
  assert.match(await page.locator('#overheads li[data-model="procs"]').textContent(), /GB\/s handed over \(warm\) via copy = [\d.]+ × memcpy/);
  await page.locator('#handover-chart').scrollIntoViewIfNeeded();
  await screenshot(page, 'handover-1280.png');
});

test('the transfer size series covers 1 KiB to 64 MiB for every via', async () => {
  const report = await run('w=transfer&tasks=2&models=threads,procs&workers=2&repeats=1&warmup=0&sizes=1', 300_000);
  assert.equal(report.sizes.length, 2 * 3 * 5);
  for (const via of ['copy', 'move', 'shared']) {
    const bytes = await page
      .locator(`#sizes-chart g.series[data-via="${via}"][data-model="procs"] circle.size-point`)
      .evaluateAll((els) => els.map((e) => Number(e.dataset.bytes)));
    assert.deepEqual(bytes, [1024, 16384, 262144, 4194304, 67108864]);
  }
  await screenshot(page, 'sizes-1280.png');
});

test('lessons are reachable by keyboard and each has its own URL', async () => {
  await page.goto(`${server.url}/?w=cpu`);
  // The tabs drawn before the wasm (www/shell.js) take clicks, not arrows.
  await page.locator('#run').waitFor();
  await page.locator('#tab-cpu').focus();
  // One tab stop for the tab list; the arrows move and select (WAI-ARIA tabs).
  assert.deepEqual(await page.locator('[role=tab]').evaluateAll((els) => els.map((e) => e.tabIndex)), [0, -1, -1, -1, -1, -1, -1]);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('w') === 'io');
  assert.match(await page.locator('#lesson-title').textContent(), /Lesson 3/);
  assert.equal(await page.locator('#tab-io').getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-io');
  assert.equal(await page.locator('[role=tabpanel]').getAttribute('aria-labelledby'), 'tab-io');
  await page.keyboard.press('End');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('w') === 'failure');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('w') === 'cpu');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-cpu');
});

test('usable at 375 px and in dark mode', async () => {
  await page.setViewportSize({ width: 375, height: 800 });
  await run('w=cpu&tasks=4&n=300000&models=seq,threads,gil,procs&workers=2&repeats=3&warmup=0');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow} px`);
  await screenshot(page, 'view-cpu-375.png');
  await page.emulateMedia({ colorScheme: 'dark' });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(bg, 'rgb(251, 250, 247)', 'dark mode changes the background');
  await screenshot(page, 'view-cpu-375-dark.png');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('the main thread stays free during a full run (long tasks printed)', async () => {
  const observed = await browser.context.newPage();
  await observed.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await observed.goto(`${server.url}/?w=cpu&models=seq,threads,gil,oldgil,procs,fork&workers=2&repeats=3&warmup=1&run=1`);
  assert.equal(await waitForState(observed, ['done', 'error'], 180_000), 'done');
  const started = await observed.evaluate(() => performance.now());
  const tasks = await observed.evaluate(() => window.__longTasks);
  const longest = Math.max(0, ...tasks);
  console.log(`# long tasks on the main thread during a full run: ${tasks.length}, longest ${longest.toFixed(1)} ms (goal <= 50 ms), over ${(started / 1000).toFixed(1)} s`);
  assert.ok(Array.isArray(tasks));
  assert.ok(longest < 250, `the main thread was blocked for ${longest} ms`);
  await observed.close();
});

test('no page errors were thrown', () => {
  assert.deepEqual(browser.pageErrors, []);
});
