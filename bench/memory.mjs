// Peak memory of a run, two ways (Chromium on Linux):
// - what Chromium attributes to the page's JavaScript realms
//   (`performance.measureUserAgentSpecificMemory`, with eager measurement
//   so that a call does not wait for the next garbage collection);
// - the memory of the browser's renderer processes, read from /proc while
//   the run goes: workers and every wasm memory (threads' and processes')
//   live in the page's renderer, and it is what a 4 GB Chromebook must
//   hold. `measureUserAgentSpecificMemory` leaves the wasm memories out.
import fs from 'node:fs';

export const MEMORY_ARGS = ['--enable-blink-features=ForceEagerMeasureMemory'];

/** The renderer processes of the Chromium whose profile is `profileDir`. */
export function renderers(profileDir) {
  return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).filter((pid) => {
    try {
      // Zygote children rewrite their title: one line, arguments split by
      // spaces rather than NULs.
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
      return args.includes('--type=renderer') && args.includes(`--user-data-dir=${profileDir}`);
    } catch {
      // The process ended while being read.
      return false;
    }
  });
}

// Proportional set size: shared pages (libraries, V8's snapshot) are
// split between the processes that map them, so renderers add up honestly.
const pss = (pid) => {
  try {
    const m = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
};

/**
 * Samples the renderers every `everyMs` until `stop()`, which returns the
 * peaks in bytes: `page`, the largest renderer (the page's: its workers and
 * wasm memories live in it), and `all` renderers together.
 */
export function watchResident(profileDir, everyMs = 100) {
  const peak = { page: 0, all: 0 };
  const timer = setInterval(() => {
    const each = renderers(profileDir).map(pss);
    peak.page = Math.max(peak.page, ...each);
    peak.all = Math.max(peak.all, each.reduce((a, b) => a + b, 0));
  }, everyMs);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

/** An init script: the page's largest `measureUserAgentSpecificMemory` while it runs, in `window.__peakMemory`. */
export function measureInPage() {
  window.__peakMemory = 0;
  const poll = async () => {
    try {
      const m = await performance.measureUserAgentSpecificMemory();
      window.__peakMemory = Math.max(window.__peakMemory, m.bytes);
    } catch {
      window.__peakMemory = null;
      return;
    }
    if (!['done', 'error'].includes(document.body?.dataset.runState)) setTimeout(poll, 250);
  };
  addEventListener('load', poll);
}
