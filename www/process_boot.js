// Boots a process worker. The page made this worker and hands it one end of
// a MessageChannel (the engine holds the other) with the engine's own
// compiled module, which this worker instantiates with memory of its own: a
// new "process" costs an instantiation, not a download and compile. From
// then on the process talks to the engine through the port.
self.onmessage = async ({ data }) => {
  if (!data || data.type !== 'port') return;
  self.onmessage = null;
  const { port, init } = data;
  self.tvpPort = port;
  try {
    const pkg = await import(init.js);
    await pkg.default({ module_or_path: init.module });
  } catch (e) {
    port.postMessage([{ type: 'failed', message: 'process worker could not start: ' + (e && e.message ? e.message : String(e)) }, undefined]);
  }
};
