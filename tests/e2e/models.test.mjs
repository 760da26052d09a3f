// Every lesson under all eight models in real headless Chromium: results
// against their oracles, cancel and kill, failures, and the GIL's timeline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, waitForState, reportJson, screenshot, chromiumPage, run as runIn, checkCorrect, modelsFor, MODELS } from './harness.mjs';
import { CASES, checkOrderOfCosts, checkInterleavings } from './cases.mjs';

const ALL = MODELS;
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

const run = (query) => runIn(chromiumPage(page), server.url, query);


for (const [query, check] of CASES) {
  test(`${query} is correct under every model`, async () => {
    const report = await run(`${query}&models=${ALL}&workers=2&repeats=2&warmup=0`);
    checkCorrect(report, modelsFor(query), check);
    const fork = report.results.find((r) => r.model === 'fork');
    if (!query.startsWith('w=spawn')) {
      // A fresh process per task: one start span per task.
      assert.equal(fork.spans.filter((s) => s.kind === 'spawn').length, report.config.tasks ?? 1);
    } else {
      assert.ok(fork.figures.per_step_us > 0);
    }
  });
}

test('a thread starts cheaper than a fork, and a move hands over cheaper than a copy', () => checkOrderOfCosts(run));

test('the traced repeat proves each lost update it draws; a lock and an atomic add lose none', () => checkInterleavings(run));

