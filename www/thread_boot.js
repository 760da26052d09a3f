// A "thread" for the spawn lesson: a worker that joins the engine's shared
// wasm memory (as wasm-bindgen-rayon's threads do), runs nothing, frees its
// stack and thread-local storage, and says so. The engine then joins it.
self.onmessage = async ({ data }) => {
  try {
    const pkg = await import(data.js);
    const wasm = pkg.initSync({ module: data.module, memory: data.memory });
    wasm.__wbindgen_thread_destroy();
    postMessage('joined');
  } catch (e) {
    postMessage('failed: ' + (e && e.message ? e.message : String(e)));
  }
};
