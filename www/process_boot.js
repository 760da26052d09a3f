// Boots a process worker from the compiled module the engine posts, so a new
// "process" costs an instantiation (its own instance, its own memory), not a
// download and compile. Once the Rust side runs, it takes over onmessage.
self.onmessage = async ({ data }) => {
  if (!data || data.type !== 'boot') return;
  try {
    const pkg = await import(data.js);
    await pkg.default({ module_or_path: data.module });
  } catch (e) {
    postMessage([{ type: 'failed', message: 'process worker could not start: ' + (e && e.message ? e.message : String(e)) }, undefined]);
  }
};
