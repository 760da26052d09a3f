// The first paint needs no wasm (www/shell.js, src/shell.rs): boot.js draws
// the top of the lesson's page, and Yew replaces it with the same elements
// in the same places: nothing moves (no layout shift) when the module
// arrives. Checked by holding the module back, measuring the drawing, then
// letting it through.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serve();
  browser = await launch({ width: 412, height: 823 });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

// Everything the shell draws, by a selector that finds it in both.
const PARTS = ['h1', '.tagline', '#present-toggle', '#class-view-link', '[role=tablist]', '#lesson-title', '#lesson-panel .question', '#lesson-panel .why'];
const geometry = (page) => page.evaluate((parts) => parts.map((s) => {
  const e = document.querySelector(s);
  if (!e) return [s, null];
  const r = e.getBoundingClientRect();
  return [s, [r.x, r.y, r.width, r.height].map((v) => Math.round(v * 10) / 10), e.textContent];
}), PARTS);

for (const lesson of ['cpu', 'spawn', 'io']) {
  test(`lesson ${lesson}: drawn before the wasm, and the page takes over without a jump`, async () => {
    const page = await browser.context.newPage();
    await page.addInitScript(() => {
      window.__shifts = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__shifts.push(e.value))).observe({ type: 'layout-shift', buffered: true });
    });
    let release;
    const held = new Promise((r) => (release = r));
    await page.route('**/*_bg.wasm', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${server.url}/?w=${lesson}`);
    await page.locator('#lesson-title').waitFor();
    assert.equal(await page.locator('#run').count(), 0, 'the wasm has not started');
    const before = await geometry(page);
    for (const [s, box] of before) assert.ok(box, `${s} is drawn before the wasm`);
    assert.match(before.find(([s]) => s === '#lesson-title')[2], new RegExp(`^Lesson \\d · `));
    release();
    await page.locator('#run').waitFor();
    const after = await geometry(page);
    assert.deepEqual(after, before, 'the same words in the same places');
    const shifts = await page.evaluate(() => window.__shifts);
    assert.equal(shifts.reduce((a, b) => a + b, 0), 0, `layout shifts: ${shifts}`);
    await page.close();
  });
}

test('before the wasm, a tab opens its lesson and the presentation button its view', async () => {
  const page = await browser.context.newPage();
  await page.route('**/*_bg.wasm', () => {});
  await page.goto(`${server.url}/?w=cpu`);
  await page.locator('#tab-io').click();
  await page.waitForURL(/\?w=io$/);
  assert.match(await page.locator('#lesson-title').textContent(), /^Lesson 3 · /);
  assert.equal(await page.locator('#tab-io').getAttribute('aria-selected'), 'true');
  await page.locator('#present-toggle').click();
  await page.waitForURL(/\?w=io&present=1$/);
  await page.close();
});

test('views that start otherwise keep the loading line', async () => {
  const page = await browser.context.newPage();
  await page.route('**/*_bg.wasm', () => {});
  for (const q of ['?class=1', '?w=cpu&embed=1', '?w=nope']) {
    await page.goto(`${server.url}/${q}`);
    await page.locator('#app .loading').waitFor();
    assert.equal(await page.locator('#lesson-title').count(), 0, q);
  }
  await page.close();
});

test('no page errors were thrown', () => {
  assert.deepEqual(browser.pageErrors, []);
});
