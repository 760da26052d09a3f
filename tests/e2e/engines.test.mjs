// The page in the two other engines students open it in: Firefox ESR and
// WebKitGTK (Debian's). Isolated and with shared memory, every workload runs
// under every model against its oracle, with a failure, cancel and repeated
// fresh loads of the runs that once hung; without shared memory (WebKitGTK
// by default, Firefox on a host without the headers) the page says what is
// missing and runs the process models from its reduced build.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, run, twice, checkCorrect, modelsFor, MODELS } from './harness.mjs';
import { CASES, checkOrderOfCosts, checkInterleavings } from './cases.mjs';
import { launchFirefox, launchWebKit } from './engines.mjs';

const ALL = MODELS;
const REDUCED = 'seq,async,procs,fork';
const needsSharedMemory = (query) => /w=io|sync=(racy|locked|atomic)|via=shared/.test(query);

function fullSuite(name, launch) {
  describe(`${name}, isolated, with shared memory`, () => {
    let server;
    let b;
    before(async () => {
      server = await serve({ isolated: true });
      b = await launch();
    });
    after(async () => {
      await b?.close();
      await server?.close();
    });

    test('the full build starts with threads', async () => {
      const report = await run(b, server.url, 'w=cpu&tasks=2&n=1000&models=threads&workers=2&repeats=1&warmup=0');
      assert.equal(report.env.shared_memory, true);
      assert.equal(await b.eval(() => document.body.dataset.memory), 'shared');
      assert.equal(await b.visible('#no-isolation'), false);
      assert.equal(await b.eval(() => document.querySelector('#env-engine').dataset.threads), '2');
      // This engine's limits, measured before the run: each there and positive,
      // a start no shorter than its instantiation.
      const c = report.calibration;
      for (const key of ['worker_start_ms', 'instantiate_ms', 'process_start_ms', 'message_rtt_us', 'atomics_rtt_us', 'memcpy_gbps', 'memcpy_cold_gbps', 'copy_in_gbps']) {
        assert.ok(Number.isFinite(c[key]) && c[key] > 0, `${name}: ${key} = ${c[key]}`);
      }
      assert.ok(c.process_start_ms >= c.instantiate_ms, JSON.stringify(c));
    });

    test('an embedded lesson and the presentation view run here too', async () => {
      const quick = 'w=cpu&tasks=2&n=300000&models=seq,threads,procs&workers=2&repeats=1&warmup=0';
      const embedded = await run(b, server.url, `${quick}&embed=1`);
      assert.ok(embedded.results.every((r) => r.correct));
      assert.equal(await b.eval(() => document.querySelectorAll('form.config').length), 0, 'the compact view');
      assert.equal(await b.eval(() => document.querySelectorAll('#verdicts li').length), 3);
      assert.ok(await b.visible('#speedup-chart'));
      assert.match(await b.eval(() => document.querySelector('#full-playground').getAttribute('href')), /\?w=cpu&/);
      const presented = await run(b, server.url, `${quick}&present=1`);
      assert.ok(presented.results.every((r) => r.correct));
      assert.equal(await b.eval(() => document.querySelector('#present-toggle').getAttribute('aria-pressed')), 'true');
      assert.equal(await b.visible('section.env'), false, 'details out of the way');
      assert.ok(await b.visible('#speedup-chart'));
      assert.ok(await b.visible('#verdicts'));
    });

    for (const [query, check] of CASES) {
      test(`${query} is correct under every model`, async () => {
        const report = await run(b, server.url, `${query}&models=${ALL}&workers=2&repeats=1&warmup=0`);
        checkCorrect(report, modelsFor(query), check);
      });
    }

    test('a thread starts cheaper than a fork, and a move hands over cheaper than a copy', () =>
      checkOrderOfCosts((query) => run(b, server.url, query)));

    test('the traced repeat proves each lost update it draws; a lock and an atomic add lose none', () =>
      checkInterleavings((query) => run(b, server.url, query)));

    test('a racy counter loses updates and says how many', async () => {
      const report = await run(b, server.url, `w=counter&tasks=4&increments=200000&sync=racy&models=${ALL}&workers=2&repeats=1&warmup=0`);
      for (const r of report.results) {
        assert.equal(r.lost_updates, String(800000n - BigInt(r.value)), r.model);
      }
      assert.equal(report.results[0].lost_updates, '0');
      assert.equal(report.results.find((r) => r.model === 'async').lost_updates, '0');
    });

    test('a failing task is reported under every model, the others finish', async () => {
      const report = await run(b, server.url, `w=failure&tasks=4&fail_at=1&n=200000&models=${ALL}&workers=2&repeats=1&warmup=0`);
      for (const r of report.results) {
        assert.equal(r.errors.length, 1, r.model);
        assert.match(r.errors[0].message, /task 1 failed on purpose/);
        assert.equal(r.value, '600000', r.model);
      }
    });

    test('cancel stops thread and process models, and the next run is correct', async () => {
      for (const model of ['threads', 'procs', 'gil', 'fork']) {
        await b.goto(`${server.url}/?w=cpu&tasks=4&n=3000000000&models=${model}&workers=2&repeats=1&warmup=0&run=1`);
        await b.waitFor(() => /measuring/.test(document.querySelector('#status')?.textContent || ''));
        await b.click('#cancel');
        assert.equal(await b.waitForState(['idle', 'done', 'error'], 30_000), 'idle', `cancel ${model}`);
        assert.match(await b.text('#status'), new RegExp(`Cancelled\\. ${model} stopped`));
      }
      const report = await run(b, server.url, `w=cpu&tasks=4&n=200000&models=${ALL}&workers=2&repeats=1&warmup=0`);
      assert.ok(report.results.every((r) => r.correct));
    });

    // These two links once hung in Firefox in some page loads: each fresh
    // load must finish, and no speedup may pass the machine's limit unflagged.
    const ONCE_HUNG = [
      'w=cpu&tasks=4&n=2000000&models=seq,threads,gil,procs,fork&workers=2&repeats=3',
      'w=io&tasks=8&wait_ms=50&models=seq,gil,procs&workers=8&repeats=3',
    ];
    for (const query of ONCE_HUNG) {
      test(`three fresh loads of ${query} all finish`, async () => {
        for (let i = 0; i < 3; i++) {
          const report = await run(b, server.url, query);
          assert.ok(report.results.every((r) => r.correct));
          for (const r of report.results) {
            const limit = query.startsWith('w=io') ? Math.min(r.workers, 8) : Math.min(r.workers, report.env.cores, 4);
            if (r.speedup > limit * 1.1) assert.ok(r.suspect, `${r.model} ${r.speedup}× must be flagged`);
          }
        }
        await b.screenshot(`${b.name}-${query.slice(2, 5)}.png`);
      });
    }

    // WebKit reserves address space for each shared memory's maximum, about
    // 32 GiB for a tab: at the module's 1 GiB, 64 processes could not start.
    if (name === 'WebKitGTK') {
      test('64 processes start, each with a memory of its own', async () => {
        const report = await run(b, server.url, 'w=cpu&tasks=64&n=1000&models=procs&workers=64&repeats=1&warmup=0');
        assert.deepEqual(report.results.map((r) => [r.model, r.workers, r.correct]), [['procs', 64, true]]);
      });
    }

    // A page the browser keeps for the Back button would keep its workers,
    // and WebKit reserves room for each one's memory until it runs out: the
    // page ends its engine instead. A run in progress stops and says so on
    // return; the next run starts a new engine.
    test('a page kept for the Back button ends its run, says so, and runs again', () => twice(b, 'Back button', async () => {
      await b.goto(`${server.url}/?w=cpu&tasks=4&n=3000000000&models=procs&workers=2&repeats=1&warmup=0&run=1`);
      await b.waitFor(() => /measuring/.test(document.querySelector('#status')?.textContent || ''));
      await b.eval(() => { window.tvpKept = true; });
      await b.goto(`${server.url}/?w=io`);
      await b.eval(() => history.back());
      await b.waitFor(() => /w=cpu/.test(location.search) && document.readyState === 'complete');
      if (!(await b.eval(() => window.tvpKept === true))) {
        console.log(`# ${b.name} did not keep the page`);
        // Not kept: the link loads afresh and runs again, as any load would.
        assert.equal(await b.waitForState(['running', 'done', 'error'], 30_000), 'running');
        return;
      }
      assert.equal(await b.waitForState(['error'], 30_000), 'error');
      assert.match(await b.text('#status'), /The run failed: it stopped when the page was left/);
      await b.eval(() => {
        const n = document.querySelector('#f-n');
        n.value = '200000';
        n.dispatchEvent(new InputEvent('input', { bubbles: true }));
      });
      await b.click('#run');
      // The last state was `error` too: wait for this run's end, not that one.
      await b.waitFor(() => document.body.dataset.runState === 'done'
        || (document.body.dataset.runState === 'error' && !/page was left/.test(document.querySelector('#status').textContent)));
      assert.equal(await b.waitForState(['done', 'error']), 'done', await b.text('#status'));
      const report = await b.report();
      assert.deepEqual(report.results.map((r) => [r.model, r.correct, r.value === r.expected]), [['procs', true, true]]);
    }));

    test('no page errors', () => {
      assert.deepEqual(b.pageErrors, []);
    });
  });
}

