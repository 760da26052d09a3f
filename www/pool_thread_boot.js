// A thread of a hybrid process's pool. The page made this worker when the
// process asked (ProcessToPage::SpawnThreads in src/protocol.rs) and hands
// it the process's own module and memory with the address of one rayon
// thread's state: the worker joins that memory and runs the thread there
// until the process ends. Message: `[{type: "start", role, script}, { module, memory, ptr }]`.
self.onmessage = async ({ data }) => {
  if (!Array.isArray(data) || !data[0] || data[0].type !== 'start') return;
  self.onmessage = null;
  const [start, { module, memory, ptr }] = data;
  self.tvpStart = start;
  const pkg = await import(start.script);
  pkg.initSync({ module, memory });
  pkg.tvp_pool_thread(ptr);
};
