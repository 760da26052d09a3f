// The benchmark: drives the release page in headless Chromium through every
// lesson and model at fixed sizes and prints medians, speedups and
// efficiency beside the native Rust reference and (where python3 exists)
// CPython's own threading/multiprocessing run of the same lessons. Also:
// wasm vs native speed, process start (compile vs instantiate), pool
// dispatch, transfer throughput, main-thread long tasks, first load, wasm
// sizes. Figures, not assertions: speed is measured here, never in a test.
import { serve, launch, waitForState, reportJson, distDir } from '../tests/e2e/harness.mjs';
import { launchFirefox, launchWebKit } from '../tests/e2e/engines.mjs';
import { audit, describe } from './lighthouse.mjs';
import { MEMORY_ARGS, measureInPage, watchResident } from './memory.mjs';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import os from 'node:os';

const cores = os.availableParallelism();
// --browser chromium|firefox|webkit (default chromium): the same tables per engine.
const argAt = process.argv.indexOf('--browser');
const engine = argAt > 0 ? process.argv[argAt + 1] : process.env.BENCH_BROWSER || 'chromium';
if (!['chromium', 'firefox', 'webkit'].includes(engine)) {
  console.error(`--browser must be chromium, firefox or webkit, not ${engine}`);
  process.exit(2);
}
const pages = Number(process.env.BENCH_PAGES || 3);
const repeats = Number(process.env.BENCH_REPEATS || 7);
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : null;
const outFile = process.env.BENCH_OUT || path.join('bench-output', engine === 'chromium' ? 'bench.json' : `bench-${engine}.json`);

// name, query, page loads; CPython's key for the same scenario.
const SCENARIOS = [
  ['cpu', `w=cpu&models=seq,async,threads,gil,oldgil,procs,fork,hybrid&workers=${cores}`, pages],
  ['squares', `w=squares&n=100000000&models=seq,threads,gil,procs,fork&workers=${cores}`, 1],
  ['io', `w=io&tasks=8&wait_ms=50&models=seq,async,threads,gil,oldgil,procs,hybrid&workers=8&procs=${cores}&threads=4`, 1],
  ['io+cpu', `w=io&tasks=8&wait_ms=50&cpu_n=20000000&models=seq,async,threads,gil,procs,hybrid&workers=8&procs=${cores}&threads=4&hybrid_gil=1`, 1],
  // Mixed work against a process pool as small as hybrid's: the threads
  // inside each process are what hybrid adds.
  ['mixed', `w=io&tasks=8&wait_ms=50&cpu_n=20000000&models=seq,gil,procs,hybrid&workers=${cores}&procs=${cores}&threads=4&hybrid_gil=1`, 1],
  ['spawn', `w=spawn&count=50&models=seq,threads,gil,procs,fork&workers=${cores}`, 1],
  ...['racy', 'locked', 'atomic', 'messages'].map((sync) => [
    `counter ${sync}`,
    `w=counter&sync=${sync}&models=seq,async,threads,gil,procs&workers=${cores}`,
    1,
  ]),
  ...['copy', 'move', 'shared'].map((via) => [
    `transfer ${via}`,
    `w=transfer&mib=16&via=${via}&models=seq,threads,gil,procs&workers=${cores}`,
    1,
  ]),
  // 64 MiB to a process, phase by phase (the report's `handovers`): one
  // process at a time, as the goal is per hand-over, and two copies at once
  // would split the memory's bandwidth between them.
  ...['copy', 'move', 'shared'].map((via) => [
    `handover ${via}`,
    `w=transfer&tasks=2&mib=64&via=${via}&models=procs,fork&workers=1`,
    1,
  ]),
  ['failure', `w=failure&models=seq,threads,gil,procs,fork&workers=${cores}`, 1],
  ['transfer sizes', `w=transfer&tasks=2&models=threads,procs&workers=${cores}&sizes=1`, 1],
];
// The page's model ↔ CPython's row: CPython threads hold the GIL.
const CPYTHON_ROW = { seq: 'seq', async: 'async', gil: 'threads', procs: 'procs', fork: 'fork', hybrid: 'hybrid' };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pad = (s, n) => String(s).padStart(n);
const fixed = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));

