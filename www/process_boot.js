// Boots a process worker. The page made this worker and hands it one end of
// a MessageChannel (the engine holds the other) with the engine's own
// compiled module, which this worker instantiates with memory of its own: a
// new "process" costs an instantiation, not a download and compile. From
// then on the process talks to the engine through the port, in envelopes
// `[message, attachment]` (src/protocol.rs: `ToWorker::Start` in here,
// `ToProcess`/`FromProcess` on the port).
// When this script began, on the clock the engine reads (the page's
// `performance.timeOrigin` plus `now()`): the engine sets it against when it
// asked for the worker, to tell a worker's start from instantiating.
const scriptAt = performance.timeOrigin + performance.now();
self.onmessage = async ({ data }) => {
  if (!Array.isArray(data) || !data[0] || data[0].type !== 'start') return;
  self.onmessage = null;
  const [{ script }, { port, module }] = data;
  self.tvpPort = port;
  try {
    const pkg = await import(script);
    self.tvpBoot = { script_ms: scriptAt, init_ms: performance.timeOrigin + performance.now() };
    await pkg.default({ module_or_path: module });
  } catch (e) {
    port.postMessage([{ type: 'failed', message: 'process worker could not start: ' + (e && e.message ? e.message : String(e)) }, undefined]);
  }
};
