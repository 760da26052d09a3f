// Accessibility, tested: axe-core on every view a class meets (the seven
// lessons after a run, the sweep and I/O share views, a shared link, the
// comparison, a bad link, a page without isolation), each in light and dark
// mode and at 375 px; the chart summaries against #report-json; the live
// region; reduced motion; and a run done with the keyboard alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { serve, launch, waitForState, reportJson, screenshot, chromiumPage, run as runIn } from './harness.mjs';

// axe comes from node_modules, never from the network. An init script is
// injected by the browser itself, so the page's own CSP stays in force.
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let server;
let browser;
let page;

before(async () => {
  server = await serve({ isolated: true });
  browser = await launch();
  page = await browser.page();
  await page.addInitScript({ content: AXE });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const MODES = [
  { name: 'light', colorScheme: 'light', width: 1280 },
  { name: 'dark', colorScheme: 'dark', width: 1280 },
  { name: 'dark 375 px', colorScheme: 'dark', width: 375 },
  { name: 'light 375 px', colorScheme: 'light', width: 375 },
];

/** Resolves once every finite animation and transition has ended (colours
 * fade between modes; axe must see where they end, not half-way). */
const settled = (p) => p.evaluate(() => Promise.all(document.getAnimations()
  .filter((a) => a.effect.getComputedTiming().endTime !== Infinity)
  .map((a) => a.finished)));

/** axe's violations on the page as it is, at every impact, in words. */
async function violations(p) {
  // Timelines are drawn a task later; folded tables count too.
  await p.waitForFunction(() => !document.querySelector('.deferred'));
  await settled(p);
  await p.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
  return p.evaluate(async () => {
    // axe's default rules (WCAG 2.0 and 2.1 A and AA, best practices), and
    // WCAG 2.2's minimum target size, which axe leaves off by default.
    const result = await window.axe.run(document, {
      resultTypes: ['violations'],
      rules: { 'target-size': { enabled: true } },
    });
    return result.violations.flatMap((v) => v.nodes.map((n) => ({
      rule: v.id,
      impact: n.impact || v.impact,
      target: n.target.join(' '),
      why: (n.any[0] || n.all[0] || n.none[0] || {}).message || v.help,
    })));
  });
}

/** Runs axe in every mode on the page as it stands; one failure lists all. */
async function expectAccessible(p, view, { shots = false } = {}) {
  const found = [];
  for (const mode of MODES) {
    await p.emulateMedia({ colorScheme: mode.colorScheme });
    await p.setViewportSize({ width: mode.width, height: 900 });
    // Two frames for styles and layout to follow the new media.
    await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    for (const v of await violations(p)) found.push(`${mode.name}: ${v.rule} (${v.impact}) at ${v.target}: ${v.why}`);
    // Reflow (WCAG 1.4.10), which axe does not check: with every table
    // unfolded, a narrow screen still never scrolls sideways.
    const sideways = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (sideways > 1) found.push(`${mode.name}: the page scrolls sideways by ${sideways} px`);
    if (shots) await screenshot(p, `a11y-${view}-${mode.name.replace(/ /g, '-')}.png`);
  }
  await p.emulateMedia({ colorScheme: 'light' });
  await p.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(found, [], `${view}: ${found.length} axe violation(s)\n${found.join('\n')}`);
}

const run = (p, query, timeout) => runIn(chromiumPage(p), server.url, query, timeout);

/** "threads 1.98×, procs 1.93× over seq" → [['threads', 1.98], ['procs', 1.93]]. */
function speedupsIn(text) {
  return [...text.matchAll(/(\w+) (\d+\.\d\d)×/g)].map((m) => [m[1], Number(m[2])]);
}

/** The report's speedups as the summary gives them: fastest first, seq left out. */
function expectedSpeedups(report) {
  return report.results
    .filter((r) => r.speedup !== null)
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.speedup - a.r.speedup || a.i - b.i)
    .filter(({ r }) => r.model !== 'seq')
    .map(({ r }) => [r.model, Number(r.speedup.toFixed(2))]);
}

const LESSONS = {
  cpu: 'tasks=4&n=400000',
  squares: 'n=200000&tasks=4',
  io: 'tasks=4&wait_ms=10',
  spawn: 'count=2',
  counter: 'tasks=2&increments=5000&sync=atomic',
  transfer: 'tasks=2&mib=0.25&via=shared',
  failure: 'tasks=3&fail_at=1&n=100000',
};

for (const [w, params] of Object.entries(LESSONS)) {
  test(`axe: the ${w} lesson after a run, light and dark, 1280 and 375 px`, async () => {
    const report = await run(page, `w=${w}&${params}&models=seq,threads,gil,procs&workers=2&repeats=3&warmup=0`);
    // The speedup chart's summary: read before the drawing, and the report's figures.
    const summary = page.locator('#speedup-chart .chart-summary');
    assert.deepEqual(speedupsIn(await summary.textContent()), expectedSpeedups(report));
    assert.match(await summary.textContent(), / over seq$/);
    const svg = page.locator('#speedup-chart svg');
    assert.equal(await svg.getAttribute('aria-describedby'), await summary.getAttribute('id'));
    assert.ok(await page.evaluate(() => {
      const s = document.querySelector('#speedup-chart .chart-summary');
      return Boolean(s.compareDocumentPosition(document.querySelector('#speedup-chart svg')) & Node.DOCUMENT_POSITION_FOLLOWING);
    }), 'the summary comes before the chart');
    // The live region said the run ended, with the same figures.
    const said = await page.locator('#announce').textContent();
    assert.ok(said.startsWith('Run finished. Speedup: '), said);
    assert.ok(said.includes(await summary.textContent()), said);
    assert.match(said, report.results.every((r) => r.correct) ? /Every result is correct\.$/ : /Wrong or incomplete results: /);
    // Every chart and timeline has its line of words.
    const figures = await page.locator('figure.chart').evaluateAll((els) => els.map((f) => [f.id, f.querySelector('.chart-summary')?.textContent || '']));
    for (const [id, text] of figures) assert.ok(text.length > 10, `${id} has a summary`);
    await expectAccessible(page, w, { shots: w === 'transfer' });
  });
}

test('axe: the scaling sweep and the I/O share view, their summaries from #report-json', async () => {
  const swept = await run(page, 'w=cpu&tasks=4&n=300000&models=seq,threads,procs&workers=2&repeats=2&warmup=0&sweep=1');
  const sweepLine = await page.locator('#sweep-chart .chart-summary').textContent();
  for (const m of ['threads', 'procs']) {
    const best = Math.max(...swept.sweep.filter((p) => p.model === m).map((p) => p.speedup));
    assert.ok(sweepLine.includes(`${m} ${best.toFixed(2)}× at `), `${m} best ${best} in "${sweepLine}"`);
  }
  await expectAccessible(page, 'sweep');

  const mixed = await run(page, 'w=io&tasks=4&wait_ms=10&cpu_n=2000000&models=seq,async,threads,procs,hybrid&workers=4&procs=2&threads=2&repeats=1&warmup=0&mix=1');
  const mixLine = await page.locator('#mix-chart .chart-summary').textContent();
  for (const share of [0, 25, 50, 75, 100]) {
    const best = Math.max(...mixed.mix.filter((p) => p.io_pct === share).map((p) => p.speedup));
    assert.match(mixLine, new RegExp(`${share}% \\w+ ${best.toFixed(2)}×`), `${share}%: ${mixLine}`);
  }
  await expectAccessible(page, 'mix');
});

test('axe: the convoy view, an embedded lesson and the presentation view', async () => {
  const convoy = await run(page, 'w=io&tasks=3&wait_ms=1&cpu_n=20000000&convoy=1&requests=8&models=seq,threads,gil,procs,async&workers=3&repeats=1&warmup=0');
  const line = await page.locator('#convoy-chart .chart-summary').textContent();
  for (const p of convoy.convoy.filter((q) => q.p50_ms !== null && !q.uses_switch)) {
    assert.ok(line.includes(`${p.model} `), `${p.model} in "${line}"`);
  }
  await expectAccessible(page, 'convoy');

  await run(page, 'w=cpu&tasks=4&n=300000&models=seq,threads,procs&workers=2&repeats=1&warmup=0&embed=1');
  assert.equal(await page.locator('form.config').count(), 0, 'the compact view');
  await expectAccessible(page, 'embed', { shots: true });

  await run(page, 'w=cpu&tasks=4&n=300000&models=seq,threads,procs&workers=2&repeats=1&warmup=0&present=1');
  assert.equal(await page.locator('#present-toggle').getAttribute('aria-pressed'), 'true');
  await expectAccessible(page, 'present', { shots: true });
});

test('axe: a shared link and the comparison after running it here', async () => {
  const report = await run(page, 'w=cpu&tasks=4&n=300000&models=seq,threads,gil,procs&workers=2&repeats=3&warmup=0');
  await page.goto(report.share_url);
  assert.equal(await waitForState(page, ['shared', 'error']), 'shared');
  assert.match(await page.locator('#announce').textContent(), /results from a link/i);
  await expectAccessible(page, 'shared');

  await page.locator('#run-here').click();
  assert.equal(await waitForState(page, ['done', 'error']), 'done');
  await page.locator('#compare-chart').waitFor();
  const here = await reportJson(page);
  const line = await page.locator('#compare-chart .chart-summary').textContent();
  for (const r of here.results.filter((x) => x.model !== 'seq')) {
    const theirs = report.results.find((x) => x.model === r.model);
    assert.ok(line.includes(`${r.model} ${theirs.speedup.toFixed(2)}× vs ${r.speedup.toFixed(2)}×`), `${r.model} in "${line}"`);
  }
  await expectAccessible(page, 'compare', { shots: true });
});

test('axe: a link with a bad value', async () => {
  await page.goto(`${server.url}/?w=cpu&tasks=abc`);
  await page.locator('#config-errors li').first().waitFor();
  assert.equal(await page.locator('#config-errors li').getAttribute('data-key'), 'tasks');
  await expectAccessible(page, 'bad-parameter');
});

test('axe: a page without isolation (the reduced build, after a run)', async () => {
  const plain = await serve({ isolated: false });
  const other = await launch({ serviceWorkers: 'block' });
  try {
    const p = await other.page();
    await p.addInitScript({ content: AXE });
    await p.goto(`${plain.url}/?w=cpu&tasks=4&n=200000&workers=2&repeats=2&warmup=0&run=1`);
    await p.locator('#no-isolation').waitFor({ state: 'visible' });
    assert.equal(await waitForState(p, ['done', 'error']), 'done');
    assert.equal(await p.locator('body').getAttribute('data-memory'), 'reduced');
    await expectAccessible(p, 'not-isolated', { shots: true });
    assert.deepEqual(other.pageErrors, []);
  } finally {
    await other.close();
    await plain.close();
  }
});

/** The focused element, and whether a focus ring shows on it: an outline
 * at least 2 px wide with 3:1 contrast to what lies behind it. */
function focused(p) {
  return p.evaluate(() => {
    const e = document.activeElement;
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    // The ring is drawn outside the element, over its parent's background.
    let under = e.parentElement;
    while (under && rgb(getComputedStyle(under).backgroundColor)[3] === 0) under = under.parentElement;
    const s = getComputedStyle(e);
    const [a, b] = [lum(rgb(s.outlineColor)), lum(rgb(getComputedStyle(under || document.body).backgroundColor))];
    const contrast = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    return {
      id: e.id,
      role: e.getAttribute('role'),
      tag: e.tagName.toLowerCase(),
      text: (e.textContent || '').trim().slice(0, 40),
      ring: e !== document.body && e.matches(':focus-visible') && s.outlineStyle !== 'none'
        && parseFloat(s.outlineWidth) >= 2 && contrast >= 3,
      contrast: Number(contrast.toFixed(2)),
    };
  });
}

/** Presses Tab until `want` holds for the focused element; every stop on
 * the way must show its focus ring. */
async function tabTo(p, want, what, max = 40) {
  for (let i = 0; i < max; i++) {
    await p.keyboard.press('Tab');
    const f = await focused(p);
    assert.ok(f.ring, `no visible focus ring on ${f.tag}#${f.id} "${f.text}" (contrast ${f.contrast})`);
    if (want(f)) return f;
  }
  return assert.fail(`${what}: not reached in ${max} presses of Tab`);
}

test('keyboard only: a lesson, a field, a model, Run, the results heard; the focus ring shows all the way', async () => {
  const p = await browser.context.newPage();
  try {
    await p.goto(`${server.url}/?w=cpu&tasks=4&n=300000&models=seq,threads,procs&workers=2&repeats=2&warmup=0`);
    await p.locator('#run').waitFor();
    assert.equal((await tabTo(p, (f) => f.role === 'tab', 'the lesson tabs', 5)).id, 'tab-cpu');
    await p.keyboard.press('ArrowRight');
    await p.waitForFunction(() => new URL(location.href).searchParams.get('w') === 'squares');
    const tab = await focused(p);
    assert.equal(tab.id, 'tab-squares');
    assert.ok(tab.ring, `the selected tab's ring (contrast ${tab.contrast})`);

    await tabTo(p, (f) => f.id === 'f-n', 'the n field');
    await p.keyboard.press('Control+A');
    await p.keyboard.type('250000');
    await p.waitForFunction(() => new URL(location.href).searchParams.get('n') === '250000');
    await tabTo(p, (f) => f.id === 'm-gil', 'the gil box');
    await p.keyboard.press('Space');
    await p.waitForFunction(() => new URL(location.href).searchParams.get('models') === 'seq,threads,gil,procs');
    await tabTo(p, (f) => f.id === 'run', 'Run');
    await p.keyboard.press('Enter');
    assert.equal(await waitForState(p, ['done', 'error']), 'done');

    const report = await reportJson(p);
    assert.equal(report.config.w, 'squares');
    assert.equal(report.config.n, 250000);
    assert.deepEqual(report.results.map((r) => r.model), ['seq', 'threads', 'gil', 'procs']);
    // The results are announced, not only drawn.
    const live = p.locator('#announce');
    assert.equal(await live.getAttribute('aria-live'), 'polite');
    const said = await live.textContent();
    assert.deepEqual(speedupsIn(said), expectedSpeedups(report), said);
    // Focus stayed on Run through the run, still ringed, in both modes.
    for (const colorScheme of ['dark', 'light']) {
      await p.emulateMedia({ colorScheme });
      await settled(p);
      const f = await focused(p);
      assert.equal(f.id, 'run', `focus after the run (${colorScheme})`);
      assert.ok(f.ring, `Run's ring in ${colorScheme} mode (contrast ${f.contrast})`);
    }
    // On into the results: a chart's folded table opens from the keyboard.
    await tabTo(p, (f) => f.tag === 'summary', "a chart's table");
    await p.keyboard.press('Enter');
    assert.equal(await p.evaluate(() => document.activeElement.closest('details').open), true);
    assert.ok(await p.locator('#speedup-chart details table').isVisible());
    await screenshot(p, 'a11y-keyboard.png');
  } finally {
    await p.close();
  }
});

test('keyboard only: a prediction made, run, its outcome heard; axe on the answered question and the outcome', async () => {
  const p = await browser.context.newPage();
  await p.addInitScript({ content: AXE });
  try {
    await p.goto(`${server.url}/?w=cpu&tasks=4&n=300000&models=seq,gil,procs&workers=2&repeats=2&warmup=0`);
    await p.locator('#predict').waitFor();
    // A radio group is one stop: Tab reaches it, an arrow key picks.
    const gil = await tabTo(p, (f) => f.id.startsWith('ask-model-gil-'), "the GIL threads' answers");
    assert.equal(gil.id, 'ask-model-gil-slower');
    await p.keyboard.press('ArrowDown');
    assert.equal((await focused(p)).id, 'ask-model-gil-same');
    await tabTo(p, (f) => f.id.startsWith('ask-model-procs-'), "the process pool's answers");
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('ArrowDown');
    await tabTo(p, (f) => f.id.startsWith('confidence-'), 'how sure');
    assert.match(await p.locator('#predict-count').textContent(), /^2 of 2 answered/);
    await expectAccessible(p, 'predict-answered');
    await tabTo(p, (f) => f.id === 'run', 'Run', 60);
    await p.keyboard.press('Enter');
    assert.equal(await waitForState(p, ['done', 'error']), 'done');
    const report = await reportJson(p);
    assert.deepEqual(report.predictions.map((x) => [x.model, x.choice]), [['gil', 'same'], ['procs', 'faster']]);
    const judged = report.predictions.filter((x) => x.right !== null);
    const right = judged.filter((x) => x.right).length;
    assert.match(await p.locator('#announce').textContent(), new RegExp(`Your prediction: ${right} of ${judged.length} right\\.`));
    await expectAccessible(p, 'predict-outcome', { shots: true });
  } finally {
    await p.close();
  }
});

test('reduced motion: the running pulse and the buttons\' fades stop when asked', async () => {
  const p = await browser.context.newPage();
  try {
    await p.goto(`${server.url}/?w=io&tasks=8&wait_ms=400&models=seq&repeats=1&warmup=0`);
    await p.locator('#run').waitFor();
    const motion = () => p.evaluate(() => ({
      pulse: getComputedStyle(document.querySelector('#status'), '::before').animationName,
      running: document.getAnimations().length,
      fading: [...document.querySelectorAll('*')]
        .filter((e) => getComputedStyle(e).transitionDuration.split(',').some((d) => parseFloat(d) > 0)).length,
    }));
    await p.locator('#run').click();
    await p.locator('#status.running').waitFor();
    const moving = await motion();
    assert.equal(moving.pulse, 'pulse', 'a run in progress pulses');
    assert.ok(moving.running > 0 && moving.fading > 0, JSON.stringify(moving));
    await p.emulateMedia({ reducedMotion: 'reduce' });
    assert.equal(await p.locator('body').getAttribute('data-run-state'), 'running', 'still running: the check is meaningful');
    assert.deepEqual(await motion(), { pulse: 'none', running: 0, fading: 0 });
    assert.equal(await waitForState(p, ['done', 'error']), 'done');
  } finally {
    await p.close();
  }
});

test('no page errors were thrown', () => {
  assert.deepEqual(browser.pageErrors, []);
});
