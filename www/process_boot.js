// Boots a process worker. The page made this worker and hands it one end of
// a MessageChannel (the engine holds the other) with the engine's own
// compiled module, which this worker instantiates with memory of its own: a
// new "process" costs an instantiation, not a download and compile. From
// then on the process talks to the engine in envelopes `[message,
// attachment, id]`: `ToProcess`/`FromProcess` (src/protocol.rs) as
// postcard bytes, on the port, or through the page for what a port
// cannot carry. This script itself writes only plain `{boot: ...}` objects.
//
// With `hold`, the worker is a spare (a fork server's child-to-be): it
// loads the glue, says `warm`, and makes its instance and memory only when
// the engine posts `instantiate` (with the id its `Ready` answers). The
// costly part of a start, a new worker and its scripts, is then paid before
// anyone waits for the process.
//
// When this script began, on the clock the engine reads (the page's
// `performance.timeOrigin` plus `now()`): the engine sets it against when it
// asked for the worker, to tell a worker's start from instantiating.
const now = () => performance.timeOrigin + performance.now();
const scriptAt = now();
self.onmessage = async ({ data }) => {
  if (!Array.isArray(data) || !data[0] || data[0].type !== 'start') return;
  self.onmessage = null;
  const [start, { port, module, hold, memory }] = data;
  // The module's `main` reads its role here (src/web/mod.rs, `role`).
  self.tvpStart = start;
  self.tvpPort = port;
  // A hybrid process starts its pool's threads with this same glue.
  self.tvpGlue = start.script;
  try {
    const pkg = await import(start.script);
    // A spare's start begins when it is asked to instantiate.
    const startAt = hold ? await held(port) : scriptAt;
    self.tvpBoot = { script_ms: startAt, init_ms: now() };
    // The full build's process makes its own shared memory, no larger than
    // the engine allows it (`memory`): the glue would reserve as much as
    // the engine's, and WebKit runs out of room for them.
    const own = memory && new WebAssembly.Memory({ ...memory, shared: true });
    await pkg.default({ module_or_path: module, memory: own });
  } catch (e) {
    const message = 'process worker could not start: ' + (e && e.message ? e.message : String(e));
    port.postMessage([{ boot: 'failed', message }, undefined, self.tvpReplyTo || 0]);
  }
};

function held(port) {
  return new Promise((resolve) => {
    port.onmessage = ({ data }) => {
      if (!Array.isArray(data) || data[0] !== 'instantiate') return;
      // The instance's own handler takes the port over in its `main`, and
      // answers this request with its `Ready`.
      port.onmessage = null;
      self.tvpReplyTo = data[2];
      resolve(now());
    };
    port.postMessage([{ boot: 'warm', script_ms: scriptAt, warm_ms: now() }, undefined]);
  });
}
