// The page inside a course page: "Copy embed code" gives an iframe, and an
// embed of each lesson runs there, on a host with the isolation headers
// (threads and processes) and on one without (the reduced, process-only
// page, since an iframe is isolated only when its embedder is).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, waitForState, reportJson, screenshot } from './harness.mjs';

const LESSONS = {
  cpu: 'tasks=2&n=300000',
  squares: 'n=100000&tasks=2',
  io: 'tasks=4&wait_ms=10',
  spawn: 'count=2',
  counter: 'tasks=2&increments=5000&sync=atomic',
  transfer: 'tasks=2&mib=0.25&via=copy',
  failure: 'tasks=3&fail_at=1&n=100000',
};
const QUICK = 'workers=2&repeats=1&warmup=0';

const course = (snippet) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Week 3: concurrency</title></head><body style="font-family:sans-serif;max-width:900px;margin:1rem auto">
<h1>Week 3: threads or processes?</h1><p>Press Run and read what your machine shows.</p>
${snippet}</body></html>`;

let snippet;
const browsers = [];
after(async () => {
  for (const b of browsers) await b.close();
});

// The snippet as Copy embed code gives it, from a finished run.
async function copiedSnippet() {
  if (snippet) return snippet;
  const server = await serve({ isolated: true });
  const browser = await launch();
  browsers.push(browser);
  try {
    const page = await browser.page();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto(`${server.url}/?w=cpu&${LESSONS.cpu}&models=seq,threads,procs&${QUICK}&run=1`);
    assert.equal(await waitForState(page, ['done', 'error']), 'done');
    await page.locator('#copy-embed').click();
    await page.locator('#copy-feedback').waitFor();
    snippet = await page.evaluate(() => navigator.clipboard.readText());
  } finally {
    await server.close();
  }
  return snippet;
}

test('Copy embed code gives an iframe of these settings in embed mode', async () => {
  const snippet = await copiedSnippet();
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/\?w=cpu&amp;tasks=2&amp;.*&amp;embed=1" title="Threads vs Processes: CPU-bound work"/);
  assert.match(snippet, /allow="cross-origin-isolated/);
  assert.doesNotMatch(snippet, /run=1|#r=/, 'an embed starts nothing and carries no results');
});

for (const isolated of [true, false]) {
  test(`an embed of each lesson runs in a course page ${isolated ? 'with' : 'without'} the isolation headers`, async () => {
    const snippet = await copiedSnippet();
    const pages = {};
    for (const [w, params] of Object.entries(LESSONS)) {
      const src = `/?w=${w}&amp;${params.replaceAll('&', '&amp;')}&amp;${QUICK.replaceAll('&', '&amp;')}&amp;embed=1`;
      pages[`/course-${w}.html`] = course(snippet.replace(/src="[^"]*"/, `src="${src}"`));
    }
    const server = await serve({ isolated, pages });
    const browser = await launch({ width: 1000, height: 900 });
    browsers.push(browser);
    try {
      const page = await browser.page();
      for (const w of Object.keys(LESSONS)) {
        await page.goto(`${server.url}/course-${w}.html`);
        const frame = page.frameLocator('iframe');
        await frame.locator('#run').waitFor();
        const inner = page.frames().find((f) => f !== page.mainFrame());
        await waitForState(inner, ['idle', 'shared', 'done', 'error'], 30_000).catch(() => {});
        // The compact view: the question and Run, nothing of the full page.
        assert.equal(await frame.locator('form.config').count(), 0, `${w}: no settings form`);
        assert.equal(await frame.locator('#lesson-title').count(), 1);
        const full = await frame.locator('#full-playground').getAttribute('href');
        assert.match(full, new RegExp(`\\?w=${w}&`));
        assert.doesNotMatch(full, /embed=/);
        await frame.locator('#run').click();
        const state = await waitForState(inner, ['done', 'error'], 120_000);
        assert.equal(state, 'done', `${w}: ${await frame.locator('#status').textContent()}`);
        const report = JSON.parse(await frame.locator('#report-json').textContent());
        assert.equal(report.env.isolated, isolated, `${w}: isolated as its embedder is`);
        assert.ok(report.results.length > 0);
        assert.ok(report.results.every((r) => r.correct), `${w}: every model's oracle agrees`);
        assert.equal(await frame.locator('#verdicts li').count(), report.results.length);
        // The speedup chart whenever there are speedups to compare (spawn's
        // reduced page runs only process models, with no seq to compare to).
        const compared = report.results.filter((r) => r.speedup !== null).length;
        assert.equal(await frame.locator('#speedup-chart').count(), compared >= 2 ? 1 : 0, `${w}: the speedup chart`);
        await screenshot(page, `embed-${w}-${isolated ? 'isolated' : 'plain'}.png`);
      }
      assert.deepEqual(browser.pageErrors, []);
    } finally {
      await server.close();
    }
  });
}

test('the presentation view: large type, the chart and verdicts kept, the details hidden, and back', async () => {
  const server = await serve({ isolated: true });
  const browser = await launch({ width: 1366, height: 768 });
  browsers.push(browser);
  try {
    const page = await browser.page();
    await page.goto(`${server.url}/?w=cpu&${LESSONS.cpu}&models=seq,threads,gil,procs&${QUICK}&run=1`);
    assert.equal(await waitForState(page, ['done', 'error']), 'done');
    const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.question')).fontSize));
    const normal = await size();
    assert.equal(await page.locator('#present-toggle').getAttribute('aria-pressed'), 'false');
    await page.locator('#present-toggle').click();
    assert.equal(await page.locator('#present-toggle').getAttribute('aria-pressed'), 'true');
    assert.match(page.url(), /present=1/, 'the view is in the address, so a reload keeps it');
    assert.ok((await size()) >= 1.5 * normal, `the question grows from ${normal}px`);
    for (const shown of ['#run', '#verdicts', '#speedup-chart', '#lesson-title']) {
      assert.ok(await page.locator(shown).isVisible(), `${shown} stays`);
    }
    for (const hidden of ['section.env', '#samples-chart', '#share', 'form.config fieldset.models']) {
      assert.ok(!(await page.locator(hidden).first().isVisible()), `${hidden} is out of the way`);
    }
    assert.doesNotMatch(await page.locator('#share-link').inputValue(), /present=/, 'a shared link opens the normal view');
    await screenshot(page, 'present-1366.png');
    await page.locator('#present-toggle').click();
    assert.ok(await page.locator('#samples-chart').isVisible());
  } finally {
    await server.close();
  }
});
