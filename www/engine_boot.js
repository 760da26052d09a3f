// Boots the engine worker. The page posts `{type: "start", script}`
// (`start_envelope` in src/web/mod.rs) with the URL of the glue it was itself loaded by and, as the attachment,
// its own compiled module: the engine runs the page's module in an instance
// and memory of its own, with no second download or compile. The module's
// `main` sees no window and so starts the engine (src/bin/app.rs).
self.onmessage = async ({ data }) => {
  if (!Array.isArray(data) || !data[0] || data[0].type !== 'start') return;
  self.onmessage = null;
  const [{ script }, { module }] = data;
  // The engine starts its processes and threads with this same glue.
  self.tvpGlue = script;
  try {
    const pkg = await import(script);
    await pkg.default({ module_or_path: module });
  } catch (e) {
    // A `BootMessage` (src/protocol.rs): the page takes it for a failed
    // engine.
    const message = 'the engine could not start: ' + (e && e.message ? e.message : String(e));
    postMessage([{ boot: 'failed', message }, undefined]);
  }
};
