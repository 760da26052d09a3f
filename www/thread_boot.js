// A "thread" for the spawn lesson: a worker that joins the engine's shared
// wasm memory (as wasm-bindgen-rayon's threads do), runs nothing, frees its
// stack and thread-local storage, and says so through the port the page
// handed it with the engine's module and memory. The engine then joins it.
// Messages are envelopes `[message, attachment]`: `{type: "start"}` in
// (src/web/mod.rs), a `BootMessage` out (src/protocol.rs).
self.onmessage = async ({ data }) => {
  if (!Array.isArray(data) || !data[0] || data[0].type !== 'start') return;
  self.onmessage = null;
  const [{ script }, { port, module, memory }] = data;
  try {
    const pkg = await import(script);
    const wasm = pkg.initSync({ module, memory });
    wasm.__wbindgen_thread_destroy();
    port.postMessage([{ boot: 'joined' }, undefined]);
  } catch (e) {
    port.postMessage([{ boot: 'failed', message: e && e.message ? e.message : String(e) }, undefined]);
  }
};
