// Browser benchmark: opens run links in headless Chromium against the
// release build and prints medians and speedups beside the native reference.
// Figures, not assertions: speed is measured here, never in a test.
import { serve, launch, waitForState, reportJson } from '../tests/e2e/harness.mjs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

const cores = os.availableParallelism();
const pages = Number(process.env.BENCH_PAGES || 3);
const repeats = Number(process.env.BENCH_REPEATS || 7);
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : null;

const SCENARIOS = [
  ['cpu', `w=cpu&models=seq,threads,gil,oldgil,procs,fork&workers=${cores}`, pages],
  ['squares', `w=squares&n=100000000&models=seq,threads,gil,procs&workers=${cores}`, 1],
  ['io', 'w=io&tasks=8&wait_ms=50&models=seq,threads,gil,oldgil,procs&workers=8', 1],
  ['io+cpu', 'w=io&tasks=8&wait_ms=50&cpu_n=20000000&models=seq,threads,gil,procs&workers=8', 1],
  ['spawn', 'w=spawn&count=50&models=threads,procs,fork', 1],
  ...['racy', 'locked', 'atomic', 'messages'].map((sync) => [
    `counter ${sync}`,
    `w=counter&sync=${sync}&models=seq,threads,gil,procs&workers=${cores}`,
    1,
  ]),
  ...['copy', 'move', 'shared'].map((via) => [
    `transfer ${via}`,
    `w=transfer&mib=16&via=${via}&models=seq,threads,procs&workers=${cores}`,
    1,
  ]),
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pad = (s, n) => String(s).padStart(n);

const server = await serve();
const browser = await launch();
const summary = {};
try {
  for (const [name, query, loads] of SCENARIOS) {
    if (only && !only.includes(name.split(' ')[0])) continue;
    const runs = [];
    for (let i = 0; i < loads; i++) {
      const page = await browser.context.newPage();
      await page.goto(`${server.url}/?${query}&repeats=${repeats}&warmup=2&run=1`);
      const state = await waitForState(page, ['done', 'error'], 600_000);
      if (state !== 'done') throw new Error(`${name}: ${await page.locator('#status').textContent()}`);
      runs.push(await reportJson(page));
      await page.close();
    }
    const byModel = {};
    for (const r of runs) for (const x of r.results) (byModel[x.model] ||= []).push(x);
    const seq = byModel.seq ? median(byModel.seq.flatMap((x) => x.samples_ms)) : null;
    console.log(`\n${name}: ${query} (${loads} page load(s) x ${repeats} repeats after 2 warm-ups)`);
    console.log(`${'model'.padEnd(9)}${pad('workers', 8)}${pad('median ms', 11)}${pad('min', 9)}${pad('max', 9)}${pad('vs seq', 8)}${pad('correct', 9)}  notes`);
    summary[name] = {};
    for (const [model, xs] of Object.entries(byModel)) {
      const samples = xs.flatMap((x) => x.samples_ms);
      const m = median(samples);
      const notes = [];
      const last = xs[xs.length - 1];
      if (last.lost_updates !== null && last.lost_updates !== undefined) notes.push(`lost ${last.lost_updates} of ${last.expected}`);
      for (const [k, v] of Object.entries(last.figures || {})) notes.push(`${k} ${v.toFixed(1)}`);
      const speedup = seq ? seq / m : null;
      summary[name][model] = { median_ms: m, speedup, correct: xs.every((x) => x.correct), figures: last.figures, lost_updates: last.lost_updates };
      console.log(
        `${model.padEnd(9)}${pad(last.workers, 8)}${pad(m.toFixed(2), 11)}${pad(Math.min(...samples).toFixed(1), 9)}` +
          `${pad(Math.max(...samples).toFixed(1), 9)}${pad(speedup ? speedup.toFixed(2) + 'x' : '—', 8)}${pad(xs.every((x) => x.correct), 9)}  ${notes.join(', ')}`,
      );
    }
    if (name === 'cpu') {
      console.log('per page load, vs seq: ' + runs
        .map((r) => r.results.filter((x) => x.model !== 'seq').map((x) => `${x.model} ${x.speedup.toFixed(2)}x`).join(' '))
        .join(' | '));
      console.log(runs[0].env.user_agent);
    }
  }
} finally {
  await browser.close();
  await server.close();
}

if (!only || only.includes('cpu')) {
  const native = JSON.parse(
    execFileSync('cargo', ['+stable', 'run', '--quiet', '--release', '--bin', 'bench-native', '--', '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const wasmSeq = summary.cpu.seq.median_ms;
  console.log(`\nnative reference (same machine, same cpu workload): seq ${native.cpu_seq_ms.toFixed(2)} ms, ` +
    `threads x${cores} ${native.cpu_threads_ms.toFixed(2)} ms (${(native.cpu_seq_ms / native.cpu_threads_ms).toFixed(2)}x)`);
  console.log(`wasm single-thread speed vs native: ${(native.cpu_seq_ms / wasmSeq).toFixed(2)} (native ms / wasm ms; goal >= 0.7)`);
}
