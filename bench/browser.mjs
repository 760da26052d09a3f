// Browser benchmark: opens run links in headless Chromium against the
// release build and prints medians and speedups beside the native reference.
// Figures, not assertions: speed is measured here, never in a test.
import { serve, launch, waitForState, reportJson } from '../tests/e2e/harness.mjs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

const cores = os.availableParallelism();
const pages = Number(process.env.BENCH_PAGES || 3);
const repeats = Number(process.env.BENCH_REPEATS || 7);
const native = JSON.parse(
  execFileSync('cargo', ['+stable', 'run', '--quiet', '--release', '--bin', 'bench-native', '--', '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }),
);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const server = await serve();
const browser = await launch();
const runs = [];
try {
  for (let i = 0; i < pages; i++) {
    const page = await browser.context.newPage();
    const q = `?w=cpu&models=seq,threads,procs&workers=${cores}&repeats=${repeats}&warmup=2&run=1`;
    const t0 = Date.now();
    await page.goto(server.url + '/' + q);
    const state = await waitForState(page, ['done', 'error'], 300_000);
    if (state !== 'done') throw new Error(await page.locator('#status').textContent());
    const report = await reportJson(page);
    report.wall_s = (Date.now() - t0) / 1000;
    runs.push(report);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}

const byModel = {};
for (const r of runs) for (const x of r.results) (byModel[x.model] ||= []).push(...x.samples_ms);
const seqMedian = median(byModel.seq);
const pad = (s, n) => String(s).padStart(n);
console.log(`\nbrowser benchmark: cpu tasks=4 n=10,000,000, ${cores} cores, ${pages} page loads x ${repeats} repeats`);
console.log(`${runs[0].env.user_agent}`);
console.log(`${'model'.padEnd(9)}${pad('workers', 8)}${pad('median ms', 11)}${pad('min', 8)}${pad('max', 8)}${pad('vs seq', 8)}${pad('all correct', 13)}`);
for (const [model, samples] of Object.entries(byModel)) {
  const m = median(samples);
  const ok = runs.every((r) => r.results.find((x) => x.model === model).correct);
  const workers = runs[0].results.find((x) => x.model === model).workers;
  console.log(
    `${model.padEnd(9)}${pad(workers, 8)}${pad(m.toFixed(2), 11)}${pad(Math.min(...samples).toFixed(1), 8)}` +
      `${pad(Math.max(...samples).toFixed(1), 8)}${pad((seqMedian / m).toFixed(2) + 'x', 8)}${pad(ok, 13)}`,
  );
}
console.log('per page load, speedup vs seq: ' + runs
  .map((r) => r.results.filter((x) => x.model !== 'seq').map((x) => `${x.model} ${x.speedup.toFixed(2)}x`).join(', '))
  .join(' | '));
const nativeSeq = native.cpu_seq_ms;
console.log(`\nnative reference (same machine, same workload): seq ${nativeSeq.toFixed(2)} ms, ` +
  `threads x${cores} ${native.cpu_threads_ms.toFixed(2)} ms (${(nativeSeq / native.cpu_threads_ms).toFixed(2)}x)`);
console.log(`wasm single-thread speed vs native: ${(nativeSeq / seqMedian).toFixed(2)} (native ms / wasm ms; goal >= 0.7)`);
