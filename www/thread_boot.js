// A thread of the spawn lesson, parked ahead of time. The page made this
// worker and hands it, with a port to the engine, the engine's module and
// shared memory and the address of a slot in that memory (src/web/parked.rs).
// It joins the memory (its stack and thread-local storage are set up
// there), says it is parked, and waits on the slot with `Atomics.wait`:
// once for a rehearsal (REHEARSE: it runs an empty function and parks
// again), then until the engine hands it a function (GIVEN) or tells it to
// quit (QUIT). Then it runs the function (`tvp_thread_run`), writes DONE in
// the slot and wakes the engine, which is waiting to join it. Once the
// engine has joined it (JOINED), it frees its stack and storage and writes
// FREED, and the engine ends this worker. Messages are envelopes
// `[message, attachment]`: a `start` in (src/web/mod.rs), a `BootMessage`
// out (src/protocol.rs).
const PARKED = 0;
const GIVEN = 1;
const DONE = 3;
const JOINED = 4;
const FREED = 5;
const REHEARSE = 6;
const now = () => performance.timeOrigin + performance.now();
const scriptAt = now();
self.onmessage = async ({ data }) => {
  if (!Array.isArray(data) || !data[0] || data[0].type !== 'start') return;
  self.onmessage = null;
  const [start, { port, module, memory, slot }] = data;
  self.tvpStart = start;
  const cells = new Int32Array(memory.buffer);
  const at = slot >> 2;
  try {
    const pkg = await import(start.script);
    const wasm = pkg.initSync({ module, memory });
    port.postMessage([{ boot: 'parked', script_ms: scriptAt, parked_ms: now() }, undefined]);
    // A rehearsal (the engine's, once, before any start) takes the very
    // path a start takes, so that the first wake-up and the first run of
    // each call here belong to the cold start, not to the start timed.
    for (;;) {
      while (Atomics.load(cells, at) === PARKED) Atomics.wait(cells, at, PARKED);
      if (Atomics.load(cells, at) !== REHEARSE) break;
      pkg.tvp_thread_run(0);
      if (Atomics.compareExchange(cells, at, REHEARSE, PARKED) === REHEARSE) Atomics.notify(cells, at);
    }
    try {
      pkg.tvp_thread_run(slot);
    } finally {
      if (Atomics.compareExchange(cells, at, GIVEN, DONE) === GIVEN) Atomics.notify(cells, at);
    }
    // The stack is freed after the join, as glibc frees (or caches) a
    // joined thread's stack: freed at once, it took a core while the
    // engine woke to join (WebKitGTK: 120 µs a step against 60 µs).
    while (Atomics.load(cells, at) === DONE) Atomics.wait(cells, at, DONE);
    wasm.__wbindgen_thread_destroy();
  } catch (e) {
    port.postMessage([{ boot: 'failed', message: e && e.message ? e.message : String(e) }, undefined]);
  }
  const joined = Atomics.load(cells, at) === JOINED;
  // A joiner waiting on a thread that failed before its function wakes.
  Atomics.store(cells, at, FREED);
  Atomics.notify(cells, at);
  // A joined thread's worker is ended by the engine once it is freed: one
  // that closed itself tore its heap down on a core at the very moment the
  // engine woke to join it, and in WebKitGTK the join took three to four
  // times as long. A thread told to quit is joined by nobody.
  if (!joined) self.close();
};
