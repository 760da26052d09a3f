// The README's serve command is `trunk serve`: check that the dev server
// really sends the isolation headers, using the same Trunk.toml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { launch, freePort } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');


test('trunk serve sends COOP and COEP and the page is isolated', { timeout: 300_000 }, async () => {
  const port = await freePort();
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'tvp-serve-'));
  const trunk = spawn(
    'trunk',
    ['serve', '--release', '--port', String(port), '--dist', dist, '--no-autoreload'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let log = '';
  trunk.stdout.on('data', (d) => (log += d));
  trunk.stderr.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  const browser = await launch();
  try {
    let res;
    for (let i = 0; i < 600 && !res; i++) {
      if (trunk.exitCode !== null) assert.fail(`trunk serve exited early:\n${log}`);
      res = await fetch(base + '/').catch(() => null);
      if (!res || res.status !== 200) {
        res = null;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    assert.ok(res, `trunk serve did not answer:\n${log}`);
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    const worker = await fetch(base + '/engine_boot.js');
    assert.equal(worker.status, 200);
    assert.equal(worker.headers.get('cross-origin-embedder-policy'), 'require-corp');

    const page = await browser.page();
    await page.goto(base + '/');
    await page.locator('#run').waitFor();
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    assert.deepEqual(browser.pageErrors, []);
  } finally {
    await browser.close();
    process.kill(-trunk.pid, 'SIGTERM');
    fs.rmSync(dist, { recursive: true, force: true });
  }
});
