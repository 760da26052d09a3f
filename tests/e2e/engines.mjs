// Firefox ESR and WebKitGTK, from Debian, behind one small interface so the
// same cross-engine tests drive both: Firefox through puppeteer-core over
// WebDriver BiDi, WebKitGTK's MiniBrowser through webdriverio and
// WebKitWebDriver under a virtual display. Neither downloads a browser.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { outDir, freePort } from './harness.mjs';

export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** The page's run state once it is one of `states`, polling (no engine-specific waits). */
async function pollState(b, states, timeout) {
  const end = Date.now() + timeout;
  for (;;) {
    const s = await b.eval(() => document.body.dataset.runState);
    if (states.includes(s)) return s;
    if (Date.now() > end) {
      const status = await b.eval(() => document.querySelector('#status')?.textContent || '');
      throw new Error(`${b.name}: still "${s}" after ${timeout} ms (wanted ${states.join('|')}); status: ${status}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function common(b) {
  b.isCrash ??= () => false;
  b.waitForState = (states, timeout = 120_000) => pollState(b, states, timeout);
  b.report = async () => JSON.parse(await b.eval(() => document.querySelector('#report-json').textContent));
  b.text = (selector) => b.eval((sel) => document.querySelector(sel)?.textContent ?? null, selector);
  b.visible = (selector) =>
    b.eval((sel) => {
      const el = document.querySelector(sel);
      return Boolean(el && !el.hidden && el.getClientRects().length > 0);
    }, selector);
  // `fn` must return a plain value: Firefox's BiDi hands a DOM node back as
  // something puppeteer turns into undefined.
  b.waitFor = async (fn, arg, timeout = 60_000) => {
    const end = Date.now() + timeout;
    while (!(await b.eval(fn, arg))) {
      if (Date.now() > end) throw new Error(`${b.name}: condition not met in ${timeout} ms: ${fn}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return b;
}

/** Firefox ESR with a fresh profile. `prefs` are extra about:config settings. */
export async function launchFirefox({ prefs = {} } = {}) {
  const { default: puppeteer } = await import('puppeteer-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tvp-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX || '/usr/bin/firefox-esr',
    headless: true,
    userDataDir: profile,
    defaultViewport: { width: 1280, height: 900 },
    extraPrefsFirefox: prefs,
  });
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  if (process.env.TVP_CONSOLE) page.on('console', (m) => console.log('[console]', m.text()));
  return common({
    name: 'firefox',
    pageErrors,
    goto: (url) => page.goto(url, { waitUntil: 'load' }),
    eval: (fn, arg) => page.evaluate(fn, arg),
    // The page's first iframe, whatever its origin (an embed in a course page).
    frameEval: (fn, arg) => page.frames().find((f) => f !== page.mainFrame()).evaluate(fn, arg),
    click: (selector) => page.click(selector),
    screenshot: async (name) => {
      fs.mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: path.join(outDir, name), fullPage: true });
    },
    close: async () => {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  });
}


/** The web process died, or the driver ended the session because it did. */
// WebKitGTK's web process also hung once, restoring a page from the Back
// button's cache after the 64-process test: the driver then gives up on a
// script after two minutes ("Request timed out"). The page's main thread
// runs no long task (the benchmark's longest-task figure, in Chromium), so
// a script that cannot run for two minutes is the browser's, as a crash is.
const isCrash = (e) => /page crash|invalid session id|session deleted|Could not parse script result|Request timed out/i.test(String(e?.message ?? e));

/**
 * WebKitGTK's MiniBrowser under xvfb. `sharedArrayBuffer` sets
 * JSC_useSharedArrayBuffer=1, what Safari does for an isolated page; without
 * it WebKitGTK leaves SharedArrayBuffer undefined even when isolated.
 */
export async function launchWebKit({ sharedArrayBuffer = true } = {}) {
  const { remote } = await import('webdriverio');
  const port = await freePort();
  const env = { ...process.env, JSC_useSharedArrayBuffer: sharedArrayBuffer ? '1' : '0' };
  // Its own process group, so closing ends Xvfb and MiniBrowser too.
  const driver = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], {
    env,
    detached: true,
    stdio: 'ignore',
  });
  const killDriver = () => {
    try {
      process.kill(-driver.pid, 'SIGKILL');
    } catch {}
  };
  const connect = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await remote({
          hostname: '127.0.0.1',
          port,
          path: '/',
          // Silent: refused connections while the driver starts are retried here.
          logLevel: 'silent',
          connectionRetryCount: 0,
          capabilities: {
            'wdio:enforceWebDriverClassic': true,
            'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
          },
        });
      } catch (e) {
        if (attempt >= 40) {
          killDriver();
          throw new Error(`WebKitWebDriver did not start: ${e.message}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  let browser = await connect();
  // WebKitGTK's web process sometimes dies under xvfb (seen once in about
  // ten suites), and the driver then deletes the session: every later test
  // would fail on it. The next navigation opens a new session instead.
  let gone = false;
  const live = async (fn) => {
    if (gone) {
      gone = false;
      await browser.deleteSession().catch(() => {});
      browser = await connect();
      await browser.setWindowSize(1280, 900).catch(() => {});
    }
    try {
      return await fn(browser);
    } catch (e) {
      if (isCrash(e)) gone = true;
      throw e;
    }
  };
  await browser.setWindowSize(1280, 900).catch(() => {});
  return common({
    name: sharedArrayBuffer ? 'webkit' : 'webkit-no-sab',
    pageErrors: [],
    isCrash,
    goto: (url) => live((br) => br.url(url)),
    // webdriver runs a function's source: pass the argument explicitly.
    eval: (fn, arg) => live((br) => br.execute(fn, arg)),
    frameEval: (fn, arg) =>
      live(async (br) => {
        await br.switchToFrame(0);
        try {
          return await br.execute(fn, arg);
        } finally {
          await br.switchToParentFrame();
        }
      }),
    click: (selector) => live((br) => br.execute((sel) => document.querySelector(sel).click(), selector)),
    screenshot: async (name) => {
      fs.mkdirSync(outDir, { recursive: true });
      await live((br) => br.saveScreenshot(path.join(outDir, name)));
    },
    close: async () => {
      await browser.deleteSession().catch(() => {});
      killDriver();
    },
  });
}
