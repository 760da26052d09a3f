// Served without COOP/COEP, the page must explain what is missing rather
// than fail: every binary uses shared memory, which needs isolation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, screenshot } from './harness.mjs';

test('without the isolation headers the page explains how to fix it', async () => {
  const server = await serve({ isolated: false });
  const browser = await launch();
  try {
    const page = await browser.page();
    await page.goto(`${server.url}/?run=1`);
    const explain = page.locator('#no-isolation');
    await explain.waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    const text = await explain.textContent();
    assert.match(text, /cross-origin isolated/);
    assert.match(text, /Cross-Origin-Opener-Policy: same-origin/);
    assert.match(text, /Cross-Origin-Embedder-Policy: require-corp/);
    assert.equal(await page.locator('body').getAttribute('data-run-state'), 'error');
    assert.equal(await page.locator('#app').isVisible(), false);
    await screenshot(page, 'not-isolated.png');
    assert.deepEqual(browser.pageErrors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
