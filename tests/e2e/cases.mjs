// Every workload with a size that runs in a second or two, and what its
// result must satisfy beside the oracle (value === expected, no errors).
// Shared by the Chromium suite and the cross-engine tests.
import assert from 'node:assert/strict';

export const CASES = [
  ['w=cpu&tasks=4&n=300000', (r) => assert.equal(r.value, '1200000')],
  ['w=squares&n=100000&tasks=3', (r) => assert.equal(r.value, String((100000n * 100001n * 200001n) / 6n))],
  ['w=io&tasks=4&wait_ms=10&cpu_n=20000', (r) => assert.ok(r.spans.length >= 4)],
  // The convoy: task 0 answers 5 requests (one tick each) while 2 compute.
  ['w=io&tasks=3&wait_ms=1&cpu_n=2000000&convoy=1&requests=5', (r) => assert.equal(r.value, String(5 * 20001 + 2 * 2000000))],
  ['w=spawn&count=3', (r) => {
    assert.equal(r.value, '3');
    timedOrBound(r, 'per_step_us');
    assert.equal(r.spans.filter((s) => s.kind === 'spawn').length, 3);
    if (r.model === 'fork') {
      // Made in warm spares: the start and the spares' own cold start apart.
      timedOrBound(r, 'fork_start_us');
      timedOrBound(r, 'cold_start_us');
    }
    if (THREAD_MODELS.includes(r.model)) {
      // Started from parked workers, whose own cold start is shown apart.
      timedOrBound(r, 'cold_start_us');
    }
  }],
  ['w=counter&tasks=3&increments=20000&sync=locked', (r) => assert.equal(r.value, '60000')],
  ['w=counter&tasks=3&increments=20000&sync=atomic', (r) => assert.equal(r.value, '60000')],
  ['w=counter&tasks=3&increments=20000&sync=messages', (r) => assert.equal(r.value, '60000')],
  ['w=transfer&tasks=2&mib=0.5&via=copy', handedOver],
  ['w=transfer&tasks=2&mib=0.5&via=move', handedOver],
  ['w=transfer&tasks=2&mib=0.5&via=shared', handedOver],
];

const THREAD_MODELS = ['seq', 'threads', 'gil', 'oldgil'];

/**
 * The lesson's order of costs, with wide margins, in any engine: a thread
 * starts in at most a third of a fork's time (CPython here: a twentieth),
 * and a 64 MiB move reaches a process with less than half the sender's
 * work of a copy (the receiver's one copy into its memory is paid by both).
 * `run(query)` returns a finished run's report.
 */
export async function checkOrderOfCosts(run) {
  const spawn = await run('w=spawn&count=20&models=threads,fork&workers=2&repeats=1&warmup=1');
  const step = (m) => spawn.results.find((r) => r.model === m).figures.per_step_us;
  assert.ok(step('threads') > 0 && step('threads') * 3 <= step('fork'), `a thread start (${step('threads')} µs) is at most a third of a fork (${step('fork')} µs)`);
  const sent = async (via) => {
    const report = await run(`w=transfer&tasks=2&mib=64&via=${via}&models=procs&workers=1&repeats=2&warmup=1`);
    const warm = report.handovers.find((b) => b.model === 'procs' && !b.cold);
    assert.ok(warm, `${via}: a warm hand-over was measured`);
    // Serializing and delivering: what the way there costs, before the copy in.
    return warm.phases_ms[0] + warm.phases_ms[1];
  };
  const [moved, copied] = [await sent('move'), await sent('copy')];
  assert.ok(moved * 2 <= copied, `a move's way there (${moved.toFixed(2)} ms) is at most half a copy's (${copied.toFixed(2)} ms)`);
}

/**
 * The counter lesson's traced repeat (src/interleaving.rs): racy threads lose
 * at least one update on a run long enough, each example drawn is proven by
 * its own events (the losing write replaced another worker's write, not the
 * value its own worker read), and a lock or an atomic add loses none. The
 * racy run has a warm-up, as the lesson's own: in a fresh WebKitGTK page
 * on 2 cores the other core compiles the module's faster tier, and a first
 * repeat ran its two threads one after the other and lost nothing at all
 * (which the page then says) about once in eight runs.
 */
export async function checkInterleavings(run) {
  const racy = await run('w=counter&tasks=4&increments=200000&sync=racy&models=seq,threads,gil,procs&workers=2&repeats=1&warmup=1');
  const of = (report, m) => report.interleavings.find((i) => i.model === m);
  for (const m of ['seq', 'threads', 'gil', 'procs']) {
    const i = of(racy, m);
    assert.ok(i, `${m} has a traced repeat`);
    assert.ok(i.events > 0, `${m} recorded events`);
  }
  assert.equal(of(racy, 'seq').lost, 0, 'one worker cannot race itself');
  assert.ok(of(racy, 'threads').lost >= 1, 'racy free threads lose an update in the trace');
  for (const i of racy.interleavings.filter((x) => x.lost > 0)) {
    for (const ex of i.examples) {
      const write = ex[ex.length - 1];
      assert.equal(write.op, 'write', `${i.model}: an example ends with the losing write`);
      const read = ex.find((e) => e.op === 'read' && e.worker === write.worker);
      assert.ok(read && read.order < write.order, `${i.model}: the writer read first`);
      assert.equal(write.value, read.value + 1, `${i.model}: value += 1`);
      assert.notEqual(write.replaced, read.value, `${i.model}: someone wrote between the read and the write`);
      const overwritten = ex.find((e) => e.op === 'write' && e.worker !== write.worker);
      assert.ok(overwritten, `${i.model}: the write it overwrote is shown`);
      assert.equal(overwritten.value, write.replaced, `${i.model}: it replaced exactly that write's value`);
    }
  }
  for (const sync of ['locked', 'atomic']) {
    const safe = await run(`w=counter&tasks=4&increments=20000&sync=${sync}&models=threads,gil,procs&workers=2&repeats=1&warmup=0`);
    for (const i of safe.interleavings) assert.equal(i.lost, 0, `${sync} ${i.model} loses nothing`);
  }
}

// A figure in µs is a length, or, where the clock steps too coarsely to
// time one step (Firefox without isolation: 1 ms), flagged as a bound.
function timedOrBound(r, key) {
  const v = r.figures[key];
  assert.ok(Number.isFinite(v), `${r.model} reports ${key}: ${JSON.stringify(r.figures)}`);
  const flagged = r.warnings.some((w) => w.kind === 'figure_below_clock' && w.figure === key);
  assert.ok(v > 0 || flagged, `${r.model}: ${key} = ${v} µs, and not flagged`);
}

// A process model times every task's handing over, phase by phase; a
// fresh process's memory is always cold.
function handedOver(r, report) {
  if (!['procs', 'fork'].includes(r.model)) return;
  const bars = (report.handovers || []).filter((b) => b.model === r.model);
  const tasks = bars.reduce((n, b) => n + b.tasks, 0);
  assert.equal(tasks, report.config.tasks * r.samples_ms.length, `${r.model}: one breakdown per task`);
  for (const b of bars) {
    assert.equal(b.bytes, Math.round(0.5 * 1048576));
    assert.equal(b.phases_ms.length, 5);
    assert.ok(b.phases_ms.every((ms) => Number.isFinite(ms) && ms >= 0), JSON.stringify(b));
    assert.ok(b.phases_ms.reduce((a, ms) => a + ms, 0) > 0, `${r.model}: the phases took time`);
  }
  if (r.model === 'fork') assert.ok(bars.every((b) => b.cold), 'every fork lands in fresh memory');
}