function cpythonReference() {
  const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const run = spawnSync('python3', ['bench/python/lessons.py', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) {
    console.error('CPython reference failed:', run.stderr.slice(-2000));
    return null;
  }
  return JSON.parse(run.stdout);
}

const out = { date: new Date().toISOString(), browser: engine, cores, repeats, scenarios: {}, figures: {} };

// Sizes of what a visitor downloads.
out.figures.wasm = Object.fromEntries(
  fs.readdirSync(distDir).filter((f) => f.endsWith('.wasm')).map((f) => {
    const raw = fs.readFileSync(path.join(distDir, f));
    return [f.replace(/-[0-9a-f]+(?=_bg)/, ''), { raw_bytes: raw.length, gzip_bytes: zlib.gzipSync(raw, { level: 9 }).length }];
  }),
);

const server = await serve();
// Firefox and WebKit have no long-task observer and no playwright page:
// they are driven through the tests' small adapter, one fresh load per run.
const other = engine === 'firefox' ? await launchFirefox() : engine === 'webkit' ? await launchWebKit() : null;
const browser = other ? null : await launch();
async function otherRun(url) {
  await other.goto(url);
  const state = await other.waitForState(['done', 'error'], 900_000);
  if (state !== 'done') throw new Error(`${url}: ${await other.text('#status')}`);
  return other.report();
}
try {
  // First load to interactive: navigation start to the Run button.
  const loads = [];
  for (let i = 0; i < 3 && browser; i++) {
    const page = await browser.context.newPage();
    const t0 = Date.now();
    await page.goto(`${server.url}/?w=cpu`);
    await page.locator('#run').waitFor();
    loads.push(Date.now() - t0);
    await page.close();
  }
  out.figures.first_load_ms = loads.length ? median(loads) : null;

  for (const [name, query, loadsWanted] of SCENARIOS) {
    if (only && !only.includes(name.split(' ')[0])) continue;
    const runs = [];
    let longest = 0;
    for (let i = 0; i < loadsWanted; i++) {
      const rep = name === 'transfer sizes' ? 3 : repeats;
      if (other) {
        runs.push(await otherRun(`${server.url}/?${query}&repeats=${rep}&warmup=2&run=1`));
        continue;
      }
      const page = await browser.context.newPage();
      await page.addInitScript(() => {
        window.__longTasks = [];
        new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__longTasks.push(e.duration))).observe({
          type: 'longtask',
          buffered: true,
        });
      });
      await page.goto(`${server.url}/?${query}&repeats=${rep}&warmup=2&run=1`);
      const state = await waitForState(page, ['done', 'error'], 900_000);
      if (state !== 'done') throw new Error(`${name}: ${await page.locator('#status').textContent()}`);
      runs.push(await reportJson(page));
      longest = Math.max(longest, ...(await page.evaluate(() => window.__longTasks)));
      if (name === 'cpu' && i === 0) {
        const engine = page.locator('#env-engine');
        out.figures.engine = {
          threads: Number(await engine.getAttribute('data-threads')),
          process_pool_start_ms: Number(await engine.getAttribute('data-pool-ms')),
        };
      }
      await page.close();
    }
    out.figures.longest_main_thread_task_ms = Math.max(out.figures.longest_main_thread_task_ms || 0, longest);
    // The page's own measure of this machine's limits (any run's: one per load).
    out.calibration ||= runs.map((r) => r.calibration).find(Boolean) || null;
    const byModel = {};
    for (const r of runs) for (const x of r.results) (byModel[x.model] ||= []).push(x);
    const seq = byModel.seq ? median(byModel.seq.flatMap((x) => x.samples_ms)) : null;
    const scenario = (out.scenarios[name] = { query, models: {} });
    for (const [model, xs] of Object.entries(byModel)) {
      const samples = xs.flatMap((x) => x.samples_ms);
      const m = median(samples);
      const last = xs[xs.length - 1];
      scenario.models[model] = {
        workers: last.workers,
        median_ms: m,
        min_ms: Math.min(...samples),
        max_ms: Math.max(...samples),
        speedup: seq ? seq / m : null,
        efficiency: seq ? seq / m / last.workers : null,
        correct: xs.every((x) => x.correct),
        lost_updates: last.lost_updates,
        figures: last.figures,
        // The page's own verdict per load: a ratio above what the machine allows.
        suspect: xs.map((x) => x.suspect).find(Boolean) || null,
      };
    }
    if (name === 'transfer sizes') scenario.sizes = runs[0].sizes;
    if (name.startsWith('handover')) scenario.handovers = runs.flatMap((r) => r.handovers || []);
    if (name === 'cpu') {
      scenario.per_load = runs.map((r) => Object.fromEntries(r.results.map((x) => [x.model, x.speedup])));
      out.user_agent = runs[0].env.user_agent;
    }
  }
} finally {
  await browser?.close();
  await other?.close();
  await server.close();
}

