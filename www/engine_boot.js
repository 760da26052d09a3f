// Boots the engine worker. The page posts `[{type: "start", role: "engine",
// workers, script}, {module}]` (`start_envelope` in src/web/mod.rs): the
// URL of the glue it was itself loaded by and its own compiled module, so
// the engine runs the page's module in an instance and memory of its own,
// with no second download or compile. The start stays in `self.tvpStart`,
// where the module's `main` reads its role (src/web/engine.rs).
self.onmessage = async ({ data }) => {
  if (!Array.isArray(data) || !data[0] || data[0].type !== 'start') return;
  self.onmessage = null;
  const [start, { module }] = data;
  self.tvpStart = start;
  // The engine starts its processes and threads with this same glue.
  self.tvpGlue = start.script;
  try {
    const pkg = await import(start.script);
    await pkg.default({ module_or_path: module });
  } catch (e) {
    // A `BootMessage` (src/protocol.rs): the page takes it for a failed
    // engine.
    const message = 'the engine could not start: ' + (e && e.message ? e.message : String(e));
    postMessage([{ boot: 'failed', message }, undefined]);
  }
};
