// A "thread" for the spawn lesson: a worker that joins the engine's shared
// wasm memory (as wasm-bindgen-rayon's threads do), runs nothing, frees its
// stack and thread-local storage, and says so through the port the page
// handed it with the engine's module and memory. The engine then joins it.
self.onmessage = async ({ data }) => {
  if (!data || data.type !== 'port') return;
  self.onmessage = null;
  const { port, init } = data;
  try {
    const pkg = await import(init.js);
    const wasm = pkg.initSync({ module: init.module, memory: init.memory });
    wasm.__wbindgen_thread_destroy();
    port.postMessage('joined');
  } catch (e) {
    port.postMessage('failed: ' + (e && e.message ? e.message : String(e)));
  }
};