test('the lost update is drawn, and the scheduler can be played by keyboard alone', async () => {
  await run('w=counter&tasks=4&increments=200000&sync=racy&models=threads,gil&workers=2&repeats=1&warmup=0&predict=0');
  const trace = page.locator('figure.trace[data-model=threads]');
  assert.match(await trace.locator('.trace-words').textContent(), /→ w\d wrote \d+ over w\d's \d+: (one update|[\d,]+ updates) lost/);
  assert.equal(await trace.locator('g.event.lost').count(), 1);
  // The stepper: load in both threads, then both store: one update lost.
  await page.locator('#stepper-run-0').focus();
  for (const [t, times] of [[0, 1], [1, 1], [0, 2], [1, 2]]) {
    await page.locator(`#stepper-run-${t}`).focus();
    for (let i = 0; i < times; i++) await page.keyboard.press('Enter');
  }
  assert.equal(await page.locator('#stepper-value').textContent(), '1');
  assert.equal(await page.locator('#stepper-lost').textContent(), '1');
  assert.match(await page.locator('#stepper-said').textContent(), /one update lost/);
  // With the lock, the other thread's turn is refused while one holds it.
  await page.locator('#stepper-lock').focus();
  await page.keyboard.press('Space');
  await page.locator('#stepper-run-0').focus();
  await page.keyboard.press('Enter');
  await page.locator('#stepper-run-1').focus();
  await page.keyboard.press('Enter');
  assert.match(await page.locator('#stepper-said').textContent(), /thread 1 .*wait|waits/i);
  assert.equal(await page.locator('#stepper-holder').textContent(), 'the lock: held by thread 0');
});

test('a racy counter reports what it lost under every model', async () => {
  const report = await run(`w=counter&tasks=4&increments=200000&sync=racy&models=${ALL}&workers=2&repeats=1&warmup=0`);
  for (const r of report.results) {
    const value = BigInt(r.value);
    assert.ok(value <= 800000n, `${r.model} never counts more than was added`);
    assert.equal(r.lost_updates, String(800000n - value), `${r.model}: lost = expected - value`);
    assert.equal(r.correct, true, 'losing updates is the lesson, not an error');
  }
  assert.equal(report.results.find((r) => r.model === 'seq').lost_updates, '0', 'one worker cannot race itself');
  assert.equal(report.results.find((r) => r.model === 'async').lost_updates, '0', 'no pre-emption between read and write');
});

test('a failing task is reported under every model and the next run works', async () => {
  const report = await run(`w=failure&tasks=4&fail_at=1&n=200000&models=${ALL}&workers=2&repeats=1&warmup=0`);
  for (const r of report.results) {
    assert.equal(r.errors.length, 1, r.model);
    assert.equal(r.errors[0].task, 1, r.model);
    assert.match(r.errors[0].message, /task 1 failed on purpose/);
    assert.match(r.errors[0].message, /raised at src\/workloads\/failure\.rs:\d+/);
    if (r.model === 'procs' || r.model === 'fork') {
      assert.match(r.errors[0].message, /reported by process worker \d+ as text/);
    }
    if (r.model === 'hybrid') assert.match(r.errors[0].message, /reported by process \d+ as text/);
    assert.equal(r.value, '600000', `${r.model}: the other three tasks finished`);
    assert.equal(r.correct, true);
  }
  const rows = page.locator('#results .task-error');
  assert.equal(await rows.count(), modelsFor('w=failure').split(',').length);
  const after = await run(`w=cpu&tasks=2&n=100000&models=${ALL}&workers=2&repeats=1&warmup=0`);
  assert.ok(after.results.every((r) => r.correct));
});

test('under gil and oldgil no two workers hold the GIL at once', async () => {
  const report = await run('w=cpu&tasks=4&n=8000000&models=gil,oldgil&workers=2&repeats=1&warmup=0&switch_ms=1');
  for (const r of report.results) {
    const runs = r.spans.filter((s) => s.kind === 'run').sort((a, b) => a.start_ms - b.start_ms);
    assert.ok(runs.length >= 4, `${r.model} has run spans`);
    // Each worker reads its own clock (timeOrigin + now, 5 µs resolution
    // in an isolated page), so a hand-off may look a few µs early.
    const tolerance = 0.02;
    for (let i = 1; i < runs.length; i++) {
      const before = runs.slice(0, i).filter((s) => s.worker !== runs[i].worker);
      const latestEnd = Math.max(-Infinity, ...before.map((s) => s.end_ms));
      assert.ok(runs[i].start_ms >= latestEnd - tolerance, `${r.model}: run spans overlap by ${latestEnd - runs[i].start_ms} ms`);
    }
    assert.ok(r.spans.some((s) => s.kind === 'gil_wait'), `${r.model} shows threads waiting for the GIL`);
  }
  const gil = report.results.find((r) => r.model === 'gil');
  assert.ok(gil.figures.gil_hand_offs >= 4, 'the new GIL switches between the threads');
});

test('cancel ten times in a row; the pool returns to its size and the next run is correct', async () => {
  const models = ['threads', 'procs', 'gil', 'fork', 'seq', 'oldgil', 'procs', 'threads', 'fork', 'gil'];
  for (const [i, model] of models.entries()) {
    await page.goto(`${server.url}/?w=cpu&tasks=4&n=3000000000&models=${model}&workers=2&repeats=1&warmup=0&run=1`);
    await page.waitForFunction(() => /measuring/.test(document.querySelector('#status')?.textContent || ''));
    await page.locator('#cancel').click();
    assert.equal(await waitForState(page, ['idle', 'done', 'error'], 30_000), 'idle', `cancel ${i + 1} (${model})`);
    const notice = await page.locator('#status').textContent();
    assert.match(notice, new RegExp(`Cancelled\\. ${model} stopped [0-9.]+ ms after Cancel`), notice);
    const live = await page.locator('#env-engine').getAttribute('data-live-processes');
    assert.equal(live, '2', `after cancel ${i + 1} (${model}) the pool has its 2 workers and no more`);
  }
  await screenshot(page, 'cancelled.png');
  const report = await run(`w=cpu&tasks=4&n=200000&models=${ALL}&workers=2&repeats=1&warmup=0`);
  assert.ok(report.results.every((r) => r.correct));
  assert.equal(await page.locator('#env-engine').getAttribute('data-live-processes'), '2');
});

test('async overlaps the waits of all its coroutines on one thread', async () => {
  const report = await run('w=io&tasks=8&wait_ms=50&models=seq,async&workers=2&repeats=3&warmup=1');
  const a = report.results.find((r) => r.model === 'async');
  assert.equal(a.workers, 1);
  assert.ok(a.speedup >= 0.8 * 8, `eight 50 ms waits at once on one thread: ${a.speedup}×`);
  assert.equal(a.suspect, undefined, 'an event loop may overlap every task: not above its bound');
  assert.ok(a.spans.every((s) => s.worker === 0), 'one row: the loop');
  const runs = a.spans.filter((s) => s.kind === 'run').sort((x, y) => x.start_ms - y.start_ms);
  assert.equal(runs.length, 8);
  for (let i = 1; i < runs.length; i++) assert.ok(runs[i - 1].end_ms <= runs[i].start_ms + 1e-6, 'one coroutine runs at a time');
  assert.match(await page.locator('#verdicts li[data-model="async"]').textContent(), /await at once on one thread/);
});

test('with CPU work after each wait, the timeline shows the loop blocked', async () => {
  const report = await run('w=io&tasks=4&wait_ms=20&cpu_n=20000000&models=async&workers=2&repeats=1&warmup=0');
  const a = report.results[0];
  assert.ok(a.spans.some((s) => s.kind === 'loop_wait'), 'a ready coroutine waited for the loop');
  await page.locator('#timeline-async rect.k-loop_wait').first().waitFor();
  await screenshot(page, 'async-timeline.png');
});

test('hybrid deals the tasks to processes whose threads share them', async () => {
  const report = await run('w=cpu&tasks=8&n=300000&models=seq,hybrid&procs=2&threads=2&workers=2&repeats=2&warmup=0');
  const h = report.results.find((r) => r.model === 'hybrid');
  assert.equal(h.correct, true, JSON.stringify(h.errors));
  assert.equal(h.workers, 4);
  assert.equal(h.figures.processes, 2);
  assert.equal(h.figures.threads_per_process, 2);
  const rows = new Set(h.spans.map((s) => s.worker));
  assert.ok([...rows].every((w) => w >= 0 && w < 4), `rows ${[...rows]}`);
  // Process p ran tasks p, p+2, …: its rows are p·2 and p·2+1.
  for (const s of h.spans) assert.equal(Math.floor(s.worker / 2), s.task % 2, `task ${s.task} on row ${s.worker}`);
  const labels = await page.locator('#timeline-hybrid g.row text').allTextContents();
  assert.ok(labels.every((l) => /^p\d·t\d$/.test(l)), labels.join(' '));
});

test('hybrid with a GIL in each process: one thread per process runs at a time', async () => {
  const report = await run('w=cpu&tasks=8&n=2000000&models=hybrid&procs=2&threads=2&hybrid_gil=1&switch_ms=1&repeats=1&warmup=0');
  const h = report.results[0];
  assert.equal(h.correct, true);
  assert.equal(h.figures.gil_per_process, 1);
  for (const p of [0, 1]) {
    const runs = h.spans.filter((s) => s.kind === 'run' && Math.floor(s.worker / 2) === p).sort((a, b) => a.start_ms - b.start_ms);
    for (let i = 1; i < runs.length; i++) assert.ok(runs[i - 1].end_ms <= runs[i].start_ms + 0.01, `process ${p}: two threads held its GIL at once`);
  }
  await screenshot(page, 'hybrid-gil.png');
});

test('hybrid overlaps waits on every thread of every process', async () => {
  const report = await run('w=io&tasks=8&wait_ms=50&models=seq,hybrid&procs=2&threads=4&repeats=2&warmup=1');
  const h = report.results.find((r) => r.model === 'hybrid');
  assert.ok(h.speedup >= 0.8 * 8, `8 waits on 2 × 4 threads: ${h.speedup}×`);
});

test('no page errors were thrown', () => {
  assert.deepEqual(browser.pageErrors, []);
});
