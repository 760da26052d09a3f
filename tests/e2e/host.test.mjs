// A course page on another origin embeds a lesson, the reader predicts and
// runs inside it, and the course page receives the prediction when the run
// starts and the report when it ends (`tvp:prediction`, `tvp:report`,
// docs/embedding.md), with the figures of the embed's #report-json; with
// `origin=` naming another page, it receives nothing. In Chromium, Firefox
// ESR and WebKitGTK.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, chromiumPage } from './harness.mjs';
import { launchFirefox, launchWebKit } from './engines.mjs';

const LESSON = 'w=cpu&tasks=2&n=300000&models=seq,procs&workers=2&repeats=2&warmup=0';

// `origin`: the embed's origin= key; `self` names the course page's own
// origin, which only the page knows once it is served.
const hostPage = (src, origin) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Week 3: threads or processes?</title></head><body>
<h1>Week 3</h1>
<iframe title="Threads vs Processes: CPU-bound work" width="900" height="700"></iframe>
<script>
  const origin = ${JSON.stringify(origin ?? '')};
  document.querySelector('iframe').src = ${JSON.stringify(src)}
    + (origin ? '&origin=' + encodeURIComponent(origin === 'self' ? location.origin : origin) : '');
  window.tvpGot = [];
  window.addEventListener('message', (e) => {
    if (e.data && typeof e.data.type === 'string' && e.data.type.startsWith('tvp:')) {
      window.tvpGot.push({ origin: e.origin, type: e.data.type, report: e.data.report });
    }
  });
</script></body></html>`;

async function until(what, fn, timeout = 120_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`not in ${timeout} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function suite(name, open) {
  describe(name, () => {
    let embed;
    let host;
    let b;
    before(async () => {
      embed = await serve({ isolated: true });
      const origin = new URL(embed.url).origin;
      // Another port is another origin: the course page is not the playground's.
      const src = `${embed.url}/?${LESSON}&embed=1`;
      host = await serve({
        isolated: false,
        pages: {
          '/course.html': hostPage(src),
          '/course-mine.html': hostPage(src, 'self'),
          '/course-other.html': hostPage(src, 'http://127.0.0.1:9'),
        },
      });
      b = await open(origin);
    });
    after(async () => {
      await b?.close();
      await host?.close();
      await embed?.close();
    });

    async function predictAndRun(path) {
      await b.goto(`${host.url}${path}`);
      await until('the embed is ready', () =>
        b.frameEval(() => Boolean(document.querySelector('#run') && document.querySelector('#predict'))).catch(() => false));
      await b.frameEval(() => {
        document.querySelector('#ask-model-procs-faster').click();
        document.querySelector('#confidence-sure').click();
      });
      await until('the answer is taken', () =>
        b.frameEval(() => document.querySelector('#ask-model-procs-faster').checked));
      await b.frameEval(() => document.querySelector('#run').click());
      await until('the run ends', () =>
        b.frameEval(() => ['done', 'error'].includes(document.body.dataset.runState)));
      assert.equal(await b.frameEval(() => document.body.dataset.runState), 'done',
        await b.frameEval(() => document.querySelector('#status')?.textContent));
      return JSON.parse(await b.frameEval(() => document.querySelector('#report-json').textContent));
    }

    for (const [path, how] of [['/course.html', 'any host'], ['/course-mine.html', 'origin= naming it']]) {
    test(`the course page (${how}) gets the prediction, then the report with the embed's figures`, async () => {
      const mine = await predictAndRun(path);
      const got = await until('both messages', async () => {
        const g = await b.eval(() => window.tvpGot);
        return g.some((m) => m.type === 'tvp:report') && g;
      });
      const embedOrigin = new URL(embed.url).origin;
      assert.deepEqual(got.map((m) => [m.type, m.origin]), [['tvp:prediction', embedOrigin], ['tvp:report', embedOrigin]]);
      const [predicted, reported] = got.map((m) => m.report);
      assert.deepEqual(predicted.predictions, [{ model: 'procs', choice: 'faster', confidence: 'sure', right: null }]);
      assert.deepEqual(predicted.results, []);
      assert.equal(predicted.config.w, 'cpu');
      // The same report as the embed shows, field for field.
      assert.deepEqual(reported, mine);
      assert.equal(reported.predictions.length, 1);
      assert.equal(typeof reported.predictions[0].right === 'boolean' || reported.predictions[0].right === null, true);
      assert.ok(reported.results.every((r) => r.correct));
      assert.match(await b.frameEval(() => document.querySelector('#prediction-outcome')?.textContent ?? ''), /You expected the process pool/);
    });
    }

    test('with origin= naming another page, the course page gets nothing', async () => {
      await predictAndRun('/course-other.html');
      // The run is over and both messages were posted by then: none arrived.
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(await b.eval(() => window.tvpGot), []);
    });
  });
}

suite('Chromium', async () => {
  const browser = await launch({ width: 1000, height: 900 });
  const page = await browser.page();
  return { ...chromiumPage(page), close: () => browser.close() };
});
suite('Firefox ESR', () => launchFirefox());
suite('WebKitGTK', () => launchWebKit());
