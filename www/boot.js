// Starts the app with what the browser allows. The full build uses one
// shared wasm memory for threads, which a page gets only when it is
// cross-origin isolated *and* the browser offers SharedArrayBuffer. A host
// that cannot send the isolation headers gets them from our service worker
// (coi-sw.js) after one reload; where that is impossible too, or the browser
// keeps shared memory off, the reduced build (st/, no atomics) runs the
// process models and the page says which models are missing and why.
import { PAGE } from './shell.js';

const body = document.body;
const RELOADED = 'tvp-coi-reloaded';
// Release builds: scripts/precache.sh sets this, and coi-sw.js precaches them.
const OFFLINE = false;

// The top of the lesson's page, drawn before the wasm arrives (a few KiB
// against the module's few hundred): the same elements, classes and words
// the Yew page starts with (src/shell.rs, src/ui/mod.rs, src/ui/lesson.rs),
// so the first and largest paints need no wasm and nothing moves when Yew
// replaces them. Views that start otherwise (embed, presentation, class
// view) and unknown lessons keep the loading line.
function drawShell() {
  const q = new URLSearchParams(location.search);
  if (['embed', 'present', 'class'].some((k) => q.get(k) === '1')) return;
  const id = q.get('w') || 'cpu';
  const at = PAGE.lessons.findIndex((l) => l.id === id);
  if (at < 0) return;
  const lesson = PAGE.lessons[at];
  const el = (tag, attrs = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    e.append(...children);
    return e;
  };
  // Lesson text with `backticked` spans set as code, as ui::lesson::rich.
  const rich = (text) => text.split('`').map((part, i) => (i % 2 ? el('code', {}, part) : part));
  const tabs = PAGE.lessons.map((l, i) => {
    const selected = i === at;
    return el('button', {
      type: 'button', role: 'tab', id: `tab-${l.id}`, 'aria-selected': String(selected),
      'aria-controls': 'lesson-panel', tabindex: selected ? '0' : '-1', ...(selected ? { class: 'selected' } : {}),
    }, el('span', { class: 'n' }, String(i + 1)), l.title);
  });
  const page = el('div', { class: 'page' },
    el('header', { class: 'top' },
      el('h1', {}, PAGE.title),
      el('p', { class: 'tagline' }, PAGE.tagline),
      el('button', { id: 'present-toggle', type: 'button', class: 'secondary', 'aria-pressed': 'false' }, PAGE.present),
      el('a', { id: 'class-view-link', class: 'class-view-link', href: '?class=1' }, PAGE.classLink)),
    el('nav', { class: 'lessons', 'aria-label': 'Lessons' },
      el('div', { role: 'tablist', 'aria-label': 'Lessons', class: 'tablist' }, ...tabs)),
    el('main', {},
      el('section', { class: 'lesson', id: 'lesson-panel', role: 'tabpanel', 'aria-labelledby': `tab-${id}` },
        el('h2', { id: 'lesson-title' }, `Lesson ${at + 1} · ${lesson.title}`),
        el('p', { class: 'question' }, ...rich(lesson.question)),
        el('p', { class: 'why' }, ...rich(lesson.why))),
      el('p', { class: 'loading' }, PAGE.loading)));
  // Until Yew takes over, a tab or the presentation button opens its view
  // as a new page, rather than doing nothing.
  for (const [i, tab] of tabs.entries()) tab.addEventListener('click', () => location.assign(`?w=${PAGE.lessons[i].id}`));
  page.querySelector('#present-toggle').addEventListener('click', () => {
    q.set('present', '1');
    location.assign(`?${q}`);
  });
  document.getElementById('app').replaceChildren(page);
}
drawShell();

