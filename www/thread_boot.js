// A thread of the spawn lesson, parked ahead of time. The page made this
// worker and hands it, with a port to the engine, the engine's module and
// shared memory and the address of a slot in that memory (src/web/parked.rs).
// It joins the memory (its stack and thread-local storage are set up
// there), runs once dry, says it is parked, and waits on the slot with
// `Atomics.wait` until the engine hands it a function (GIVEN) or tells it
// to quit (QUIT). Then it runs the function (`tvp_thread_run`), frees its
// stack and storage, and only then writes DONE in the slot and wakes the
// engine, which is waiting to join it and then ends this worker. Messages
// are envelopes `[message, attachment]`: a `start` in (src/web/mod.rs), a
// `BootMessage` out (src/protocol.rs).
const PARKED = 0;
const GIVEN = 1;
const DONE = 3;
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
    // The first call of a function in a fresh worker compiles it: that
    // belongs to the cold start, not to the start being timed.
    pkg.tvp_thread_run(0);
    port.postMessage([{ boot: 'parked', script_ms: scriptAt, parked_ms: now() }, undefined]);
    while (Atomics.load(cells, at) === PARKED) Atomics.wait(cells, at, PARKED);
    pkg.tvp_thread_run(slot);
    wasm.__wbindgen_thread_destroy();
  } catch (e) {
    port.postMessage([{ boot: 'failed', message: e && e.message ? e.message : String(e) }, undefined]);
  }
  const joined = Atomics.load(cells, at) === GIVEN;
  Atomics.store(cells, at, DONE);
  Atomics.notify(cells, at);
  // A joined thread's worker is ended by the engine after the join: one
  // that closed itself tore its heap down on a core at the very moment the
  // engine woke to join it, and in WebKitGTK the join took three to four
  // times as long. A thread told to quit is joined by nobody.
  if (!joined) self.close();
};
