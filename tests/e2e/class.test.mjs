// The class view (class=1, src/class.rs, src/ui/class.rs): links made by
// real runs here and a class made natively (tests/fixtures/class-links.txt,
// `bench-native --class-links 60`), pasted with chat text, a cut link and
// a duplicate; one chart per lesson and configuration whose marks are the
// decoded reports' speedups; every bad line named; the set kept as a file
// and read again, and as a link; axe in light and dark and at 375 px; by
// keyboard alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createRequire } from 'node:module';
import { serve, launch, waitForState, reportJson, screenshot } from './harness.mjs';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FIXTURE = fs.readFileSync(new URL('../fixtures/class-links.txt', import.meta.url), 'utf8').trim().split('\n');

let server;
let browser;
let page;
const real = [];

before(async () => {
  server = await serve({ isolated: true });
  browser = await launch();
  page = await browser.page();
  await page.addInitScript({ content: AXE });
  // Two students' runs on this machine, with a prediction each.
  for (const choice of ['faster', 'same']) {
    await page.goto(`${server.url}/?w=cpu&tasks=4&n=300000&models=seq,gil,procs&workers=2&repeats=2&warmup=0`);
    await page.locator(`#ask-model-gil-${choice}`).check();
    await page.locator('#run').click();
    assert.equal(await waitForState(page, ['done', 'error']), 'done');
    real.push({ link: await page.locator('#share-link').inputValue(), report: await reportJson(page) });
  }
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function paste(text) {
  await page.goto(`${server.url}/?class=1`);
  await page.locator('#class-links').fill(text);
  await page.locator('#class-read').click();
  await page.waitForFunction(() => /runs? read\./.test(document.querySelector('#class-progress').textContent));
  await page.waitForFunction(() => !document.querySelector('.deferred'));
}

test('the class view is reached from the page', async () => {
  await page.goto(`${server.url}/?w=cpu`);
  await page.locator('#class-view-link').click();
  await page.locator('#class-links').waitFor();
  assert.equal(new URL(page.url()).searchParams.get('class'), '1');
});

test('real runs and a native class in chat text: grouped, drawn from the reports, every bad line named', async () => {
  const cut = real[0].link.slice(0, real[0].link.length - 40);
  const lines = [
    'Teacher: paste your links below please',
    `[10:01] Ana: ${real[0].link}`,
    ...FIXTURE,
    `Ben: here is mine <${real[1].link}>`,
    `Cy: ${cut}`,
    real[1].link,
    'thanks all!',
  ];
  await paste(lines.join('\n'));
  assert.match(await page.locator('#class-progress').textContent(), /^62 runs read\./);
  // The two real runs (n=300000, 2 workers) and the native class (n=10M,
  // a worker per core) are other settings: two groups, never averaged.
  const groups = page.locator('section.class-group');
  assert.equal(await groups.count(), 2);
  const sizes = await groups.locator('h2').allTextContents();
  assert.deepEqual(sizes.map((t) => t.match(/(\d+) runs?$/)[1]).sort(), ['2', '60']);
  // The cut link, with its line number and why; the duplicate counted once.
  const problems = await page.locator('#class-problem-list').textContent();
  assert.match(problems, new RegExp(`line ${lines.indexOf(`Cy: ${cut}`) + 1}: the link's results are truncated`));
  assert.match(await page.locator('#class-duplicates').textContent(), new RegExp(`^1 duplicate counted once: line ${lines.length - 1} `));
  // Each mark is its report's speedup.
  const small = groups.filter({ hasText: 'n=300000' });
  for (const { report } of real) {
    for (const r of report.results.filter((x) => x.model !== 'seq')) {
      const marks = small.locator(`.class-chart .series[data-model=${r.model}] .mark`);
      const speedups = (await marks.evaluateAll((ms) => ms.map((m) => Number(m.dataset.speedup))));
      assert.ok(speedups.some((s) => Math.abs(s - r.speedup) < 1e-3), `${r.model} ${r.speedup} in ${speedups}`);
    }
  }
  // The native class: 60 runs × 3 models, shaped by engine, cores 2 to 16.
  const big = groups.filter({ hasText: '60 runs' });
  assert.equal(await big.locator('.class-chart .mark').count(), 180);
  const engines = await big.locator('.class-chart .mark').evaluateAll((ms) => [...new Set(ms.map((m) => m.dataset.engine))].sort());
  assert.deepEqual(engines, ['Chromium', 'Firefox', 'WebKit']);
  assert.equal(await big.locator('.class-table tbody tr').count(), 60);
  // Predictions: the native class's half, and the two real runs'.
  const said = await page.locator('#class-predictions').textContent();
  assert.match(said, /GIL threads: 20 of 30 runs predicted faster than one thread; 0 of 60 runs were/);
  assert.match(said, /GIL threads: 1 of 2 runs predicted/);
  await screenshot(page, 'class-view.png');
});

test('the set kept as a file and read again, and as a link', async () => {
  await paste(real.map((r) => r.link).join('\n'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#class-export').click()]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tvp-class-')), 'class-set.json');
  await download.saveAs(file);
  const kept = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(kept.runs.length, 2);
  await page.goto(`${server.url}/?class=1`);
  await page.locator('#class-files').setInputFiles(file);
  await page.waitForFunction(() => /2 runs read\./.test(document.querySelector('#class-progress').textContent));
  assert.equal(await page.locator('section.class-group').count(), 1);
  // A small set fits in a link, which opens to the same runs.
  await page.locator('#class-link').click();
  const link = await page.locator('#class-link-text').inputValue();
  assert.match(link, /\?class=1#c=/);
  await page.goto('about:blank');
  await page.goto(link);
  await page.waitForFunction(() => /2 runs read\./.test(document.querySelector('#class-progress')?.textContent || ''));
  assert.equal(await page.locator('.class-chart .mark').count(), 4);
});

test('a student hands in the whole history as one file, and the class view reads every run of it', async () => {
  await page.goto(`${server.url}/?w=cpu`);
  await page.locator('#history-list li').first().waitFor();
  const kept = await page.locator('#history-list li').count();
  assert.ok(kept >= 2, `the two runs are in the history (${kept})`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-history').click()]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tvp-history-')), 'tvp-history.json');
  await download.saveAs(file);
  const entries = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(entries.length, kept);
  await page.goto(`${server.url}/?class=1`);
  await page.locator('#class-files').setInputFiles(file);
  await page.waitForFunction(() => /runs? read\./.test(document.querySelector('#class-progress').textContent));
  const progress = await page.locator('#class-progress').textContent();
  assert.match(progress, new RegExp(`${kept} runs read\\.`));
  // The marks are the history's runs: the real runs' gil speedups among them.
  const gil = await page.locator('.class-table tbody tr').allTextContents();
  assert.equal(gil.length, kept);
});

test('a set too large for a link says so, and to use the file', async () => {
  await paste(FIXTURE.join('\n'));
  await page.locator('#class-link').click();
  const why = await page.locator('#class-link-error').textContent();
  assert.match(why, /too large for a link .* use the file/);
});

test('axe in light, dark and 375 px; the view by keyboard alone', async () => {
  await paste([...FIXTURE, real[0].link, 'not a link', real[0].link.slice(0, 60)].join('\n'));
  for (const [colorScheme, width] of [['light', 1280], ['dark', 1280], ['dark', 375], ['light', 375]]) {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width, height: 900 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    // Colours fade between modes: axe must see where they end.
    await page.evaluate(() => Promise.all(document.getAnimations()
      .filter((a) => a.effect.getComputedTiming().endTime !== Infinity).map((a) => a.finished)));
    const found = await page.evaluate(async () => {
      const result = await window.axe.run(document, { resultTypes: ['violations'], rules: { 'target-size': { enabled: true } } });
      return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} at ${n.target.join(' ')}`));
    });
    assert.deepEqual(found, [], `${colorScheme} ${width}px`);
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(sideways <= 1, `${colorScheme} ${width}px scrolls sideways by ${sideways} px`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
  // Keyboard: the textarea, Read, and on to the keeping buttons.
  await page.goto(`${server.url}/?class=1`);
  // The view is drawn once the wasm has started, after the load event.
  await page.locator('#class-links').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'class-links');
  await page.keyboard.insertText(real.map((r) => r.link).join('\n'));
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'class-read');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /2 runs read\./.test(document.querySelector('#class-progress').textContent));
  for (let i = 0; i < 8 && (await page.evaluate(() => document.activeElement.id)) !== 'class-export'; i++) {
    await page.keyboard.press('Tab');
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'class-export');
});

test('no page errors were thrown', () => {
  assert.deepEqual(browser.pageErrors, []);
});