// Shared memory for wasm, tried for real: WebKitGTK reports an isolated page
// but leaves SharedArrayBuffer undefined unless told otherwise.
function sharedMemory() {
  if (!self.crossOriginIsolated || typeof SharedArrayBuffer === 'undefined') return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

function explain(detail) {
  const section = document.getElementById('no-isolation');
  section.hidden = false;
  // An embed keeps to one line on it: the frame has little room, and the
  // full page (one click away) explains the rest.
  if (new URLSearchParams(location.search).get('embed') === '1') section.classList.add('compact');
  if (detail) document.getElementById('no-isolation-detail').textContent = detail;
}

function failed(err) {
  const app = document.getElementById('app');
  const p = document.createElement('p');
  p.className = 'status error';
  p.setAttribute('role', 'alert');
  p.textContent = 'The playground could not start: ' + (err && err.message ? err.message : String(err));
  app.replaceChildren(p);
  body.dataset.runState = 'error';
}

// After the next paint: the shell is on screen before the module's
// download begins, so nothing it needs waits behind the wasm. A page
// that is not drawn (a tab opened in the background) gets no animation
// frames: it starts after 100 ms all the same.
function afterPaint(then) {
  let started = false;
  const once = () => {
    if (!started) {
      started = true;
      then();
    }
  };
  requestAnimationFrame(() => setTimeout(once, 0));
  setTimeout(once, 100);
}

function start() {
  body.dataset.memory = 'shared';
  afterPaint(startNow);
}

function startNow() {
  // Trunk writes the app's hashed file names onto this script tag.
  const tag = document.querySelector('script[data-app-js]');
  runApp(new URL(tag.dataset.appJs, document.baseURI).href, tag.dataset.appWasm);
}

// Either build: its glue, then its module; once it runs, offline use.
function runApp(glue, wasm) {
  // The engine and its workers import this same glue (src/web/mod.rs, glue_url).
  self.tvpGlue = glue;
  import(glue)
    .then((m) => m.default({ module_or_path: wasm }))
    .then(() => whenIdle(keepOffline))
    .catch(failed);
}

// `then` once no run is in progress: the precache's downloads never share
// the machine with a measurement.
function whenIdle(then) {
  const idle = () => body.dataset.runState !== 'running';
  if (idle()) return then();
  const watch = new MutationObserver(() => {
    if (idle()) {
      watch.disconnect();
      then();
    }
  });
  watch.observe(body, { attributes: true, attributeFilter: ['data-run-state'] });
}

function startReduced(detail) {
  body.dataset.memory = 'reduced';
  explain(detail);
  afterPaint(startReducedNow);
}

function startReducedNow() {
  const base = new URL('st/', document.baseURI);
  runApp(new URL('app.js', base).href, new URL('app_bg.wasm', base));
}

async function isolateWithServiceWorker() {
  // Reload at most once: if the worker did not help, explain rather than loop.
  if (sessionStorage.getItem(RELOADED)) {
    sessionStorage.removeItem(RELOADED);
    startReduced('A service worker was installed to add them, but the page is still not isolated (inside a frame of a page that is not isolated, or the browser ignores it here).');
    return;
  }
  // A browser that blocks service workers may leave these promises pending
  // for ever: give up after a few seconds and explain.
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error('the browser did not start it (service workers may be disabled)')), 5000),
  );
  try {
    const registration = await Promise.race([
      navigator.serviceWorker.register(new URL('coi-sw.js', document.baseURI)).then(async (r) => {
        await navigator.serviceWorker.ready;
        return r;
      }),
      timeout,
    ]);
    if (registration.active) {
      sessionStorage.setItem(RELOADED, '1');
      location.reload();
    }
  } catch (e) {
    startReduced('Adding them with a service worker failed too: ' + (e && e.message ? e.message : String(e)) + '.');
  }
}

// Offline use: the service worker keeps this build; a newer one waits
// until the reader reloads into it (coi-sw.js). Browsers driven by tests
// (navigator.webdriver) leave it off unless a test asks for it, so that
// no precache shares the machine with a measured run, and no cached copy
// hides what a test serves.
function keepOffline() {
  if (!OFFLINE || !('serviceWorker' in navigator) || self !== self.top || !self.isSecureContext) return;
  if (navigator.webdriver && localStorage.getItem('tvp-offline') !== '1') return;
  const offer = (waiting) => {
    if (!waiting || !navigator.serviceWorker.controller || document.getElementById('update-ready')) return;
    const bar = document.createElement('div');
    bar.id = 'update-ready';
    bar.className = 'update-ready';
    bar.setAttribute('role', 'status');
    const button = document.createElement('button');
    button.type = 'button';
    button.id = 'update-reload';
    button.textContent = 'Reload';
    button.addEventListener('click', () => {
      navigator.serviceWorker.addEventListener('controllerchange', () => location.reload());
      waiting.postMessage('tvp:update');
    });
    bar.append('A new version of the playground is ready. ', button);
    body.prepend(bar);
  };
  navigator.serviceWorker.register(new URL('coi-sw.js', document.baseURI)).then((registration) => {
    offer(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const installing = registration.installing;
      installing?.addEventListener('statechange', () => {
        if (installing.state === 'installed') offer(installing);
      });
    });
  }).catch(() => {
    // Offline use is a convenience: the page works without it.
  });
}

// A new link pasted into this tab differs only after '#', which browsers
// treat as the same page: load it afresh so its results are read.
addEventListener('hashchange', () => location.reload());

if (self.crossOriginIsolated && sharedMemory()) {
  sessionStorage.removeItem(RELOADED);
  start();
} else if (self.crossOriginIsolated) {
  sessionStorage.removeItem(RELOADED);
  document.getElementById('no-isolation-what').textContent =
    'This page is cross-origin isolated, but this browser gives it no SharedArrayBuffer, so no two workers can share memory. ' +
    'Chrome and Edge (92 and later), Firefox (79 and later) and Safari (15.2 and later) turn it on for isolated pages; ' +
    'WebKitGTK and WPE browsers need the environment variable JSC_useSharedArrayBuffer=1.';
  startReduced('');
} else if (!self.isSecureContext) {
  startReduced('This origin is not secure (plain http on a non-local address), which rules isolation out.');
} else if ('serviceWorker' in navigator && self === self.top) {
  isolateWithServiceWorker();
} else if (self !== self.top) {
  startReduced('This page is inside a frame, and a frame is isolated only when the page around it is too (it must send the same two headers and allow this frame with allow="cross-origin-isolated").');
} else {
  startReduced('The page was reached over a secure origin, so the headers are what is missing, and this browser offers no service worker to add them.');
}