function reducedSuite(name, launch, isolated) {
  describe(`${name}: no shared memory, the reduced page`, () => {
    let server;
    let b;
    before(async () => {
      server = await serve({ isolated });
      b = await launch();
    });
    after(async () => {
      await b?.close();
      await server?.close();
    });

    test('says what is missing and why, and runs the process models', async () => {
      await b.goto(`${server.url}/?w=cpu`);
      await b.waitFor(() => Boolean(document.querySelector('#run')));
      assert.equal(await b.eval(() => document.body.dataset.memory), 'reduced');
      assert.equal(await b.visible('#no-isolation'), true);
      const text = await b.text('#no-isolation');
      assert.match(text, /SharedArrayBuffer/);
      assert.match(text, /threads/);
      assert.match(text, /procs/);
      if (isolated) assert.match(text, /JSC_useSharedArrayBuffer=1/);
      else assert.match(text, /Cross-Origin-Embedder-Policy: require-corp/);
      await b.screenshot(`${b.name}-reduced.png`);
    });

    for (const [query, check] of CASES.filter(([q]) => !needsSharedMemory(q))) {
      test(`${query} is correct under ${REDUCED}`, async () => {
        const report = await run(b, server.url, `${query}&models=${REDUCED}&workers=2&repeats=1&warmup=0`);
        // The spawn lesson's seq starts threads: not here (it says so).
        checkCorrect(report, query.startsWith('w=spawn') ? 'procs,fork' : modelsFor(query, REDUCED), check);
        assert.equal(report.env.shared_memory, false);
      });
    }

    // Firefox without isolation steps its clock by 1 ms: a pool's dispatch
    // (about 0.1 ms) then reads 0 or 1000 µs, which the page must not show
    // as a length.
    test('a step shorter than two ticks of the clock reads as a bound', async () => {
      const report = await run(b, server.url, 'w=spawn&count=5&models=procs,fork&workers=2&repeats=1&warmup=0');
      const tick = report.env.timer_resolution_ms;
      assert.ok(tick > 0, `clock step ${tick}`);
      const notes = await b.eval(() => [...document.querySelectorAll('#results tbody tr')].map((tr) => tr.textContent));
      const verdicts = await b.text('#verdicts');
      for (const [i, r] of report.results.entries()) {
        const v = r.figures.per_step_us;
        const flagged = r.warnings.some((w) => w.kind === 'figure_below_clock' && w.figure === 'per_step_us');
        assert.equal(flagged, v < 2000 * tick, `${r.model}: ${v} µs on a ${tick} ms clock`);
        const shown = flagged ? `under ${(2000 * tick).toFixed(0)} µs per start and join` : `${v.toFixed(0)} µs per start and join`;
        assert.ok(notes[i].includes(shown), `${r.model}: "${shown}" in ${notes[i]}`);
        if (flagged) assert.doesNotMatch(verdicts, /× the cost of using the pool/);
      }
      // The limits: a round trip is timed in batches, so it is a length on
      // any clock; a start is timed once, so under two ticks it is a bound.
      const c = report.calibration;
      assert.ok(c.message_rtt_us > 0, `message_rtt_us ${c.message_rtt_us}`);
      const rows = await b.eval(() => Object.fromEntries([...document.querySelectorAll('#limits tr[data-key]')]
        .map((tr) => [tr.dataset.key, [tr.dataset.bound ?? null, tr.querySelector('td').textContent]])));
      for (const key of ['worker_start_ms', 'instantiate_ms', 'process_start_ms']) {
        const [bound, shown] = rows[key];
        assert.equal(bound !== null, c[key] < 2 * tick, `${key} ${c[key]} ms: ${shown}`);
        assert.equal(shown.startsWith('under '), bound !== null, shown);
      }
      assert.equal(rows.message_rtt_us[0], null);
      console.log(`# ${b.name}: clock step ${tick} ms; per step ${report.results.map((r) => `${r.model} ${r.figures.per_step_us} µs`).join(', ')}; round trip ${c.message_rtt_us.toFixed(1)} µs, instantiating ${c.instantiate_ms} ms`);
    });

    test('the io lesson runs on one thread and on an event loop', async () => {
      const report = await run(b, server.url, 'w=io&tasks=8&wait_ms=50&models=seq,async&workers=2&repeats=2&warmup=0');
      checkCorrect(report, 'seq,async', () => {});
      assert.ok(report.results[1].speedup >= 0.8 * 8, `async ${report.results[1].speedup}×`);
    });

    test('a link asking for threads names the limit and keeps the rest', async () => {
      await b.goto(`${server.url}/?w=squares&n=5000&models=seq,threads,procs`);
      await b.waitFor(() => Boolean(document.querySelector('#run')));
      const limits = await b.text('#config-limits');
      assert.match(limits, /models = "seq,threads,procs" cannot run here: threads needs shared memory/);
      assert.equal(await b.eval(() => document.querySelector('input[name="n"]')?.value), '5000');
      const report = await run(b, server.url, 'w=squares&n=5000&models=seq,threads,procs&workers=2&repeats=1&warmup=0');
      assert.deepEqual(report.results.map((r) => r.model), ['seq', 'procs']);
      assert.ok(report.results.every((r) => r.correct));
    });

    test('a failure and a cancel work there too', async () => {
      const report = await run(b, server.url, `w=failure&tasks=4&fail_at=2&n=200000&models=${REDUCED}&workers=2&repeats=1&warmup=0`);
      for (const r of report.results) {
        assert.equal(r.errors.length, 1, r.model);
        assert.equal(r.value, '600000', r.model);
      }
      await b.goto(`${server.url}/?w=cpu&tasks=4&n=3000000000&models=procs&workers=2&repeats=1&warmup=0&run=1`);
      await b.waitFor(() => /measuring/.test(document.querySelector('#status')?.textContent || ''));
      await b.click('#cancel');
      assert.equal(await b.waitForState(['idle', 'done', 'error'], 30_000), 'idle');
    });

    test('no page errors', () => {
      assert.deepEqual(b.pageErrors, []);
    });
  });
}

fullSuite('Firefox ESR', () => launchFirefox());
fullSuite('WebKitGTK', () => launchWebKit({ sharedArrayBuffer: true }));
reducedSuite('WebKitGTK without JSC_useSharedArrayBuffer', () => launchWebKit({ sharedArrayBuffer: false }), true);
reducedSuite(
  'Firefox ESR on a host without the headers',
  () => launchFirefox({ prefs: { 'dom.serviceWorkers.enabled': false } }),
  false,
);