// The class view (Chromium): 50 and 500 students' links pasted and read,
// from paste to the last chart and table drawn, and its longest task.
if (engine === 'chromium' && (!only || only.includes('class'))) {
  const links = execFileSync('cargo', ['+stable', 'run', '--quiet', '--release', '--bin', 'bench-native', '--', '--class-links', '500'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim().split('\n');
  const classServer = await serve();
  const classBrowser = await launch();
  try {
    out.figures.class_view = {};
    for (const n of [50, 500]) {
      const times = [];
      const longest = [];
      for (let i = 0; i < 3; i++) {
        const page = await classBrowser.context.newPage();
        await page.addInitScript(() => {
          window.__longTasks = [];
          new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
        });
        await page.goto(`${classServer.url}/?class=1`);
        await page.locator('#class-links').fill(links.slice(0, n).join('\n'));
        await page.waitForTimeout(200);
        await page.evaluate(() => window.__longTasks.splice(0));
        const t0 = Date.now();
        await page.locator('#class-read').click();
        await page.waitForFunction(() => /runs? read\./.test(document.querySelector('#class-progress').textContent) && !document.querySelector('.deferred'), null, { timeout: 120_000 });
        times.push(Date.now() - t0);
        longest.push(Math.max(0, ...(await page.evaluate(() => window.__longTasks))));
        await page.close();
      }
      out.figures.class_view[n] = { read_and_draw_ms: median(times), longest_task_ms: Math.max(...longest) };
    }
  } finally {
    await classBrowser.close();
    await classServer.close();
  }
}

// Each lesson's default run (Chromium): its peak memory with its workers.
if (engine === 'chromium' && (!only || only.includes('memory'))) {
  const memServer = await serve();
  const memBrowser = await launch({ args: MEMORY_ARGS });
  try {
    out.figures.memory = {};
    for (const lesson of ['cpu', 'squares', 'io', 'spawn', 'counter', 'transfer', 'failure']) {
      const page = await memBrowser.context.newPage();
      await page.addInitScript(measureInPage);
      await page.goto(`${memServer.url}/?w=${lesson}`);
      await page.locator('#run').waitFor();
      const stop = watchResident(memBrowser.profile);
      await page.locator('#run').click();
      const state = await waitForState(page, ['done', 'error'], 900_000);
      const resident = stop();
      if (state !== 'done') throw new Error(`memory ${lesson}: ${await page.locator('#status').textContent()}`);
      out.figures.memory[lesson] = {
        page_renderer_peak_bytes: resident.page,
        all_renderers_peak_bytes: resident.all,
        js_realms_peak_bytes: await page.evaluate(() => window.__peakMemory),
      };
      await page.close();
    }
  } finally {
    await memBrowser.close();
    await memServer.close();
  }
}

// Lighthouse 12.2.3 on the page served with gzip and the isolation headers.
if (engine === 'chromium' && (!only || only.includes('lighthouse'))) {
  const lhServer = await serve({ gzip: true });
  try {
    out.figures.lighthouse = {};
    for (const formFactor of ['desktop', 'mobile']) out.figures.lighthouse[formFactor] = await audit(`${lhServer.url}/?w=cpu`, formFactor);
  } finally {
    await lhServer.close();
  }
}

if (!only || only.includes('cpu')) {
  out.native = JSON.parse(
    execFileSync('cargo', ['+stable', 'run', '--quiet', '--release', '--bin', 'bench-native', '--', '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
}
out.cpython = only ? null : cpythonReference();

// The tables.
console.log(`\nbrowser benchmark (${engine}), ${cores} cores, ${repeats} repeats after 2 warm-ups, medians`);
if (out.user_agent) console.log(out.user_agent);
for (const [name, s] of Object.entries(out.scenarios)) {
  if (name === 'transfer sizes') continue;
  const py = out.cpython?.lessons?.[name];
  console.log(`\n${name}: ${s.query}`);
  console.log(`${'model'.padEnd(9)}${pad('workers', 8)}${pad('median ms', 11)}${pad('min', 9)}${pad('max', 9)}${pad('vs seq', 8)}${pad('effic.', 8)}${pad('ok', 6)}${pad('CPython', 9)}  notes`);
  for (const [model, x] of Object.entries(s.models)) {
    const notes = [];
    if (x.lost_updates !== null && x.lost_updates !== undefined) notes.push(`lost ${x.lost_updates}`);
    // Above min(workers, cores) × 1.1 on CPU work: physically impossible, so flagged.
    // An event loop overlaps every wait on one thread.
    const bound = s.query.startsWith('w=io') ? (model === 'async' ? 8 : Math.min(x.workers, 8)) : Math.min(x.workers, cores);
    if (x.suspect || (name !== 'spawn' && x.speedup > bound * 1.1)) notes.push(`SUSPECT (> ${bound}x × 1.1)`);
    for (const [k, v] of Object.entries(x.figures || {})) notes.push(`${k} ${v.toFixed(1)}`);
    // In the spawn lesson the page's thread start matches CPython's thread start.
    const pyRow = py?.[name === 'spawn' && model === 'threads' ? 'threads' : CPYTHON_ROW[model]];
    const pyCell = pyRow ? (pyRow.speedup_vs_seq != null ? `${pyRow.speedup_vs_seq.toFixed(2)}x` : `${(pyRow.per_step_us ?? 0).toFixed(0)}µs`) : '—';
    console.log(
      `${model.padEnd(9)}${pad(x.workers, 8)}${pad(fixed(x.median_ms), 11)}${pad(fixed(x.min_ms, 1), 9)}${pad(fixed(x.max_ms, 1), 9)}` +
        `${pad(x.speedup ? fixed(x.speedup) + 'x' : '—', 8)}${pad(x.efficiency ? (x.efficiency * 100).toFixed(0) + '%' : '—', 8)}${pad(x.correct, 6)}${pad(pyCell, 9)}  ${notes.join(', ')}`,
    );
  }
  if (s.per_load) console.log('per page load, vs seq: ' + s.per_load.map((l) => Object.entries(l).filter(([m]) => m !== 'seq').map(([m, v]) => `${m} ${v.toFixed(2)}x`).join(' ')).join(' | '));
}
const sizes = out.scenarios['transfer sizes']?.sizes;
if (sizes) {
  console.log('\ntransfer throughput (2 tasks, MB/s = bytes handed over and checksummed per ms)');
  const byKey = {};
  for (const p of sizes) (byKey[`${p.model} ${p.via}`] ||= []).push(p);
  const sizesList = [...new Set(sizes.map((p) => p.bytes))].sort((a, b) => a - b);
  console.log(`${'model via'.padEnd(16)}${sizesList.map((b) => pad(b >= 1 << 20 ? `${b >> 20}MiB` : `${b >> 10}KiB`, 10)).join('')}`);
  for (const [key, ps] of Object.entries(byKey)) {
    console.log(`${key.padEnd(16)}${sizesList.map((b) => {
      const p = ps.find((x) => x.bytes === b);
      return pad(p ? ((2 * b) / 1e6 / (p.median_ms / 1e3)).toFixed(0) : '—', 10);
    }).join('')}`);
  }
}
const handoverRuns = Object.entries(out.scenarios).filter(([n, s]) => n.startsWith('handover') && s.handovers?.length);
if (handoverRuns.length) {
  console.log('\nhanding 64 MiB to a process, median ms per phase (cold: memory grown or buffer made for it)');
  const phases = ['serialize', 'deliver', 'grow', 'copy in', 'checksum'];
  console.log(`${'via model start'.padEnd(22)}${phases.map((p) => pad(p, 11)).join('')}${pad('handed GB/s', 13)}`);
  for (const [name, s] of handoverRuns) {
    for (const b of s.handovers) {
      const ms = b.phases_ms.slice(0, 4).reduce((a, x) => a + x, 0);
      console.log(`${`${name.split(' ')[1]} ${b.model} ${b.cold ? 'cold' : 'warm'}`.padEnd(22)}${b.phases_ms.map((v) => pad(fixed(v, 2), 11)).join('')}${pad(fixed(b.bytes / (ms * 1e6)), 13)}`);
    }
  }
}
console.log('\nother figures');
if (out.native) {
  const wasmSeq = out.scenarios.cpu.models.seq.median_ms;
  console.log(`  native Rust cpu: seq ${fixed(out.native.cpu_seq_ms)} ms, ${cores} threads ${fixed(out.native.cpu_threads_ms)} ms (${fixed(out.native.cpu_seq_ms / out.native.cpu_threads_ms)}x)`);
  console.log(`  wasm single-thread speed vs native: ${fixed(out.native.cpu_seq_ms / wasmSeq)} (goal >= 0.7)`);
  out.figures.wasm_vs_native = out.native.cpu_seq_ms / wasmSeq;
}
if (out.figures.engine) {
  const e = out.figures.engine;
  console.log(`  ${e.threads} processes instantiated from the engine's own module in ${fixed(e.process_pool_start_ms, 1)} ms`);
}
const spawn = out.scenarios.spawn?.models;
if (spawn) {
  console.log(`  start and join, per step: thread ${fixed(spawn.threads?.figures?.per_step_us, 0)} µs, fresh process ${fixed(spawn.fork?.figures?.per_step_us, 0)} µs, pool dispatch round trip ${fixed(spawn.procs?.figures?.per_step_us, 0)} µs`);
}
if (engine === 'chromium') {
  console.log(`  longest main-thread task during the runs: ${fixed(out.figures.longest_main_thread_task_ms, 1)} ms (goal <= 50)`);
} else {
  // Only Chromium has the long-task observer.
  delete out.figures.longest_main_thread_task_ms;
}
if (out.figures.first_load_ms !== null) console.log(`  first load to interactive (localhost): ${out.figures.first_load_ms} ms`);
for (const [n, c] of Object.entries(out.figures.class_view || {})) {
  console.log(`  class view, ${n} links: read and drawn in ${c.read_and_draw_ms} ms (goal <= 1000 for 500), longest main-thread task ${fixed(c.longest_task_ms, 1)} ms (goal <= 50)`);
}
for (const [f, s] of Object.entries(out.figures.wasm)) console.log(`  ${f}: ${(s.raw_bytes / 1024).toFixed(0)} KiB raw, ${(s.gzip_bytes / 1024).toFixed(0)} KiB gzipped`);
for (const [lesson, m] of Object.entries(out.figures.memory || {})) {
  const mib = (b) => (b === null || b === undefined ? '—' : `${(b / 2 ** 20).toFixed(0)} MiB`);
  console.log(`  memory, ${lesson} default run: page's renderer peak ${mib(m.page_renderer_peak_bytes)} (goal <= 256 MiB; PSS, workers and wasm memories included), all renderers ${mib(m.all_renderers_peak_bytes)}, JS realms ${mib(m.js_realms_peak_bytes)} (measureUserAgentSpecificMemory)`);
}
if (out.figures.lighthouse) {
  console.log(`\nLighthouse ${out.figures.lighthouse.desktop.version} (${out.figures.lighthouse.desktop.userAgent}), /?w=cpu served with gzip`);
  for (const r of Object.values(out.figures.lighthouse)) console.log(`  ${describe(r)}`);
  console.log('  goals: mobile performance >= 98, largest paint <= 1.5 s, blocking <= 50 ms, layout shift 0; desktop 100; accessibility, best practices, SEO 100');
}
printGoals();
if (out.cpython) console.log(`  CPython column: ${out.cpython.python} on ${out.cpython.cores} cores (bench/python/lessons.py; its threads hold the GIL, so they sit in the gil row)`);

/** Each figure with a goal (issues 13 and 27) beside that goal and this
 * machine's limit as the page measured it (`calibration` in the report). */
function printGoals() {
  const c = out.calibration || {};
  const rows = [];
  const add = (what, today, goal, limit) => rows.push([what, today, goal, limit]);
  const fork = spawn?.fork?.figures?.per_step_us;
  const cold = spawn?.fork?.figures?.cold_start_us;
  const thread = spawn?.threads?.figures?.per_step_us;
  const parkedCold = spawn?.threads?.figures?.cold_start_us;
  add('thread start + join per step (threads, parked worker)', thread === undefined ? '—' : `${fixed(thread, 0)} µs`, '<= 100 µs',
    `Atomics wait/notify round trip ${fixed(c.atomics_rtt_us, 1)} µs`);
  add('  its parked worker, cold (shown apart)', parkedCold === undefined ? '—' : `${fixed(parkedCold / 1e3, 1)} ms`, '—',
    `a worker start ${fixed(c.worker_start_ms, 1)} ms`);
  const ratio = fork && thread ? fork / thread : null;
  add('fork ÷ thread start', ratio === null ? '—' : `${fixed(ratio, 1)}×`, '>= 3 (CPython here: 18–23)', '—');
  const order = thread && fork && c.process_start_ms
    ? (thread < fork && fork / 1e3 < c.process_start_ms ? 'thread < fork < cold process' : 'NOT IN ORDER')
    : '—';
  add('order of starts', order, 'thread < fork < cold process',
    `thread ${fixed(thread, 0)} µs, fork ${fixed(fork, 0)} µs, cold process ${fixed(c.process_start_ms, 1)} ms`);
  add('fresh process per step (fork, warm spare)', fork === undefined ? '—' : `${fixed(fork / 1e3, 2)} ms`, '<= 5 ms',
    `instantiate ${fixed(c.instantiate_ms, 2)} ms + message ${fixed(c.message_rtt_us, 0)} µs`);
  add('  its spare worker, cold (shown apart)', cold === undefined ? '—' : `${fixed(cold / 1e3, 1)} ms`, '—',
    `cold process start ${fixed(c.process_start_ms, 1)} ms (worker ${fixed(c.worker_start_ms, 1)} ms)`);
  const dispatch = spawn?.procs?.figures?.per_step_us;
  add('pool dispatch round trip (procs)', dispatch === undefined ? '—' : `${fixed(dispatch, 0)} µs`, '<= 100 µs',
    `message round trip ${fixed(c.message_rtt_us, 0)} µs`);
  // Bytes into the receiver's memory per second of handing over (all
  // phases but the checksum), from the page's own breakdown.
  const handed = (via, model, cold) => {
    const bar = (out.scenarios[`handover ${via}`]?.handovers || []).find((b) => b.model === model && b.cold === cold);
    if (!bar) return null;
    const ms = bar.phases_ms.slice(0, 4).reduce((a, b) => a + b, 0);
    return ms > 0 ? bar.bytes / (ms * 1e6) : null;
  };
  const half = c.memcpy_gbps ? c.memcpy_gbps / 2 : null;
  const vias = ['copy', 'move', 'shared'];
  // `copy` copies twice in a row (into a new buffer, then into the
  // receiver's memory), both by `TypedArray.set` as the calibration's copy-in.
  const twice = c.copy_in_gbps ? `; copy twice at copy-in ${fixed(c.copy_in_gbps)}: ${fixed(c.copy_in_gbps / 2)} GB/s` : '';
  add('64 MiB to a process, warm: copy / move / shared', vias.map((v) => fixed(handed(v, 'procs', false))).join(' / ') + ' GB/s',
    `move >= ${fixed(half)} GB/s (50% memcpy)`, `memcpy ${fixed(c.memcpy_gbps)} GB/s warm${twice}`);
  const moved = handed('move', 'procs', false);
  add('  move as a share of memcpy (warm)', moved && c.memcpy_gbps ? `${fixed((100 * moved) / c.memcpy_gbps, 0)}%` : '—', '>= 50%', '—');
  add('  cold (procs first task / fork every task)', vias.map((v) => `${fixed(handed(v, 'procs', true))}|${fixed(handed(v, 'fork', true))}`).join(' / '), '—',
    `memcpy ${fixed(c.memcpy_cold_gbps)} GB/s first touch`);
  add('longest main-thread task', engine === 'chromium' ? `${fixed(out.figures.longest_main_thread_task_ms, 1)} ms` : '—', '<= 50 ms',
    `timer ${c.timer_resolution_ms ? `${fixed(c.timer_resolution_ms * 1e3, 0)} µs` : '—'}`);
  const gz = Object.values(out.figures.wasm).reduce((a, s) => a + s.gzip_bytes, 0);
  add('wasm gzipped, all binaries', `${(gz / 1024).toFixed(0)} KiB`, '<= 350 KiB', '—');
  add('first load to interactive', out.figures.first_load_ms === null ? '—' : `${out.figures.first_load_ms} ms`, '<= 300 ms',
    `a worker start ${fixed(c.worker_start_ms, 1)} ms`);
  add('Atomics wait/notify round trip (threads)', '', '', `${fixed(c.atomics_rtt_us, 1)} µs`);
  console.log("\nfigures against their goals and this machine's limits (as the page measured them)");
  // Each column as wide as its longest cell and two spaces, so that no
  // figure runs into its label.
  const header = ['figure', 'today', 'goal', 'calibrated limit'];
  const w = [0, 1, 2].map((i) => Math.max(...[header, ...rows].map((r) => r[i].length)) + 2);
  for (const [a, b, g, l] of [header, ...rows]) console.log(`${a.padEnd(w[0])}${b.padEnd(w[1])}${g.padEnd(w[2])}${l}`);
}

fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, JSON.stringify(out, null, 2));
console.log(`\nall figures as JSON: ${outFile}`);
